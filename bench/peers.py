#!/usr/bin/env python3
"""bench/peers: one static worker under tether and its peers, interleaved in one run (issue 15).

Supervisors: tether-controller with defaults and tuned, runit (runsv), s6 (s6-supervise) with and
without notification-fd, supervisord, and a bare posix_spawn floor. Measured for each: restart after
SIGKILL (the worker's SIGKILL to the new worker's first line), stop to SIGTERM at the worker and to its
exit (from the stop command's start), idle wake-ups of the supervisor process over an idle window
(context switches), and its RSS and PSS. Rounds visit every supervisor in turn, so load on a shared
machine falls on all alike. Writes bench/results/peers.md, peers.json, peers.dat and peers.png.
Run by bench/peers (which installs the peers); leaves no process, service directory or segment.
"""
import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(os.environ.get("PEERS_ROUNDS", "20"))
IDLE_S = float(os.environ.get("PEERS_IDLE_S", "10"))
WAIT_S = 10.0  # longest any single step may take before the run is declared failed
HEALTHY_S = 1.2  # longer than the one second runit, s6 and tether's --healthy-run-ms count as healthy
SETTLE_S = 6.0  # longer than tether's default --ready-timeout-ms


def now_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


class Supervisor:
    """One supervisor with its own worker log; subclasses say how to start, stop and bring up."""

    def __init__(self, name, work):
        self.name = name
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.log = os.path.join(self.dir, "worker.log")
        self.process = None
        self.seen = 0

    def lines(self):
        try:
            with open(self.log) as handle:
                return [line.split() for line in handle.read().splitlines() if line]
        except FileNotFoundError:
            return []

    def wait_line(self, kind, after_count):
        """The first line of `kind` after the first `after_count` lines."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            lines = self.lines()
            for line in lines[after_count:]:
                if line[0] == kind:
                    return int(line[1]), int(line[2])
            time.sleep(0.0005)
        raise RuntimeError(f"{self.name}: no '{kind}' line within {WAIT_S} s")

    def last_start(self):
        """(pid, monotonic ns) of the newest worker's start line."""
        starts = [line for line in self.lines() if line[0] == "start"]
        if not starts:
            raise RuntimeError(f"{self.name}: no worker has started")
        return int(starts[-1][1]), int(starts[-1][2])

    def worker_pid(self):
        return self.last_start()[0]

    def supervisor_pids(self):
        return [self.process.pid] if self.process and self.process.poll() is None else []

    def start_and_wait(self):
        count = len(self.lines())
        self.start()
        self.wait_line("start", count)

    def up_and_wait(self):
        count = len(self.lines())
        self.up()
        self.wait_line("start", count)


class Tether(Supervisor):
    def __init__(self, name, work, options):
        super().__init__(name, work)
        self.options = options
        self.pair = f"peers-{name}-{os.getpid()}"

    def start(self):
        self.process = subprocess.Popen(
            [f"{BIN}/tether-controller", "--name", self.pair, *self.options, "--", WORKER, self.log],
            stderr=subprocess.DEVNULL)

    def stop(self):
        subprocess.run([f"{BIN}/tether", "shutdown", self.pair], stdout=subprocess.DEVNULL, check=True)

    def after_stop(self):
        self.process.wait(WAIT_S)

    def up(self):
        self.start()

    def end(self):
        if self.process and self.process.poll() is None:
            subprocess.run([f"{BIN}/tether", "shutdown", self.pair, "--wait"], stdout=subprocess.DEVNULL)
            self.process.wait(WAIT_S)


class Runit(Supervisor):
    def start(self):
        self.service = os.path.join(self.dir, "service")
        os.makedirs(self.service)
        write_script(os.path.join(self.service, "run"), f"#!/bin/sh\nexec {WORKER} {self.log}\n")
        self.process = subprocess.Popen(["runsv", self.service])

    def stop(self):
        subprocess.run(["sv", "down", self.service], stdout=subprocess.DEVNULL, check=True)

    def after_stop(self):
        pass

    def up(self):
        subprocess.run(["sv", "up", self.service], stdout=subprocess.DEVNULL, check=True)

    def end(self):
        if self.process and self.process.poll() is None:
            subprocess.run(["sv", "exit", self.service], stdout=subprocess.DEVNULL)
            self.process.wait(WAIT_S)


class S6(Supervisor):
    def __init__(self, name, work, notification):
        super().__init__(name, work)
        self.notification = notification

    def start(self):
        self.service = os.path.join(self.dir, "service")
        os.makedirs(self.service)
        ready = " 3" if self.notification else ""
        write_script(os.path.join(self.service, "run"), f"#!/bin/sh\nexec {WORKER} {self.log}{ready}\n")
        if self.notification:
            with open(os.path.join(self.service, "notification-fd"), "w") as handle:
                handle.write("3\n")
        self.process = subprocess.Popen(["s6-supervise", self.service])

    def stop(self):
        subprocess.run(["s6-svc", "-d", self.service], check=True)

    def after_stop(self):
        pass

    def up(self):
        subprocess.run(["s6-svc", "-u", self.service], check=True)

    def end(self):
        if self.process and self.process.poll() is None:
            subprocess.run(["s6-svc", "-dx", self.service])
            self.process.wait(WAIT_S)


class Supervisord(Supervisor):
    def start(self):
        self.config = os.path.join(self.dir, "supervisord.conf")
        socket = os.path.join(self.dir, "supervisor.sock")
        with open(self.config, "w") as handle:
            handle.write(f"""[supervisord]
nodaemon=true
logfile={self.dir}/supervisord.log
pidfile={self.dir}/supervisord.pid
childlogdir={self.dir}
[unix_http_server]
file={socket}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://{socket}
[program:worker]
command={WORKER} {self.log}
autorestart=true
startsecs=0
startretries=1000
stopsignal=TERM
""")
        self.process = subprocess.Popen(["supervisord", "-c", self.config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def ctl(self, *words):
        subprocess.run(["supervisorctl", "-c", self.config, *words], stdout=subprocess.DEVNULL)

    def stop(self):
        self.ctl("stop", "worker")

    def after_stop(self):
        pass

    def up(self):
        self.ctl("start", "worker")

    def end(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(WAIT_S)


class Floor(Supervisor):
    def start(self):
        self.process = subprocess.Popen([FLOOR, WORKER, self.log])

    def stop(self):
        self.process.send_signal(signal.SIGUSR1)

    def after_stop(self):
        pass

    def up(self):
        self.process.send_signal(signal.SIGUSR2)

    def end(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(WAIT_S)


def write_script(path, text):
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o755)


def wait_gone(pid):
    """Until `pid` has exited (a pidfd: no polling), in ns of the monotonic clock."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return now_ns()
    try:
        select.select([descriptor], [], [], WAIT_S)
        return now_ns()
    finally:
        os.close(descriptor)


def restart_round(supervisor):
    pid, started_ns = supervisor.last_start()
    # runit and s6 hold back a restart when the service ran under a second; so do tether's backoff and
    # its healthy run: every worker runs longer than that before it is killed.
    time.sleep(max(0.0, HEALTHY_S - (now_ns() - started_ns) / 1e9))
    count = len(supervisor.lines())
    killed_ns = now_ns()
    os.kill(pid, signal.SIGKILL)
    _, started_ns = supervisor.wait_line("start", count)
    return (started_ns - killed_ns) / 1e6


def stop_round(supervisor):
    pid = supervisor.worker_pid()
    count = len(supervisor.lines())
    asked_ns = now_ns()
    supervisor.stop()
    _, term_ns = supervisor.wait_line("term", count)
    gone_ns = wait_gone(pid)
    supervisor.after_stop()
    supervisor.up_and_wait()
    return (term_ns - asked_ns) / 1e6, (gone_ns - asked_ns) / 1e6


def all_pids(supervisor):
    return supervisor.supervisor_pids()


def context_switches(pid):
    total = 0
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def memory_kb(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:"):
                values[parts[0][:-1]] = int(parts[1])
    return values.get("Rss", 0), values.get("Pss", 0)


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    global BIN, WORKER, FLOOR
    BIN, WORKER, FLOOR, results_dir = sys.argv[1:5]
    work = tempfile.mkdtemp(prefix="tether-peers-")
    supervisors = [
        Floor("floor", work),
        Tether("tether-defaults", work, []),
        Tether("tether-tuned", work, ["--restart-delay-ms", "0", "--ready-timeout-ms", "100"]),
        Runit("runit", work),
        S6("s6", work, False),
        S6("s6-notification-fd", work, True),
        Supervisord("supervisord", work),
    ]
    samples = {s.name: {"restart_ms": [], "stop_term_ms": [], "stop_exit_ms": []} for s in supervisors}
    idle = {}
    memory = {}
    try:
        for supervisor in supervisors:
            supervisor.start_and_wait()
        for round_number in range(ROUNDS):
            for supervisor in supervisors:
                samples[supervisor.name]["restart_ms"].append(restart_round(supervisor))
        for round_number in range(ROUNDS):
            for supervisor in supervisors:
                term_ms, exit_ms = stop_round(supervisor)
                samples[supervisor.name]["stop_term_ms"].append(term_ms)
                samples[supervisor.name]["stop_exit_ms"].append(exit_ms)
        # Idle means after start-up: the last stop round started new controllers, whose one-time ready
        # timeout (5 s by default) must pass before the window, or it would be counted as a wake-up.
        time.sleep(SETTLE_S)
        before = {s.name: {pid: context_switches(pid) for pid in all_pids(s)} for s in supervisors}
        time.sleep(IDLE_S)
        for supervisor in supervisors:
            pids = all_pids(supervisor)
            idle[supervisor.name] = sum(context_switches(pid) - before[supervisor.name].get(pid, 0) for pid in pids)
            rss = pss = 0
            for pid in pids:
                process_rss, process_pss = memory_kb(pid)
                rss += process_rss
                pss += process_pss
            memory[supervisor.name] = {"rss_kb": rss, "pss_kb": pss}
    finally:
        for supervisor in supervisors:
            try:
                supervisor.end()
            except Exception as error:  # keep ending the others
                print(f"peers: ending {supervisor.name}: {error}", file=sys.stderr)
            for line in supervisor.lines():
                try:
                    os.kill(int(line[1]), signal.SIGKILL)  # a worker left by a supervisor that failed
                except (ProcessLookupError, PermissionError):
                    pass
        shutil.rmtree(work, ignore_errors=True)
    report(supervisors, samples, idle, memory, results_dir)


def report(supervisors, samples, idle, memory, results_dir):
    rows = []
    for supervisor in supervisors:
        name = supervisor.name
        rows.append({
            "supervisor": name,
            "restart_ms_p50": median(samples[name]["restart_ms"]),
            "stop_term_ms_p50": median(samples[name]["stop_term_ms"]),
            "stop_exit_ms_p50": median(samples[name]["stop_exit_ms"]),
            "idle_wakeups": idle.get(name),
            "idle_seconds": IDLE_S,
            **memory.get(name, {}),
        })
    by_name = {row["supervisor"]: row for row in rows}
    targets = {
        "tether defaults stop->SIGTERM / s6 (target <= 2)":
            by_name["tether-defaults"]["stop_term_ms_p50"] / by_name["s6"]["stop_term_ms_p50"],
        "tether tuned restart / floor (target <= 1.3)":
            by_name["tether-tuned"]["restart_ms_p50"] / by_name["floor"]["restart_ms_p50"],
        "tether defaults idle wake-ups (target 0)": by_name["tether-defaults"]["idle_wakeups"],
        "tether defaults PSS / s6-supervise PSS (target <= 1.5)":
            by_name["tether-defaults"]["pss_kb"] / by_name["s6"]["pss_kb"],
    }
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, "peers.json"), "w") as handle:
        json.dump({"rounds": ROUNDS, "rows": rows, "targets": targets, "samples": samples}, handle, indent=1)
    floor = by_name["floor"]
    lines = [
        "# Tether and its peers, one static worker, one interleaved run",
        "",
        f"Written by `bench/peers` ({ROUNDS} SIGKILL->restart rounds and {ROUNDS} stops per supervisor, "
        f"idle window {IDLE_S:g} s after {SETTLE_S:g} s of settling; medians). Ratios are against the floor "
        "(bare posix_spawn + wait) of the same run. Every worker runs "
        f"{HEALTHY_S:g} s before it is killed, since runit, s6 and tether delay the restart of a worker "
        "that ran under a second. Stops are the supervisors' own commands (`tether shutdown`, `sv down`, "
        "`s6-svc -d`, `supervisorctl stop`; the floor: a signal), timed from their start; after each stop "
        "the service is brought up again (tether: a new controller). Wake-ups are the supervisor "
        "process's context switches (/proc/PID/status); RSS and PSS from /proc/PID/smaps_rollup.",
        "",
        "| supervisor | restart after SIGKILL | stop -> SIGTERM at the worker | stop -> worker gone | "
        f"idle wake-ups / {IDLE_S:g} s | RSS | PSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = row["restart_ms_p50"] / floor["restart_ms_p50"]
        lines.append(f"| {row['supervisor']} | {row['restart_ms_p50']:.2f} ms ({ratio:.1f}x) | "
                     f"{row['stop_term_ms_p50']:.2f} ms | {row['stop_exit_ms_p50']:.2f} ms | {row['idle_wakeups']} | "
                     f"{row.get('rss_kb', 0)} kB | {row.get('pss_kb', 0)} kB |")
    lines += ["", "Targets (issue 15), as ratios in this run:", ""]
    lines += [f"- {key}: {value:.2f}" if isinstance(value, float) else f"- {key}: {value}" for key, value in targets.items()]
    lines += ["", "![restart and stop medians](peers.png)", ""]
    with open(os.path.join(results_dir, "peers.md"), "w") as handle:
        handle.write("\n".join(lines))
    with open(os.path.join(results_dir, "peers.dat"), "w") as handle:
        handle.write("# supervisor restart_ms stop_term_ms stop_exit_ms\n")
        for row in rows:
            handle.write(f"{row['supervisor']} {row['restart_ms_p50']:.3f} {row['stop_term_ms_p50']:.3f} "
                         f"{row['stop_exit_ms_p50']:.3f}\n")
    plot(results_dir)
    print("\n".join(lines))


def plot(results_dir):
    data = os.path.join(results_dir, "peers.dat")
    image = os.path.join(results_dir, "peers.png")
    if shutil.which("gnuplot"):
        script = f"""set terminal pngcairo size 900,480 noenhanced
set output '{image}'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'median, ms (log scale)'
set xtics rotate by -20
set key top left
plot '{data}' using 2:xtic(1) title 'restart after SIGKILL', '' using 3 title 'stop -> SIGTERM', '' using 4 title 'stop -> gone'
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
    except ImportError:
        print("peers: neither gnuplot nor matplotlib: no plot", file=sys.stderr)
        return
    rows = [line.split() for line in open(data) if not line.startswith("#")]
    names = [row[0] for row in rows]
    figure, axes = pyplot.subplots(figsize=(9, 4.8))
    width = 0.27
    for offset, (column, label) in enumerate([(1, "restart after SIGKILL"), (2, "stop -> SIGTERM"), (3, "stop -> gone")]):
        axes.bar([i + (offset - 1) * width for i in range(len(rows))], [float(row[column]) for row in rows], width,
                 label=label)
    axes.set_yscale("log")
    axes.set_xticks(range(len(rows)), names, rotation=20)
    axes.set_ylabel("median, ms (log scale)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(image)


if __name__ == "__main__":
    main()
