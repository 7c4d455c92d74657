#!/usr/bin/env python3
"""`make soak`: three simulated days in --minutes of real time, with every kind of sensor fault
(scenario Config/bench/soak-days.yaml, the children's serial board unplugged three times),
the broker restarted every --restart-every seconds (gracefully, and every third time killed),
checking at the end that:

  - memory stays flat: the median RSS of the last quarter is within 10 % (and 3 MB) of the
    second quarter's (the first quarter is warm-up);
  - file descriptors stay flat: at most 4 more at the end than after warm-up;
  - nothing is lost: a subscriber with a persistent session (QoS 1, broker persistence on)
    received every sequence number the daemon handed out, live or from the history replay,
    and the outbox is empty at the end;
  - the daemon exits 0 on SIGTERM.

Exit status 0 when every check passes.
"""
import argparse, json, os, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench  # noqa: E402  (free_port, write_config)


class Broker:
    def __init__(self, directory, port):
        self.conf = os.path.join(directory, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {directory}/\n"
                    "autosave_interval 1\nmax_queued_messages 0\n")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)

    def stop(self, kill=False):
        if self.process:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(10)
            self.process = None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/venueguard"))
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--restart-every", type=float, default=90)
    parser.add_argument("--down-for", type=float, default=15)
    args = parser.parse_args()

    duration = 72 * 3600
    speed = duration / (args.minutes * 60)
    failures = []
    with tempfile.TemporaryDirectory(prefix="vg-soak-") as directory:
        port = bench.free_port()
        broker = Broker(directory, port)
        broker.start()
        config, outbox = bench.write_config(directory, port, 2000)
        with open(config) as f:
            text = f.read()
        text = text.replace("period: 1s", "period: 10s").replace("bench-day.yaml", "soak-days.yaml").replace("id: bench", "id: soak")
        with open(config, "w") as f:
            f.write(text)
        received = open(os.path.join(directory, "received.txt"), "w")
        subscriber = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "venueguard/soak/#", "-q", "1",
                                       "-c", "-i", "soak-subscriber", "-v"], stdout=received, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        state = os.path.join("/dev/shm", f"vg-soak-state-{os.getpid()}.json")
        daemon = subprocess.Popen([args.binary, "run", "--config", config, "--plain", "--speed", f"{speed:.3f}", "--exit-at-end",
                                   "--state-file", state, "--log-level", "notice"],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "daemon.log"), "w"))
        samples = []  # (t, rss_kb, fds)
        started = time.monotonic()
        next_restart = started + args.restart_every
        restarts = 0
        while daemon.poll() is None:
            now = time.monotonic()
            try:
                with open(f"/proc/{daemon.pid}/status") as f:
                    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
                fds = len(os.listdir(f"/proc/{daemon.pid}/fd"))
                samples.append((now - started, rss, fds))
            except (FileNotFoundError, ProcessLookupError, StopIteration):
                pass
            if now >= next_restart and now - started < args.minutes * 60 - 2 * args.down_for:
                restarts += 1
                broker.stop(kill=restarts % 3 == 0)
                time.sleep(args.down_for)
                broker.start()
                next_restart = time.monotonic() + args.restart_every
            time.sleep(2)
        code = daemon.returncode
        if code != 0:
            failures.append(f"the daemon exited {code}")
        # Give the subscriber time to take the last history, then stop it.
        time.sleep(5)
        subscriber.terminate()
        subscriber.wait(10)
        received.close()
        broker.stop()
        if os.path.exists(state):
            os.unlink(state)

        # Memory and descriptors.
        n = len(samples)
        if n < 8:
            failures.append(f"only {n} samples")
        else:
            second = [s[1] for s in samples[n // 4: n // 2]]
            last = [s[1] for s in samples[3 * n // 4:]]
            rss_before, rss_after = statistics.median(second), statistics.median(last)
            if rss_after > rss_before * 1.10 and rss_after - rss_before > 3 * 1024:
                failures.append(f"RSS grew from {rss_before / 1024:.1f} MB to {rss_after / 1024:.1f} MB")
            fd_before = max(s[2] for s in samples[n // 4: n // 2])
            fd_after = max(s[2] for s in samples[3 * n // 4:])
            if fd_after > fd_before + 4:
                failures.append(f"file descriptors grew from {fd_before} to {fd_after}")

        # Nothing lost.
        with sqlite3.connect(outbox) as db:
            left = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
            highest = max(db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0],
                          (db.execute("SELECT value FROM meta WHERE key = 'last_seq'").fetchone() or [0])[0])
            dropped = (db.execute("SELECT value FROM meta WHERE key = 'dropped'").fetchone() or [0])[0]
        seqs = set()
        with open(os.path.join(directory, "received.txt"), errors="replace") as f:
            for line in f:
                topic, _, payload = line.rstrip("\n").partition(" ")
                if payload.startswith("{"):
                    try:
                        seq = json.loads(payload).get("seq")
                    except json.JSONDecodeError:
                        continue
                    if isinstance(seq, int):
                        seqs.add(seq)
        missing = [s for s in range(1, highest + 1) if s not in seqs]
        if left:
            failures.append(f"{left} messages still in the outbox")
        if dropped:
            failures.append(f"the outbox bounds dropped {dropped} messages")
        if missing:
            failures.append(f"{len(missing)} of {highest} sequence numbers never arrived (first: {missing[:10]})")
        with open(os.path.join(directory, "daemon.log")) as f:
            log = f.read()

        rss = [s[1] / 1024 for s in samples]
        fds = [s[2] for s in samples]
        report = {"simulated_hours": 72, "real_minutes": round((time.monotonic() - started) / 60, 1), "speed": round(speed),
                  "broker_restarts": restarts, "messages": highest, "received_distinct": len(seqs), "missing": len(missing),
                  "rss_mb_min_median_max": [round(min(rss), 1), round(statistics.median(rss), 1), round(max(rss), 1)] if rss else None,
                  "fds_min_max": [min(fds), max(fds)] if fds else None, "daemon_exit": code,
                  "warnings_logged": log.count("<4>"), "errors_logged": log.count("<3>") + log.count("<2>"),
                  "failures": failures}
        print(json.dumps(report, indent=2))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
