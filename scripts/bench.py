#!/usr/bin/env python3
"""`make bench`: VenueGuard's footprint, measured on this machine.

Runs the release `venueguard` on simulated hardware (Config/bench: 8 sensors sampled once a
second, the lightning detector, MQTT to a real local mosquitto with the SQLite outbox) and
reports, as medians of --runs runs:

  accelerated  a simulated day at 1440x: CPU seconds per simulated hour, peak RSS, time to READY=1
  real time    --realtime-seconds at 1x: CPU % of one core, bytes written to storage per hour
               (the SD-card wear; /proc/PID/io write_bytes, counted when pages are dirtied)
  backlog      a simulated day with the broker down, then the broker back: the replay rate
  irq          venueguard-bench: lightning IRQ edge to buzzer line, median and p99
  baseline     scripts/bench_baseline.py, the same sampling, storing and publishing in Python,
               --baseline-seconds at 1x: CPU %, memory, bytes written per hour

Prints a JSON summary (also written to --out) and the Markdown rows of BENCHMARKS.md's table.
"""
import argparse, json, os, platform, resource, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """A mosquitto on a loopback port. Persistence is off unless asked for (the daemon's outbox
    is what keeps messages; the soak's subscriber session needs it on)."""

    def __init__(self, directory, port, persistence=False):
        self.conf = os.path.join(directory, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n")
            f.write(f"persistence true\npersistence_location {directory}/\nautosave_interval 1\n" if persistence else "persistence false\n")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)

    def stop(self, kill=False):
        if self.process:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(10)
            self.process = None


class Daemon:
    """`venueguard run` with a notify socket, watched through /proc."""

    def __init__(self, binary, directory, config, extra):
        self.notify_path = os.path.join(directory, f"notify-{time.monotonic_ns()}.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notify.settimeout(0.05)
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path, WATCHDOG_USEC="30000000")
        # The state file goes where systemd puts it, on a RAM disk (/run); /dev/shm stands in.
        self.state = os.path.join("/dev/shm", f"vg-bench-state-{os.getpid()}-{time.monotonic_ns()}.json")
        self.started = time.monotonic()
        self.process = subprocess.Popen([binary, "run", "--config", config, "--plain", "--state-file", self.state, "--log-level", "warning"] + extra,
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "daemon.log"), "a"))
        self.ready_after = None
        self.write_bytes = 0
        self.peak_rss_kb = 0

    def poll(self):
        try:
            message = self.notify.recv(4096).decode()
            if "READY=1" in message and self.ready_after is None:
                self.ready_after = time.monotonic() - self.started
        except socket.timeout:
            pass
        try:
            with open(f"/proc/{self.process.pid}/io") as f:
                for line in f:
                    if line.startswith("write_bytes:"):
                        self.write_bytes = int(line.split()[1])
            with open(f"/proc/{self.process.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.peak_rss_kb = int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass

    def backlog(self):
        try:
            with open(self.state) as f:
                return json.load(f).get("mqtt", {}).get("backlog")
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def finish(self, stop=False, timeout=600):
        """Waits for the exit (after SIGTERM if `stop`) and returns the child's resource usage."""
        if stop:
            self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                self.process.kill()
            self.poll()
        self.process.returncode = os.waitstatus_to_exitcode(status)
        for leftover in (self.state, self.state + ".tmp"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        self.notify.close()
        os.unlink(self.notify_path)
        return usage


def cpu_seconds(pid):
    """User plus system CPU time of a running process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_breakdown(pids):
    """Resident memory of running processes from /proc/PID/smaps_rollup, in MB: all resident
    pages (RSS), the proportional share (PSS), and the private dirty pages (what the process
    really costs; the rest is clean file pages, mostly program text, that the kernel can drop
    and read back)."""
    fields = {"Rss:": 0, "Pss:": 0, "Private_Dirty:": 0, "Anonymous:": 0}
    for pid in pids:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] in fields:
                    fields[parts[0]] += int(parts[1])
    return {"rss_mb": fields["Rss:"] / 1024, "pss_mb": fields["Pss:"] / 1024, "private_dirty_mb": fields["Private_Dirty:"] / 1024,
            "anonymous_mb": fields["Anonymous:"] / 1024}


def write_config(directory, port, replay_rate):
    with open(os.path.join(ROOT, "Config/bench/bench.yaml")) as f:
        text = f.read()
    outbox = os.path.join(directory, "outbox.sqlite")
    text = text.replace("@PORT@", str(port)).replace("@OUTBOX@", outbox).replace("@REPLAY@", str(replay_rate))
    text = text.replace("scenario: bench-day.yaml", f"scenario: {os.path.join(ROOT, 'Config/bench/bench-day.yaml')}")
    path = os.path.join(directory, "bench.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path, outbox


def outbox_rows(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM outbox").fetchone()[0]


def accelerated(binary, speed):
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        port = free_port()
        broker = Broker(directory, port)
        broker.start()
        config, _ = write_config(directory, port, 50)
        daemon = Daemon(binary, directory, config, ["--speed", str(speed), "--exit-at-end"])
        usage = daemon.finish()
        broker.stop()
        if daemon.process.returncode != 0:
            raise RuntimeError(f"accelerated run exited {daemon.process.returncode}")
        cpu = usage.ru_utime + usage.ru_stime
        return {"cpu_s_per_sim_hour": cpu / 24, "peak_rss_mb": usage.ru_maxrss / 1024, "ready_s": daemon.ready_after,
                "wall_s": time.monotonic() - daemon.started}


def realtime(binary, seconds):
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        port = free_port()
        broker = Broker(directory, port)
        broker.start()
        config, outbox = write_config(directory, port, 50)
        daemon = Daemon(binary, directory, config, ["--speed", "1"])
        while daemon.ready_after is None and time.monotonic() - daemon.started < 10:
            daemon.poll()
        time.sleep(5)  # past start-up: measure the steady state
        cpu0 = cpu_seconds(daemon.process.pid)
        daemon.poll()
        bytes0, t0 = daemon.write_bytes, time.monotonic()
        while time.monotonic() - t0 < seconds:
            daemon.poll()
        cpu1 = cpu_seconds(daemon.process.pid)
        span = time.monotonic() - t0
        written = daemon.write_bytes - bytes0
        memory = memory_breakdown([daemon.process.pid])
        usage = daemon.finish(stop=True, timeout=20)
        broker.stop()
        return {"cpu_percent_of_one_core": 100 * (cpu1 - cpu0) / span, "bytes_written_per_hour": written * 3600 / span,
                "peak_rss_mb": usage.ru_maxrss / 1024, "ready_s": daemon.ready_after, "outbox_bytes": os.path.getsize(outbox)} | memory


def backlog(binary, speed):
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        port = free_port()
        broker = Broker(directory, port)
        config, outbox = write_config(directory, port, 100000)
        # A day with the broker down: everything stays in the outbox.
        daemon = Daemon(binary, directory, config, ["--speed", str(speed), "--exit-at-end"])
        daemon.finish()
        rows = outbox_rows(outbox)
        size = os.path.getsize(outbox)
        # The broker back, the daemon live at 1x: time until the backlog is gone.
        broker.start()
        daemon = Daemon(binary, directory, config, ["--speed", "1"])
        t0 = None
        while True:
            daemon.poll()
            left = daemon.backlog()
            if left is not None and t0 is None and left > 0:
                t0 = time.monotonic()
            if t0 is not None and left is not None and left < 50:
                break
            if time.monotonic() - daemon.started > 1800:
                raise RuntimeError("backlog not replayed within 30 minutes")
            time.sleep(0.2)
        span = time.monotonic() - t0
        usage = daemon.finish(stop=True, timeout=20)
        broker.stop()
        return {"backlog_messages": rows, "backlog_outbox_bytes": size, "replay_seconds": span, "replay_messages_per_s": rows / span,
                "replay_peak_rss_mb": usage.ru_maxrss / 1024}


def baseline(seconds):
    """scripts/bench_baseline.py doing the same sampling, storing and publishing in Python."""
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        port = free_port()
        broker = Broker(directory, port)
        broker.start()
        script = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/bench_baseline.py"), str(port), str(seconds + 10),
                                   os.path.join(directory, "baseline.sqlite")])
        time.sleep(5)
        children = lambda: [script.pid] + [int(p) for p in open(f"/proc/{script.pid}/task/{script.pid}/children").read().split()]

        def figures():
            cpu, written, hwm = 0.0, 0, 0
            for pid in children():
                cpu += cpu_seconds(pid)
                with open(f"/proc/{pid}/io") as f:
                    written += next(int(l.split()[1]) for l in f if l.startswith("write_bytes:"))
                with open(f"/proc/{pid}/status") as f:
                    hwm += next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
            return cpu, written, hwm

        cpu0, bytes0, _ = figures()
        t0 = time.monotonic()
        time.sleep(seconds)
        cpu1, bytes1, hwm = figures()
        span = time.monotonic() - t0
        memory = memory_breakdown(children())
        script.wait(30)
        broker.stop()
        return {"cpu_percent_of_one_core": 100 * (cpu1 - cpu0) / span, "bytes_written_per_hour": (bytes1 - bytes0) * 3600 / span,
                "peak_rss_mb": hwm / 1024} | memory


def irq(bench_binary, iterations):
    out = subprocess.run([bench_binary, str(iterations)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["irq_to_buzzer_ms"]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/venueguard"))
    parser.add_argument("--bench-binary", default=os.path.join(ROOT, ".build/release/venueguard-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--speed", type=float, default=1440)
    parser.add_argument("--realtime-seconds", type=float, default=120)
    parser.add_argument("--irq-iterations", type=int, default=300)
    parser.add_argument("--skip-backlog", action="store_true")
    parser.add_argument("--baseline-seconds", type=float, default=60)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--baseline-only", action="store_true", help="only the Python comparison (scripts/bench_baseline.py)")
    parser.add_argument("--out", default=os.path.join(ROOT, ".build/bench-result.json"))
    args = parser.parse_args()

    if args.baseline_only:
        results = []
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}: the Python baseline, {args.baseline_seconds:.0f} s …", file=sys.stderr, flush=True)
            results.append(baseline(args.baseline_seconds))
        print(json.dumps({key: median([r[key] for r in results]) for key in results[0]} | {"all_runs": results}, indent=2))
        return

    runs = {"accelerated": [], "realtime": [], "backlog": [], "irq": [], "baseline": []}
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}: accelerated day …", file=sys.stderr, flush=True)
        runs["accelerated"].append(accelerated(args.binary, args.speed))
        print(f"run {run + 1}/{args.runs}: {args.realtime_seconds:.0f} s in real time …", file=sys.stderr, flush=True)
        runs["realtime"].append(realtime(args.binary, args.realtime_seconds))
        print(f"run {run + 1}/{args.runs}: IRQ to buzzer ×{args.irq_iterations} …", file=sys.stderr, flush=True)
        runs["irq"].append(irq(args.bench_binary, args.irq_iterations))
        if not args.skip_backlog:
            print(f"run {run + 1}/{args.runs}: 24 h backlog …", file=sys.stderr, flush=True)
            runs["backlog"].append(backlog(args.binary, args.speed))
        if not args.skip_baseline:
            print(f"run {run + 1}/{args.runs}: the Python baseline, {args.baseline_seconds:.0f} s …", file=sys.stderr, flush=True)
            runs["baseline"].append(baseline(args.baseline_seconds))

    def m(kind, key):
        return median([r[key] for r in runs[kind]])

    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    summary = {
        "machine": f"{cpu_model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "runs": args.runs,
        "cpu_s_per_sim_hour": m("accelerated", "cpu_s_per_sim_hour"),
        "cpu_percent_of_one_core_at_1hz": m("realtime", "cpu_percent_of_one_core"),
        "peak_rss_mb_1hz": m("realtime", "peak_rss_mb"),
        "private_dirty_mb_1hz": m("realtime", "private_dirty_mb"),
        "pss_mb_1hz": m("realtime", "pss_mb"),
        "peak_rss_mb_accelerated": m("accelerated", "peak_rss_mb"),
        "ready_s": median([r["ready_s"] for kind in ("accelerated", "realtime") for r in runs[kind]]),
        "bytes_written_per_hour": m("realtime", "bytes_written_per_hour"),
        "irq_to_buzzer_median_ms": median([r["median"] for r in runs["irq"]]),
        "irq_to_buzzer_p99_ms": median([r["p99"] for r in runs["irq"]]),
        "backlog_messages": m("backlog", "backlog_messages") if runs["backlog"] else None,
        "replay_messages_per_s": m("backlog", "replay_messages_per_s") if runs["backlog"] else None,
        "baseline": {key: m("baseline", key) for key in runs["baseline"][0]} if runs["baseline"] else None,
        "all_runs": runs,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps({k: v for k, v in summary.items() if k != "all_runs"}, indent=2))
    print(markdown(summary))


def markdown(summary):
    """The rows of BENCHMARKS.md's results table."""
    def f(value, digits):
        return "n/a" if value is None else f"{value:.{digits}f}"
    base = summary["baseline"] or {}
    rows = [
        ("CPU, 1 Hz real time (% of one core)", f(summary["cpu_percent_of_one_core_at_1hz"], 2), f(base.get("cpu_percent_of_one_core"), 2)),
        ("CPU per simulated hour, day at 1440x (s)", f(summary["cpu_s_per_sim_hour"], 2), "n/a"),
        ("Peak RSS, 1 Hz (MB)", f(summary["peak_rss_mb_1hz"], 1), f(base.get("peak_rss_mb"), 1)),
        ("  of which private dirty (MB)", f(summary["private_dirty_mb_1hz"], 1), f(base.get("private_dirty_mb"), 1)),
        ("  PSS (MB)", f(summary["pss_mb_1hz"], 1), f(base.get("pss_mb"), 1)),
        ("Peak RSS, day at 1440x (MB)", f(summary["peak_rss_mb_accelerated"], 1), "n/a"),
        ("Bytes written per hour (MB)", f(summary["bytes_written_per_hour"] / 1e6, 1), f(base.get("bytes_written_per_hour", 0) / 1e6, 1) if base else "n/a"),
        ("Start to READY=1 (s)", f(summary["ready_s"], 3), "n/a"),
        ("IRQ edge to buzzer, median / p99 (ms)", f"{f(summary['irq_to_buzzer_median_ms'], 2)} / {f(summary['irq_to_buzzer_p99_ms'], 2)}", "n/a"),
        ("24 h backlog replayed (messages/s)", f(summary["replay_messages_per_s"], 0), "n/a"),
    ]
    lines = ["| Figure | VenueGuard | Python baseline |", "|---|---|---|"]
    lines += [f"| {name} | {ours} | {theirs} |" for name, ours, theirs in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
