#!/usr/bin/env python3
"""`make bench`: VenueGuard's footprint, measured on this machine, beside a Python loop doing
the same job in the same invocation.

Runs the release `venueguard` on simulated hardware (Config/bench: 8 sensors sampled once a
second, the lightning detector, MQTT to a real local mosquitto with the SQLite outbox, the
state file on /dev/shm) and reports, as medians of --runs runs:

  accelerated  a simulated day at 1440x: CPU seconds per simulated hour, peak RSS, time to READY=1
  real time    --realtime-seconds at 1x: CPU % of one core, wake-ups (context switches) per
               second over all threads, bytes written to storage per hour (the SD-card wear;
               /proc/PID/io write_bytes, counted when pages are dirtied), memory; then
               --strace-seconds under strace for fsyncs per second
  durable      the same with `commit_window: 0` (every reading durable at once, as the Python
               loop does), so the cost of the window is visible
  backlog      a simulated day with the broker down, then the broker back: the replay rate
  irq          venueguard-bench: lightning IRQ edge to buzzer line, median and p99
  baseline     scripts/bench_baseline.py, the Python paho-mqtt + sqlite3 loop, measured the
               same way as "real time"

With --instructions, instead: both run under valgrind's callgrind at 1x and the figure is
instructions per second of steady state (counters zeroed after the warm-up), stable on a noisy
machine. valgrind 3.19 cannot read the release binary's DWARF 5, so a copy made with
`objcopy --strip-debug` runs; libdispatch passes a read-only signal set to rt_sigsuspend,
which valgrind writes into, so scripts/bench/sigsuspend-copy.c is preloaded.

Prints a JSON summary (also written to --out) with the ratios to the baseline, and the
Markdown rows of BENCHMARKS.md's table.
"""
import argparse, glob, json, os, platform, re, shutil, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, time

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


class Switches:
    """Context switches (voluntary and not) summed over every thread of some processes: how
    often they woke. Threads are sampled on every `sample()`, so a thread that ends between
    two samples loses at most its last interval."""

    def __init__(self, pids):
        self.pids = pids
        self.seen = {}

    def sample(self):
        for pid in self.pids():
            for status in glob.glob(f"/proc/{pid}/task/*/status"):
                try:
                    with open(status) as f:
                        text = f.read()
                except (FileNotFoundError, ProcessLookupError):
                    continue
                count = sum(int(n) for n in re.findall(r"^(?:non)?voluntary_ctxt_switches:\s+(\d+)", text, re.M))
                self.seen[status] = count

    def total(self):
        return sum(self.seen.values())


def fsyncs_per_second(pids, seconds):
    """fsync/fdatasync/msync calls per second of the processes, counted by strace for `seconds`
    (strace slows the process down; this window is separate from the CPU figures)."""
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile(prefix="vg-bench-strace-", suffix=".txt") as out:
        command = ["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync,msync,sync_file_range", "-o", out.name]
        for pid in pids:
            command += ["-p", str(pid)]
        tracer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        tracer.send_signal(signal.SIGINT)
        tracer.wait(10)
        with open(out.name) as f:
            calls = sum(1 for line in f if re.search(r"\b(fsync|fdatasync|msync|sync_file_range)\(", line))
    return calls / seconds


def python_with_paho():
    """An interpreter that has paho-mqtt: this one, or Debian's (python3-paho-mqtt)."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        if candidate and subprocess.run([candidate, "-c", "import paho.mqtt.client"], capture_output=True).returncode == 0:
            return candidate
    raise RuntimeError("the Python baseline needs paho-mqtt: apt-get install python3-paho-mqtt (scripts/setup.sh --bench)")


# Seconds between start and the steady-state window, the same for VenueGuard and the Python loop.
WARM_UP_S = 40


def steady_state(pids, seconds, poll=lambda: None):
    """CPU, wake-ups and storage writes of `pids()` over `seconds` of steady state."""
    def totals():
        cpu, written = 0.0, 0
        for pid in pids():
            cpu += cpu_seconds(pid)
            with open(f"/proc/{pid}/io") as f:
                written += next(int(l.split()[1]) for l in f if l.startswith("write_bytes:"))
        return cpu, written

    switches = Switches(pids)
    switches.sample()
    before = switches.total()
    cpu0, bytes0 = totals()
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        poll()
        switches.sample()
        time.sleep(0.2)
    cpu1, bytes1 = totals()
    switches.sample()
    span = time.monotonic() - t0
    return {"cpu_percent_of_one_core": 100 * (cpu1 - cpu0) / span, "wakeups_per_s": (switches.total() - before) / span,
            "bytes_written_per_hour": (bytes1 - bytes0) * 3600 / span}


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
            "anonymous_mb": fields["Anonymous:"] / 1024, "rss_by_file_mb": rss_by_file(pids)}


def rss_by_file(pids):
    """RSS per mapped file (the program, each shared library) and for anonymous memory, in MB,
    from /proc/PID/smaps: what each dependency costs in resident pages."""
    by_file = {}
    for pid in pids:
        name = None
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                parts = line.split()
                if parts and "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
                    path = parts[5] if len(parts) > 5 else ""
                    name = os.path.basename(path) if path.startswith("/") else (path or "[anonymous]")
                elif parts and parts[0] == "Rss:" and name is not None:
                    by_file[name] = by_file.get(name, 0) + int(parts[1]) / 1024
    return dict(sorted(((k, round(v, 2)) for k, v in by_file.items() if v >= 0.05), key=lambda kv: -kv[1]))


def write_config(directory, port, replay_rate, commit_window=None, variant="venue"):
    """The bench venue's configuration. `variant` (for --floor): "venue" as it is; "no-mqtt"
    without the mqtt section (no broker, no outbox, no publisher); "idle" also without MQTT and
    with every sensor read every 10 s instead of every second (the engine still evaluates and
    the lamps still draw once a second)."""
    with open(os.path.join(ROOT, "Config/bench/bench.yaml")) as f:
        text = f.read()
    if variant in ("no-mqtt", "idle"):
        text, count = re.subn(r"^mqtt:\n(?:  .*\n)+", "", text, flags=re.M)
        assert count == 1, "bench.yaml's mqtt section not found"
    if variant == "idle":
        text = text.replace("period: 1s", "period: 10s")
    outbox = os.path.join(directory, "outbox.sqlite")
    text = text.replace("@PORT@", str(port)).replace("@OUTBOX@", outbox).replace("@REPLAY@", str(replay_rate))
    if commit_window is not None:
        text = text.replace("replay_rate:", f"commit_window: {commit_window}, replay_rate:")
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


def realtime(binary, seconds, strace_seconds, commit_window=None, variant="venue"):
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        port = free_port()
        broker = Broker(directory, port)
        broker.start()
        config, outbox = write_config(directory, port, 50, commit_window, variant)
        daemon = Daemon(binary, directory, config, ["--speed", "1"])
        while daemon.ready_after is None and time.monotonic() - daemon.started < 10:
            daemon.poll()
        # Past start-up, including the first bulk removal of the start-up messages 30 s in, so
        # that the figures are the steady state; what start-up wrote is reported on its own.
        time.sleep(WARM_UP_S)
        with open(f"/proc/{daemon.process.pid}/io") as f:
            startup_written = next(int(l.split()[1]) for l in f if l.startswith("write_bytes:"))
        figures = steady_state(lambda: [daemon.process.pid], seconds, daemon.poll)
        memory = memory_breakdown([daemon.process.pid])
        fsyncs = fsyncs_per_second([daemon.process.pid], strace_seconds) if strace_seconds > 0 else None
        usage = daemon.finish(stop=True, timeout=20)
        broker.stop()
        return figures | {"fsyncs_per_s": fsyncs, "peak_rss_mb": usage.ru_maxrss / 1024, "ready_s": daemon.ready_after,
                          "startup_written_kb": startup_written / 1024,
                          "outbox_bytes": os.path.getsize(outbox) if os.path.exists(outbox) else 0} | memory


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


def baseline(seconds, strace_seconds):
    """scripts/bench_baseline.py doing the same sampling, storing and publishing in Python."""
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        port = free_port()
        broker = Broker(directory, port)
        broker.start()
        script = subprocess.Popen([python_with_paho(), os.path.join(ROOT, "scripts/bench_baseline.py"), str(port),
                                   str(WARM_UP_S + seconds + strace_seconds + 15), os.path.join(directory, "baseline.sqlite")])
        time.sleep(WARM_UP_S)
        figures = steady_state(lambda: [script.pid], seconds)
        memory = memory_breakdown([script.pid])
        with open(f"/proc/{script.pid}/status") as f:
            hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
        fsyncs = fsyncs_per_second([script.pid], strace_seconds) if strace_seconds > 0 else None
        script.wait(60)
        broker.stop()
        return figures | {"fsyncs_per_s": fsyncs, "peak_rss_mb": hwm / 1024} | memory


def irq(bench_binary, iterations):
    out = subprocess.run([bench_binary, str(iterations)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["irq_to_buzzer_ms"]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def callgrind(command, directory, seconds, warmup, env=None):
    """Instructions per second of `command` under callgrind: instrumentation switched on after
    `warmup` seconds (start-up is not the steady state), the process stopped after `seconds`
    more. Returns (instructions per second, the profile's path)."""
    out = os.path.join(directory, "callgrind.out")
    process = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"] + command,
                               env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "valgrind.log"), "w"))
    time.sleep(warmup)
    subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True, capture_output=True)
    t0 = time.monotonic()
    time.sleep(seconds)
    process.send_signal(signal.SIGTERM)
    process.wait(120)
    span = time.monotonic() - t0
    with open(out) as f:
        total = next(int(line.split()[1]) for line in f if line.startswith("summary:"))
    return total / span, out


def instructions(binary, seconds, warmup):
    """--instructions: VenueGuard (default commit window) and the Python loop under callgrind."""
    for tool in ("valgrind", "callgrind_control", "objcopy", "cc"):
        if not shutil.which(tool):
            raise RuntimeError(f"--instructions needs {tool} (scripts/setup.sh --bench installs valgrind and binutils)")
    kept = os.path.join(ROOT, ".build/bench-callgrind")
    os.makedirs(kept, exist_ok=True)
    result = {}
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as directory:
        # valgrind 3.19 cannot read the release binary's DWARF 5 debug info: a copy without it.
        stripped = os.path.join(directory, "venueguard")
        subprocess.run(["objcopy", "--strip-debug", binary, stripped], check=True)
        shim = os.path.join(directory, "sigsuspend-copy.so")
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", shim, os.path.join(ROOT, "scripts/bench/sigsuspend-copy.c"), "-ldl"], check=True)
        port = free_port()
        broker = Broker(directory, port)
        broker.start()
        config, _ = write_config(directory, port, 50)
        state = os.path.join("/dev/shm", f"vg-bench-state-{os.getpid()}.json")
        rate, profile = callgrind([stripped, "run", "--config", config, "--plain", "--state-file", state, "--log-level", "warning", "--speed", "1"],
                                  directory, seconds, warmup, env=dict(os.environ, LD_PRELOAD=shim))
        shutil.copy(profile, os.path.join(kept, "venueguard.callgrind"))
        result["venueguard_instructions_per_s"] = rate
        for leftover in (state, state + ".tmp"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        python = python_with_paho()
        rate, profile = callgrind([python, os.path.join(ROOT, "scripts/bench_baseline.py"), str(port), str(warmup + seconds + 60),
                                   os.path.join(directory, "baseline.sqlite")], directory, seconds, warmup)
        shutil.copy(profile, os.path.join(kept, "baseline.callgrind"))
        result["baseline_instructions_per_s"] = rate
        broker.stop()
    result["ratio"] = result["venueguard_instructions_per_s"] / result["baseline_instructions_per_s"]
    return result


def floor(args):
    """--floor: where the daemon's CPU goes at 1x, by taking parts away. The difference between
    the venue and "no-mqtt" is what publishing costs (payloads, outbox, libmosquitto, the
    broker's loopback traffic charged to us); "idle" is what is left when sensors are read
    every 10 s: the once-a-second evaluation and frame, the heartbeats, libdispatch's own
    timers. The footprint target (a fifth of the Python loop) is printed beside them in ms/s."""
    variants = ("venue", "no-mqtt", "idle")
    results = {variant: [] for variant in variants + ("baseline",)}
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}: the Python loop, {args.baseline_seconds:.0f} s …", file=sys.stderr, flush=True)
        results["baseline"].append(baseline(args.baseline_seconds, 0))
        for variant in variants:
            print(f"run {run + 1}/{args.runs}: {variant}, {args.realtime_seconds:.0f} s …", file=sys.stderr, flush=True)
            results[variant].append(realtime(args.binary, args.realtime_seconds, 0, variant=variant))
    summary = {kind: {key: median([r[key] for r in runs]) for key in ("cpu_percent_of_one_core", "wakeups_per_s")}
               for kind, runs in results.items()}
    target = summary["baseline"]["cpu_percent_of_one_core"] * 0.2
    summary["target_cpu_percent_of_one_core"] = target
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out.replace(".json", "-floor.json"), "w") as f:
        json.dump(summary | {"all_runs": results}, f, indent=2)
    print(json.dumps(summary, indent=2))
    print("| Run at 1x | CPU (ms per s) | wake-ups per s |\n|---|---|---|")
    for kind in variants + ("baseline",):
        print(f"| {kind} | {summary[kind]['cpu_percent_of_one_core'] * 10:.3f} | {summary[kind]['wakeups_per_s']:.1f} |")
    print(f"| target: a fifth of the Python loop | {target * 10:.3f} | |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/venueguard"))
    parser.add_argument("--bench-binary", default=os.path.join(ROOT, ".build/release/venueguard-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--speed", type=float, default=1440)
    parser.add_argument("--realtime-seconds", type=float, default=90)
    parser.add_argument("--strace-seconds", type=float, default=15, help="the window in which fsyncs are counted (0: skip)")
    parser.add_argument("--irq-iterations", type=int, default=300)
    parser.add_argument("--baseline-seconds", type=float, default=90)
    parser.add_argument("--parts", default="accelerated,realtime,durable,irq,backlog,baseline",
                        help="which parts to run, comma-separated")
    parser.add_argument("--instructions", action="store_true", help="only the callgrind comparison (instructions per second)")
    parser.add_argument("--instructions-seconds", type=float, default=60)
    parser.add_argument("--floor", action="store_true",
                        help="only the CPU breakdown: the venue, the venue without MQTT, and idle (no MQTT, sensors every 10 s), beside the Python loop")
    parser.add_argument("--out", default=os.path.join(ROOT, ".build/bench-result.json"))
    args = parser.parse_args()

    if args.floor:
        floor(args)
        return

    if args.instructions:
        results = []
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}: callgrind, {args.instructions_seconds:.0f} s each …", file=sys.stderr, flush=True)
            results.append(instructions(args.binary, args.instructions_seconds, WARM_UP_S))
        summary = {key: median([r[key] for r in results]) for key in results[0]} | {"all_runs": results}
        print(json.dumps(summary, indent=2))
        print(f"| Instructions per second, 1 Hz (callgrind) | {summary['venueguard_instructions_per_s'] / 1e6:.2f} M | "
              f"{summary['baseline_instructions_per_s'] / 1e6:.2f} M | {summary['ratio']:.3f} |")
        return

    # The daemon hands back, 30 s after start, the file pages that only it maps
    # (StartupPages): a library another process maps too (libstdc++ by a test run, apt, a
    # compiler) stays resident and adds about 1.3 MB to the RSS measured. Say so.
    sharing = []
    for maps in glob.glob("/proc/[0-9]*/maps"):
        pid = maps.split("/")[2]
        try:
            if pid != str(os.getpid()) and "libstdc++" in open(maps).read():
                sharing.append(f"{pid} {open(f'/proc/{pid}/cmdline').read().replace(chr(0), ' ')[:80]}")
        except OSError:
            pass
    if sharing:
        print("bench: warning: other processes map libstdc++, so the daemon's RSS will read about 1.3 MB high:\n  "
              + "\n  ".join(sharing), file=sys.stderr, flush=True)

    parts = set(args.parts.split(","))
    runs = {"accelerated": [], "realtime": [], "durable": [], "backlog": [], "irq": [], "baseline": []}
    for run in range(args.runs):
        label = f"run {run + 1}/{args.runs}:"
        # The Python loop and VenueGuard alternate within each run, so drift on the machine hits both.
        if "baseline" in parts:
            print(f"{label} the Python loop, {args.baseline_seconds:.0f} s …", file=sys.stderr, flush=True)
            runs["baseline"].append(baseline(args.baseline_seconds, args.strace_seconds))
        if "realtime" in parts:
            print(f"{label} {args.realtime_seconds:.0f} s in real time …", file=sys.stderr, flush=True)
            runs["realtime"].append(realtime(args.binary, args.realtime_seconds, args.strace_seconds))
        if "durable" in parts:
            print(f"{label} {args.realtime_seconds:.0f} s in real time, commit_window 0 …", file=sys.stderr, flush=True)
            runs["durable"].append(realtime(args.binary, args.realtime_seconds, args.strace_seconds, commit_window=0))
        if "accelerated" in parts:
            print(f"{label} accelerated day …", file=sys.stderr, flush=True)
            runs["accelerated"].append(accelerated(args.binary, args.speed))
        if "irq" in parts:
            print(f"{label} IRQ to buzzer ×{args.irq_iterations} …", file=sys.stderr, flush=True)
            runs["irq"].append(irq(args.bench_binary, args.irq_iterations))
        if "backlog" in parts:
            print(f"{label} 24 h backlog …", file=sys.stderr, flush=True)
            runs["backlog"].append(backlog(args.binary, args.speed))

    def m(kind, key):
        return median([r[key] for r in runs[kind]]) if runs[kind] else None

    def ratio(ours, theirs):
        return ours / theirs if ours is not None and theirs else None

    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    keys = ("cpu_percent_of_one_core", "wakeups_per_s", "bytes_written_per_hour", "fsyncs_per_s", "peak_rss_mb", "rss_mb", "pss_mb",
            "private_dirty_mb", "anonymous_mb")
    summary = {
        "machine": f"{cpu_model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "runs": args.runs,
        "realtime": {key: m("realtime", key) for key in keys + ("ready_s", "startup_written_kb")},
        "durable": {key: m("durable", key) for key in keys},
        "baseline": {key: m("baseline", key) for key in keys},
        "cpu_s_per_sim_hour": m("accelerated", "cpu_s_per_sim_hour"),
        "peak_rss_mb_accelerated": m("accelerated", "peak_rss_mb"),
        "ready_s": median([r["ready_s"] for kind in ("accelerated", "realtime") for r in runs[kind]]),
        "irq_to_buzzer_median_ms": median([r["median"] for r in runs["irq"]]),
        "irq_to_buzzer_p99_ms": median([r["p99"] for r in runs["irq"]]),
        "backlog_messages": m("backlog", "backlog_messages"),
        "replay_messages_per_s": m("backlog", "replay_messages_per_s"),
    }
    # Ratios of medians, and the median of each run's own ratio (the two are measured back to back).
    summary["ratios_to_baseline"] = {
        key: ratio(summary["realtime"][key], summary["baseline"][key]) for key in ("cpu_percent_of_one_core", "wakeups_per_s",
                                                                                 "bytes_written_per_hour", "rss_mb", "peak_rss_mb")}
    if runs["realtime"] and runs["baseline"]:
        summary["cpu_ratio_per_run"] = [ratio(ours["cpu_percent_of_one_core"], theirs["cpu_percent_of_one_core"])
                                        for ours, theirs in zip(runs["realtime"], runs["baseline"])]
    summary["all_runs"] = runs
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps({k: v for k, v in summary.items() if k != "all_runs"}, indent=2))
    print(markdown(summary))


def markdown(summary):
    """The rows of BENCHMARKS.md's results table: VenueGuard, VenueGuard with every reading
    durable at once, the Python loop, and the ratio of the first to the last."""
    def f(value, digits, scale=1):
        return "n/a" if value is None else f"{value / scale:.{digits}f}"
    ours, durable, base, ratios = summary["realtime"], summary["durable"], summary["baseline"], summary["ratios_to_baseline"]
    rows = [
        ("CPU, 1 Hz (% of one core)", "cpu_percent_of_one_core", 3, 1),
        ("Wake-ups per second (context switches, all threads)", "wakeups_per_s", 1, 1),
        ("Storage writes, broker up (MB per hour)", "bytes_written_per_hour", 2, 1e6),
        ("fsyncs per second", "fsyncs_per_s", 2, 1),
        ("RSS (MB)", "rss_mb", 1, 1),
        ("  private dirty (MB)", "private_dirty_mb", 1, 1),
        ("  PSS (MB)", "pss_mb", 1, 1),
        ("Peak RSS (MB)", "peak_rss_mb", 1, 1),
    ]
    lines = ["| Figure, 1 Hz | VenueGuard | VenueGuard, `commit_window: 0` | Python loop | ratio |", "|---|---|---|---|---|"]
    for name, key, digits, scale in rows:
        r = ratios.get(key)
        lines.append(f"| {name} | {f(ours[key], digits, scale)} | {f(durable[key], digits, scale)} | {f(base[key], digits, scale)} | "
                     f"{'' if r is None else f'{r:.2f}'} |")
    lines += ["", "| Figure | VenueGuard |", "|---|---|",
              f"| CPU per simulated hour, day at 1440× (s) | {f(summary['cpu_s_per_sim_hour'], 2)} |",
              f"| Peak RSS, day at 1440× (MB) | {f(summary['peak_rss_mb_accelerated'], 1)} |",
              f"| Start to READY=1 (s) | {f(summary['ready_s'], 3)} |",
              f"| IRQ edge to buzzer, median / p99 (ms) | {f(summary['irq_to_buzzer_median_ms'], 2)} / {f(summary['irq_to_buzzer_p99_ms'], 2)} |",
              f"| 24 h backlog replayed (messages/s) | {f(summary['replay_messages_per_s'], 0)} |"]
    ours_files = (summary["all_runs"]["realtime"] or [{}])[-1].get("rss_by_file_mb", {})
    theirs_files = (summary["all_runs"]["baseline"] or [{}])[-1].get("rss_by_file_mb", {})
    if ours_files or theirs_files:
        lines += ["", "RSS by mapped file, MB (last run, 1 Hz): VenueGuard: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in ours_files.items()),
                  "Python loop: " + ", ".join(f"{k} {v:.2f}" for k, v in theirs_files.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
