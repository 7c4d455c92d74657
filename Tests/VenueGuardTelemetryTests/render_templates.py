"""Renders Home Assistant MQTT templates with Jinja2 the way Home Assistant does for MQTT
entities: `value` (the payload text) and `value_json` (the payload parsed), `today_at()` and
`now()` in the site's zone, the `tojson` filter, strict undefined errors. Reads
{"zone_offset_hours": 9, "now": "2026-08-07T14:00:00", "cases": [{"template": ..., "value": ...}]}
on stdin, writes [{"out": ...} | {"error": ...}] on stdout. Used by HomeAssistantDiscoveryTests."""
import datetime
import json
import sys

import jinja2

request = json.load(sys.stdin)
zone = datetime.timezone(datetime.timedelta(hours=request.get("zone_offset_hours", 9)))
now = datetime.datetime.fromisoformat(request["now"]).replace(tzinfo=zone)


def today_at(text="00:00"):
    parts = [int(p) for p in text.split(":")]
    while len(parts) < 3:
        parts.append(0)
    return now.replace(hour=parts[0], minute=parts[1], second=parts[2], microsecond=0)


environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
environment.globals.update(today_at=today_at, now=lambda: now, timedelta=datetime.timedelta)
results = []
for case in request["cases"]:
    try:
        variables = {"value": case.get("value", "")}
        try:
            variables["value_json"] = json.loads(case.get("value", ""))
        except ValueError:
            pass
        results.append({"out": environment.from_string(case["template"]).render(**variables)})
    except Exception as error:  # every template error is a finding
        results.append({"error": f"{type(error).__name__}: {error}"})
json.dump(results, sys.stdout)
