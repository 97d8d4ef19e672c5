#!/usr/bin/env python3
"""A tether worker in Python: units of (simulated) work through the C ABI, a shutdown check between
units, a clean exit. Run it under a controller:

    TETHER_C_LIBRARY=/usr/lib/x86_64-linux-gnu/libtether_c.so.1 \
      tether-controller --name py -- python3 worker.py --work-ms 200 --journal /tmp/py.journal
    tether shutdown py --wait

--journal appends "begin N", "end N" and finally "left N" (N units done), flushed at once, so that
anyone can check afterwards that no unit was torn by the shutdown.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tether_ctypes  # noqa: E402  (beside this file)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=None, help="pair name (default: $TETHER_NAME)")
    parser.add_argument("--work-ms", type=int, default=200, help="duration of one unit")
    parser.add_argument("--idle-ms", type=int, default=50, help="idle time between units")
    parser.add_argument("--journal", default=None, help="append begin/end/left lines here")
    arguments = parser.parse_args()

    journal = open(arguments.journal, "a", buffering=1) if arguments.journal else None
    try:
        session = tether_ctypes.Session.open(arguments.name)
    except (tether_ctypes.LibraryError, tether_ctypes.SessionError) as error:
        print(f"worker.py: {error}", file=sys.stderr)
        return error.exit_code
    units = 0
    with session:
        print(f"worker.py: registered as the listener of '{session.name()}'", flush=True)
        while not session.should_stop():
            session.begin_unit()
            if journal:
                journal.write(f"begin {units + 1}\n")
            time.sleep(arguments.work_ms / 1000)  # the unit's work
            session.end_unit()
            units += 1
            if journal:
                journal.write(f"end {units}\n")
            session.wait_for_shutdown(arguments.idle_ms)
        session.leave()
    if journal:
        journal.write(f"left {units}\n")
    print(f"worker.py: shutdown requested; left after {units} units", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
