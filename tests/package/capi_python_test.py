#!/usr/bin/env python3
"""Goal: a Python worker takes part in a pair through the C ABI (libtether_c via ctypes) exactly as a C++
one does. Method: first the refusals, called directly from this process (no segment, a bad name, a
NULL out-pointer); then examples/python/worker.py under a real tether-controller: it must register
(status shows its pid), work units, and on `tether shutdown --wait` finish the unit it is in and leave
gracefully (journal: every begin has its end, then "left"), the controller exiting 0 and removing the
segment."""
import argparse
import os
import subprocess
import sys

import pkgtest
from pkgtest import check, log


def test_refusals(library_path, worker_dir):
    sys.path.insert(0, worker_dir)
    import tether_ctypes

    library = tether_ctypes.load(library_path)
    check(library.tether_library_version().decode().count(".") == 2, "tether_library_version is not x.y.z")
    try:
        tether_ctypes.Session.open("it-capi-no-such-pair", library=library)
        raise pkgtest.Failure("open succeeded without a segment")
    except tether_ctypes.SessionError as error:
        check(error.status == 2, f"no segment: status {error.status}, expected TETHER_ERROR_NO_SEGMENT (2)")
        check(error.exit_code == 66, f"no segment: exit code {error.exit_code}, expected 66")
        check("it-capi-no-such-pair" in str(error), f"message does not name the pair: {error}")
    try:
        tether_ctypes.Session.open("bad/name", library=library)
        raise pkgtest.Failure("open accepted a bad name")
    except tether_ctypes.SessionError as error:
        check(error.status == 1 and error.exit_code == 64, f"bad name: {error.status} {error.exit_code}")
    # A NULL out-pointer and a NULL session are refused or ignored, never a crash.
    check(library.tether_session_open(b"x", None, None) == 8, "NULL out_session not refused")
    check(library.tether_session_should_stop(None) == 0, "should_stop(NULL) is not 0")
    library.tether_session_close(None)
    log("refusals ok")


def test_missing_library(worker):
    """Without TETHER_C_LIBRARY (and no library on the loader's path) the worker says what to set, in one
    line and with EX_UNAVAILABLE, instead of a traceback at every start."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("TETHER_C_LIBRARY", "LD_LIBRARY_PATH")}
    environment["TETHER_C_LIBRARY"] = "/nonexistent/libtether_c.so.1"
    result = subprocess.run([sys.executable, worker, "--name", "it-capi-no-library"], env=environment,
                            capture_output=True, text=True, timeout=60, check=False)
    check(result.returncode == 69, f"missing library: exit {result.returncode}, expected 69: {result.stderr}")
    check("Traceback" not in result.stderr, f"missing library: a traceback: {result.stderr}")
    check("set TETHER_C_LIBRARY" in result.stderr, f"missing library: no hint: {result.stderr}")
    log("missing library ok")


def test_under_controller(bin_dir, library_path, worker):
    tether = os.path.join(bin_dir, "tether")
    with pkgtest.Session("capi") as session:
        name = session.name()
        journal = session.path("journal")
        controller = session.start(
            # --env before another option: when it is the last one, CLI11 takes the `--` as the end
            # of its values and the worker's own options are refused (reported to the lead).
            [os.path.join(bin_dir, "tether-controller"), "--name", name,
             "--env", f"TETHER_C_LIBRARY={library_path}", "--restart", "on-failure", "--",
             sys.executable, worker, "--work-ms", "300", "--idle-ms", "20", "--journal", journal],
            "controller.log")

        def registered():
            status = pkgtest.status_json(tether, name)
            return status if status and status.get("listener_pid") else None

        status = pkgtest.wait_until(registered, "the Python worker to register")
        with open(f"/proc/{status['listener_pid']}/cmdline", "rb") as cmdline:
            check(worker.encode() in cmdline.read(), "the registered listener is not the Python worker")
        pkgtest.wait_until(lambda: session.read("journal").count("end ") >= 2, "two finished units")
        # Land the request inside a unit, so that the test shows the unit is finished, not torn.
        pkgtest.wait_until(lambda: session.read("journal").splitlines()[-1].startswith("begin"),
                           "the worker to be inside a unit")
        pkgtest.run([tether, "shutdown", name, "--wait", "--timeout-ms", "25000"], check_code=0)
        code = pkgtest.wait_exit(controller, "the controller")
        check(code == 0, f"controller exit code {code}")
        check(not pkgtest.segment_exists(name), "the segment outlived its controller")

        lines = session.read("journal").splitlines()
        log(f"journal: {lines}")
        units = int(lines[-1].split()[1])
        check(lines[-1].startswith("left"), f"the worker did not leave gracefully: {lines[-3:]}")
        expected = [f"{kind} {unit}" for unit in range(1, units + 1) for kind in ("begin", "end")]
        check(lines[:-1] == expected, f"a unit was torn or repeated: {lines}")
        controller_log = session.read("controller.log")
        check("exited" in controller_log, "the controller did not log the exit")
        check(f"registered listener_pid={status['listener_pid']}" in controller_log,
              "the controller did not log the Python worker's registration")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--library", required=True)
    parser.add_argument("--worker", required=True)
    arguments = parser.parse_args()

    def test():
        test_refusals(arguments.library, os.path.dirname(arguments.worker))
        test_missing_library(arguments.worker)
        test_under_controller(arguments.bin_dir, arguments.library, arguments.worker)

    pkgtest.main(test)
