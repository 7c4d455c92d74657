#!/usr/bin/env python3
"""The comparison in BENCHMARKS.md: the same job done the way a small club script would do it,
in Python 3 with the standard library. Every second it reads 8 simulated sensors, works out
a WBGT with the indoor formula, stores the readings in SQLite (WAL, synchronous=FULL, one
transaction a second, like VenueGuard's outbox), publishes each one at QoS 1 through a
long-lived `mosquitto_pub -l`, and marks them sent. No safety logic, no fault handling, no
lamps: a lower bound for what the job costs in Python.

  scripts/bench_baseline.py PORT SECONDS DATABASE
"""
import json, math, random, sqlite3, subprocess, sys, time

port, seconds, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, topic TEXT, payload TEXT, sent INTEGER DEFAULT 0)")
publisher = subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-q", "1", "-l", "-t", "baseline/readings"],
                             stdin=subprocess.PIPE, text=True)
sensors = [f"sensor-{i}" for i in range(8)]
started = time.monotonic()
tick = 0
while time.monotonic() - started < seconds:
    tick += 1
    rows = []
    for sensor in sensors:
        ta = 28 + 3 * math.sin(tick / 600) + random.gauss(0, 0.05)
        rh = 60 + random.gauss(0, 0.2)
        # The indoor chart fit: WBGT from Ta and RH (Ono & Tonouchi style regression).
        wbgt = 0.725 * ta + 0.0368 * rh + 0.00364 * ta * rh - 3.246
        rows.append((f"venue/{sensor}", json.dumps({"sensor": sensor, "ta": round(ta, 2), "rh": round(rh, 1), "wbgt": round(wbgt, 2),
                                                    "time": time.time()})))
    db.execute("BEGIN")
    first = None
    for topic, payload in rows:
        cursor = db.execute("INSERT INTO outbox (topic, payload) VALUES (?, ?)", (topic, payload))
        first = first or cursor.lastrowid
    db.execute("COMMIT")
    for _, payload in rows:
        publisher.stdin.write(payload + "\n")
    publisher.stdin.flush()
    db.execute("UPDATE outbox SET sent = 1 WHERE seq >= ?", (first,))
    if tick % 30 == 0:
        db.execute("DELETE FROM outbox WHERE sent = 1")
    time.sleep(max(0.0, started + tick - time.monotonic()))
publisher.stdin.close()
publisher.wait(10)
