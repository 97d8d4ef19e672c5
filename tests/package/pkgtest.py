"""Support for the package tests: real binaries as processes, bounded waits, and cleanup that holds even
when a test fails half-way (processes killed and reaped, segments removed, temporary folders deleted).

The test process becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so a worker orphaned by a
killed controller comes back to us and is killed at the end instead of outliving the test.
"""
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WAIT_S = 30  # generous for a loaded 2-core machine; a passing test rarely waits more than 2 s
PR_SET_CHILD_SUBREAPER = 36


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(condition, what, timeout_s=WAIT_S, period_s=0.02):
    """Polls `condition` until it is true (returns its value) or `timeout_s` passes (fails with `what`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(period_s)


def run(argv, timeout_s=WAIT_S, env=None, cwd=None, check_code=None):
    """Runs a command to completion (killed after `timeout_s`); returns CompletedProcess with text output."""
    log("$ " + " ".join(str(a) for a in argv))
    try:
        result = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout_s,
                                env=env, cwd=cwd)
    except subprocess.TimeoutExpired as expired:
        raise Failure(f"{argv[0]} did not finish within {timeout_s} s: {expired.stderr}")
    if check_code is not None and result.returncode != check_code:
        raise Failure(f"{argv} exited {result.returncode}, expected {check_code}\n"
                      f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def _children_of_us():
    """Pids whose parent is this process (our children and, as subreaper, adopted orphans)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.append(int(entry))
    return found


def _reap_everything():
    """Kills and reaps every descendant; bounded: each round kills what is left and waits a little."""
    for _ in range(50):
        children = _children_of_us()
        if not children:
            return
        for pid in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] != 0:
                pass


class Session(contextlib.AbstractContextManager):
    """One test's world: a temporary folder, unique pair names, background processes; all cleaned up."""

    def __init__(self, stem):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self.stem = stem
        self.dir = tempfile.mkdtemp(prefix=f"tether-{stem}-")
        self.names = []
        self.processes = []

    def name(self, suffix=""):
        # "it-" like the integration tests: ci/test's leftover check looks for tether.it-* segments.
        name = f"it-{self.stem}{suffix}-{os.getpid()}"
        self.names.append(name)
        return name

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def start(self, argv, log_name, env=None):
        """Starts a background process with stdout and stderr in a log file under the temp folder."""
        log("& " + " ".join(str(a) for a in argv))
        output = open(self.path(log_name), "w")
        process = subprocess.Popen([str(a) for a in argv], stdout=output, stderr=subprocess.STDOUT, env=env)
        output.close()
        process.log_path = self.path(log_name)
        self.processes.append(process)
        return process

    def read(self, *parts):
        with contextlib.suppress(FileNotFoundError):
            with open(self.path(*parts)) as file:
                return file.read()
        return ""

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            for process in self.processes:
                print(f"--- {process.log_path}:\n{self.read(os.path.basename(process.log_path))}", flush=True)
        _reap_everything()
        for name in self.names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"/dev/shm/tether.{name}")
        shutil.rmtree(self.dir, ignore_errors=True)
        return False


def wait_exit(process, what, timeout_s=WAIT_S):
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what} did not exit within {timeout_s} s")


def status_json(tether, name):
    """`tether status NAME --json`, parsed (None when it printed nothing parseable)."""
    result = subprocess.run([str(tether), "status", name, "--json"], capture_output=True, text=True,
                            timeout=WAIT_S)
    with contextlib.suppress(json.JSONDecodeError):
        return json.loads(result.stdout)
    return None


def segment_exists(name):
    return os.path.exists(f"/dev/shm/tether.{name}")


def main(test):
    """Runs `test()`; prints PASS or the failure and sets the exit code ctest reads."""
    try:
        test()
    except Failure as failure:
        print(f"FAIL: {failure}", flush=True)
        sys.exit(1)
    print("PASS", flush=True)
