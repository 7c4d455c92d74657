#!/usr/bin/env python3
"""`make soak`: three simulated days in --minutes of real time, with every kind of sensor fault
(scenario Config/bench/soak-days.yaml, the children's serial board unplugged three times at
the value level), the broker restarted every --restart-every seconds (gracefully, and every
third time killed).

Beside it, in real time, a second daemon on the Linux backend reads a child's board through
a real pseudo-terminal that this script unplugs (closes, and removes the port's name) every
--unplug-every seconds and plugs back in after --unplugged-for, as a USB cable pulled out
would; that daemon publishes to the same broker.

At the end it checks, for both daemons:

  - memory stays flat: the median RSS of the last quarter is within 10 % (and 3 MB) of the
    second quarter's (the first quarter is warm-up);
  - file descriptors stay flat: at most 4 more at the end than after warm-up;
  - nothing is lost: a subscriber with a persistent session (QoS 1, broker persistence on)
    received every sequence number the daemon handed out, live or from the history replay,
    and the outbox is empty at the end;
  - the daemon exits 0 (the simulated one at the end of its days, the board one on SIGTERM);
  - every unplug was noticed (the board no longer `ok` when plugged back in), and the board
    came back after every replug: its readings were `ok` again within 10 s.

Exit status 0 when every check passes.
"""
import argparse, json, os, pty, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, threading, time, tty

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench  # noqa: E402  (Broker, free_port, write_config)


class Board:
    """A child's board on a pseudo-terminal: `temp=…,hum=…` once a second while plugged in."""

    def __init__(self, link):
        self.link = link
        self.lock = threading.Lock()
        self.master = self.slave = None
        self.written = 0
        self.stopped = threading.Event()
        threading.Thread(target=self.feed, daemon=True).start()

    def plug(self):
        with self.lock:
            self.master, self.slave = pty.openpty()
            tty.setraw(self.slave)
            os.symlink(os.ttyname(self.slave), self.link)

    def unplug(self):
        with self.lock:
            os.unlink(self.link)
            os.close(self.master)
            os.close(self.slave)
            self.master = self.slave = None

    def feed(self):
        n = 0
        while not self.stopped.wait(1.0):
            n += 1
            with self.lock:
                if self.master is None:
                    continue
                try:
                    os.write(self.master, f"temp={27 + (n % 20) / 10:.1f},hum={55 + n % 10}\r\n".encode())
                    self.written += 1
                except OSError:
                    pass  # the daemon is between opens; the kernel buffer is full


class Watched:
    """RSS and descriptor samples of a running process."""

    def __init__(self, process):
        self.process = process
        self.samples = []  # (t, rss_kb, fds)

    def sample(self, t):
        try:
            with open(f"/proc/{self.process.pid}/status") as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{self.process.pid}/fd"))
            if rss >= 1024:  # not the instant between fork and exec
                self.samples.append((t, rss, fds))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            pass

    def flat(self, name, failures):
        samples = self.samples
        n = len(samples)
        if n < 8:
            failures.append(f"{name}: only {n} samples")
            return
        second = [s[1] for s in samples[n // 4: n // 2]]
        last = [s[1] for s in samples[3 * n // 4:]]
        rss_before, rss_after = statistics.median(second), statistics.median(last)
        if rss_after > rss_before * 1.10 and rss_after - rss_before > 3 * 1024:
            failures.append(f"{name}: RSS grew from {rss_before / 1024:.1f} MB to {rss_after / 1024:.1f} MB")
        fd_before = max(s[2] for s in samples[n // 4: n // 2])
        fd_after = max(s[2] for s in samples[3 * n // 4:])
        if fd_after > fd_before + 4:
            failures.append(f"{name}: file descriptors grew from {fd_before} to {fd_after}")

    def summary(self):
        rss = [s[1] / 1024 for s in self.samples]
        fds = [s[2] for s in self.samples]
        return {"rss_mb_min_median_max": [round(min(rss), 1), round(statistics.median(rss), 1), round(max(rss), 1)] if rss else None,
                "fds_min_max": [min(fds), max(fds)] if fds else None}


def nothing_lost(name, outbox, seqs, failures):
    """Every sequence number the daemon handed out arrived, and its outbox is empty."""
    with sqlite3.connect(outbox) as db:
        left = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        kept = {row[0] for row in db.execute("SELECT seq FROM outbox")}
        highest = max(db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0],
                      (db.execute("SELECT value FROM meta WHERE key = 'last_seq'").fetchone() or [0])[0])
        dropped = (db.execute("SELECT value FROM meta WHERE key = 'dropped'").fetchone() or [0])[0]
    missing = [s for s in range(1, highest + 1) if s not in seqs]
    lost = [s for s in missing if s not in kept]
    if left:
        failures.append(f"{name}: {left} messages still in the outbox at the end: kept, but not delivered in time "
                        "(a run too fast for this machine? try more --minutes)")
    if dropped:
        failures.append(f"{name}: the outbox bounds dropped {dropped} messages")
    if lost:
        failures.append(f"{name}: {len(lost)} of {highest} sequence numbers lost: neither received nor kept (first: {lost[:10]})")
    return highest, len(missing)


def board_quality(state):
    try:
        with open(state) as f:
            document = json.load(f)
        return next((s.get("quality") for s in document.get("sensors", []) if s.get("sensor") == "board"), None)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


BOARD_CONFIG = """
site: {{ id: soak-board, name: Soak board, latitude: 35.68, longitude: 139.77 }}
hardware: linux
mqtt:
  host: 127.0.0.1
  port: {port}
  outbox: {{ path: "{outbox}", replay_rate: 2000 }}
areas:
  - {{ id: desk, name: Desk, exposure: indoor, sensors: [board] }}
sensors:
  - {{ id: board, kind: serial, port: "{link}", format: auto, keys: {{ temp: air_temperature, hum: humidity }}, trust: authoritative, period: 1s }}
signal:
  outputs: terminal
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/venueguard"))
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--restart-every", type=float, default=90)
    parser.add_argument("--down-for", type=float, default=15)
    parser.add_argument("--unplug-every", type=float, default=45)
    parser.add_argument("--unplugged-for", type=float, default=8)
    args = parser.parse_args()

    duration = 72 * 3600
    speed = duration / (args.minutes * 60)
    failures = []
    with tempfile.TemporaryDirectory(prefix="vg-soak-") as directory:
        port = bench.free_port()
        broker = bench.Broker(directory, port, persistence=True)
        broker.start()
        config, outbox = bench.write_config(directory, port, 2000)
        with open(config) as f:
            text = f.read()
        text = text.replace("period: 1s", "period: 10s").replace("bench-day.yaml", "soak-days.yaml").replace("id: bench", "id: soak")
        with open(config, "w") as f:
            f.write(text)
        board_config, board_outbox = os.path.join(directory, "board.yaml"), os.path.join(directory, "board-outbox.sqlite")
        link = os.path.join(directory, "ttyACM-soak")
        with open(board_config, "w") as f:
            f.write(BOARD_CONFIG.format(port=port, outbox=board_outbox, link=link))
        received = open(os.path.join(directory, "received.txt"), "w")
        subscriber = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "venueguard/soak/#",
                                       "-t", "venueguard/soak-board/#", "-q", "1", "-c", "-i", "soak-subscriber", "-v"],
                                      stdout=received, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        state = os.path.join("/dev/shm", f"vg-soak-state-{os.getpid()}.json")
        board_state = os.path.join("/dev/shm", f"vg-soak-board-state-{os.getpid()}.json")
        daemon = subprocess.Popen([args.binary, "run", "--config", config, "--plain", "--speed", f"{speed:.3f}", "--exit-at-end",
                                   "--state-file", state, "--log-level", "notice"],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "daemon.log"), "w"))
        board = Board(link)
        board.plug()
        board_daemon = subprocess.Popen([args.binary, "run", "--config", board_config, "--plain", "--state-file", board_state,
                                         "--log-level", "notice"],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "board-daemon.log"), "w"))
        watched, board_watched = Watched(daemon), Watched(board_daemon)
        started = time.monotonic()
        next_restart = started + args.restart_every
        next_unplug, replugged_at, unplugs, unnoticed, slow_recoveries, recovery_times = started + args.unplug_every, None, 0, 0, 0, []
        broker_down_until = None
        restarts = 0
        while daemon.poll() is None:
            now = time.monotonic()
            watched.sample(now - started)
            board_watched.sample(now - started)
            if broker_down_until is None and now >= next_restart and now - started < args.minutes * 60 - 2 * args.down_for:
                restarts += 1
                broker.stop(kill=restarts % 3 == 0)
                broker_down_until = now + args.down_for
            elif broker_down_until is not None and now >= broker_down_until:
                broker.start()
                broker_down_until = None
                next_restart = time.monotonic() + args.restart_every
            if now >= next_unplug:
                unplugs += 1
                board.unplug()
                time.sleep(args.unplugged_for)
                # The daemon noticed: the board is faulted (or stale), not still `ok`.
                if board_quality(board_state) == "ok":
                    unnoticed += 1
                board.plug()
                replugged_at = time.monotonic()
                next_unplug = replugged_at + args.unplug_every
            if replugged_at is not None:
                # Fresh readings again (the state file is rewritten once a second).
                if board_quality(board_state) == "ok":
                    recovery_times.append(time.monotonic() - replugged_at)
                    replugged_at = None
                elif time.monotonic() - replugged_at > 10:
                    slow_recoveries += 1
                    replugged_at = None
            time.sleep(0.2 if replugged_at is not None else 2)
        if broker_down_until is not None:
            broker.start()
        code = daemon.returncode
        if code != 0:
            failures.append(f"the simulated daemon exited {code}")
        time.sleep(5)  # the board daemon replays what it kept while the broker was away
        board_daemon.send_signal(signal.SIGTERM)
        try:
            board_code = board_daemon.wait(10)
        except subprocess.TimeoutExpired:
            board_daemon.kill()
            board_code = "killed after 10 s"
        if board_code != 0:
            failures.append(f"the board daemon exited {board_code} on SIGTERM")
        board.stopped.set()
        # Give the subscriber time to take the last history, then stop it.
        time.sleep(5)
        subscriber.terminate()
        subscriber.wait(10)
        received.close()
        broker.stop()
        for path in (state, board_state):
            if os.path.exists(path):
                os.unlink(path)

        watched.flat("simulated daemon", failures)
        board_watched.flat("board daemon", failures)
        if unnoticed:
            failures.append(f"the board still read `ok` after {unnoticed} of {unplugs} unplugs of {args.unplugged_for:.0f} s")
        if slow_recoveries:
            failures.append(f"the board was not read again within 10 s of {slow_recoveries} of {unplugs} replugs")

        seqs = {"soak": set(), "soak-board": set()}
        with open(os.path.join(directory, "received.txt"), errors="replace") as f:
            for line in f:
                topic, _, payload = line.rstrip("\n").partition(" ")
                site = topic.split("/")[1] if topic.count("/") >= 1 else None
                if site in seqs and payload.startswith("{"):
                    try:
                        seq = json.loads(payload).get("seq")
                    except json.JSONDecodeError:
                        continue
                    if isinstance(seq, int):
                        seqs[site].add(seq)
        messages, missing = nothing_lost("simulated daemon", outbox, seqs["soak"], failures)
        board_messages, board_missing = nothing_lost("board daemon", board_outbox, seqs["soak-board"], failures)
        with open(os.path.join(directory, "daemon.log")) as f:
            log = f.read()
        with open(os.path.join(directory, "board-daemon.log")) as f:
            board_log = f.read()

        report = {"simulated_hours": 72, "real_minutes": round((time.monotonic() - started) / 60, 1), "speed": round(speed),
                  "broker_restarts": restarts,
                  "simulated": {"messages": messages, "received_distinct": len(seqs["soak"]), "missing": missing, "daemon_exit": code,
                                "warnings_logged": log.count("<4>"), "errors_logged": log.count("<3>") + log.count("<2>")}
                  | watched.summary(),
                  "board": {"unplugs": unplugs, "lines_written": board.written, "messages": board_messages,
                            "received_distinct": len(seqs["soak-board"]), "missing": board_missing, "daemon_exit": board_code,
                            "recovery_s_median_max": [round(statistics.median(recovery_times), 1), round(max(recovery_times), 1)]
                            if recovery_times else None,
                            "warnings_logged": board_log.count("<4>"), "errors_logged": board_log.count("<3>") + board_log.count("<2>")}
                  | board_watched.summary(),
                  "failures": failures}
        print(json.dumps(report, indent=2))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
