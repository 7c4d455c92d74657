#!/usr/bin/env python3
"""The comparison in BENCHMARKS.md: the same job done the way a small club script would do it,
a plain Python 3 loop with paho-mqtt and sqlite3. Every second it reads the bench venue's
9 simulated sensors (8 climate sensors and the lightning detector), works out a WBGT with the
indoor chart fit, builds each reading as a JSON payload of VenueGuard's sensor schema (the same
keys and about the same size, ~400 bytes), stores it in a SQLite outbox (WAL, synchronous=FULL,
one transaction a second: every reading durable before it is sent), publishes it at QoS 1 and
deletes the rows the broker acknowledged (PUBACK), by range. No safety logic, no fault handling,
no lamps: a lower bound for what the job costs in Python.

  scripts/bench_baseline.py PORT SECONDS DATABASE
"""
import datetime, json, math, random, sqlite3, sys, threading, time

import paho.mqtt.client as mqtt

port, seconds, path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL)")

# PUBACKs arrive on paho's network thread; the main loop deletes their rows once a second.
acknowledged, lock = [], threading.Lock()
in_flight = {}  # paho message id → outbox seq


def on_publish(client, userdata, mid):
    with lock:
        seq = in_flight.pop(mid, None)
        if seq is not None:
            acknowledged.append(seq)


client = mqtt.Client(client_id="bench-baseline", clean_session=True, protocol=mqtt.MQTTv311)
client.on_publish = on_publish
client.max_inflight_messages_set(100)
client.connect("127.0.0.1", port, keepalive=60)
client.loop_start()

# The bench venue's sensors (Config/bench/bench.yaml): id, kind, quantities and their units.
SENSORS = [
    ("hall-climate", "sht3x", [("air_temperature", "°C"), ("humidity", "%")]),
    ("hall-globe", "ds18b20", [("globe_temperature", "°C")]),
    ("kids-microbit", "serial", [("air_temperature", "°C")]),
    ("yard-climate", "bme280", [("air_temperature", "°C"), ("humidity", "%"), ("pressure", "hPa")]),
    ("yard-globe", "ds18b20", [("globe_temperature", "°C")]),
    ("yard-wind", "anemometer", [("wind_speed", "m/s"), ("wind_gust", "m/s")]),
    ("yard-pyranometer", "ads1115", [("solar_radiation", "W/m²")]),
    ("yard-light", "bh1750", [("solar_radiation", "W/m²")]),
    ("lightning", "as3935", [("lightning_distance", "km")]),
]
BASE = {"air_temperature": 28, "humidity": 60, "pressure": 1008, "globe_temperature": 31, "wind_speed": 1.5, "wind_gust": 3,
        "solar_radiation": 600, "lightning_distance": 40}
JST = datetime.timezone(datetime.timedelta(hours=9))
seq = 0
started = time.monotonic()
tick = 0
while time.monotonic() - started < seconds:
    tick += 1
    now = datetime.datetime.now(JST).isoformat(timespec="milliseconds")
    rows = []
    for sensor, kind, quantities in SENSORS:
        values = {}
        for quantity, unit in quantities:
            value = BASE[quantity] * (1 + 0.05 * math.sin(tick / 600)) + random.gauss(0, 0.05)
            values[quantity] = {"value": round(value, 2), "unit": unit, "source": "measured", "time": now}
        if sensor == "hall-climate":
            # The indoor chart fit from the hall's climate (the Python loop's only "logic").
            ta, rh = values["air_temperature"]["value"], values["humidity"]["value"]
            values["wbgt"] = {"value": round(0.725 * ta + 0.0368 * rh + 0.00364 * ta * rh - 3.246, 2), "unit": "°C",
                              "source": "derived", "time": now}
        seq += 1
        payload = {"schema": "venueguard/sensor/1", "seq": seq, "time": now, "site": "bench", "clock_synchronized": True,
                   "sensor": sensor, "kind": kind, "trust": "authoritative", "quality": "ok", "reason": None, "values": values,
                   "rejected": {}}
        rows.append((seq, f"venueguard/bench/sensors/{sensor}", json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()))
    db.execute("BEGIN")
    db.executemany("INSERT INTO outbox (seq, topic, payload, retain) VALUES (?, ?, ?, 1)", rows)
    db.execute("COMMIT")
    for number, topic, payload in rows:
        info = client.publish(topic, payload, qos=1, retain=True)
        with lock:
            in_flight[info.mid] = number
    with lock:
        done, acknowledged[:] = sorted(acknowledged), []
    if done:
        db.execute("DELETE FROM outbox WHERE seq BETWEEN ? AND ?", (done[0], done[-1]))
    time.sleep(max(0.0, started + tick - time.monotonic()))
client.loop_stop()
client.disconnect()
