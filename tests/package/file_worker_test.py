#!/usr/bin/env python3
"""Goal: the example file_worker, under a real tether-controller, finishes the file it is on when a
shutdown arrives in the middle of it, and leaves the rest untouched. Method: four slow files (60 lines,
40 ms a line, 2.4 s a file) in an inbox; wait until the worker is inside the second file, `tether shutdown --wait`;
then check the folders, the report of every finished file (recomputed here), the worker's output (via
--log-file) and that the controller removed the segment and exited 0."""
import argparse
import os

import pkgtest
from pkgtest import check, log

LINES_PER_FILE = 60
FILES = [f"batch-{index}.txt" for index in range(1, 5)]


def expected_report(name, lines):
    """The report file_worker writes: wc-like counts and FNV-1a 64 over the bytes with newlines."""
    checksum = 0xcbf29ce484222325
    words = 0
    data = "".join(line + "\n" for line in lines).encode()
    for byte in data:
        checksum = ((checksum ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    for line in lines:
        words += len(line.split())
    return f"file {name}\nlines {len(lines)}\nwords {words}\nbytes {len(data)}\nfnv1a64 {checksum:x}\n"


def test(bin_dir):
    tether = os.path.join(bin_dir, "tether")
    with pkgtest.Session("file-worker") as session:
        name = session.name()
        inbox = session.path("inbox")
        os.makedirs(inbox)
        contents = {}
        for index, file_name in enumerate(FILES):
            lines = [f"record {index}.{line} value {line * 7 + index}" for line in range(LINES_PER_FILE)]
            contents[file_name] = lines
            with open(os.path.join(inbox, file_name), "w") as file:
                file.write("".join(line + "\n" for line in lines))
        # A producer's file still being written: the worker must leave it alone.
        with open(os.path.join(inbox, ".incoming.txt"), "w") as file:
            file.write("half a record")

        worker_log = session.path("worker.log")
        controller = session.start(
            [os.path.join(bin_dir, "tether-controller"), "--name", name, "--log-file", worker_log,
             "--stop-timeout-ms", "20000", "--",
             os.path.join(bin_dir, "file_worker"), "--inbox", inbox, "--line-delay-ms", "40",
             "--heartbeat-ms", "100"],
            "controller.log")

        # Inside the second file: the first is done, the second's report does not exist yet.
        pkgtest.wait_until(lambda: "processing batch-2.txt" in session.read("worker.log"),
                           "the worker to start on batch-2.txt")
        status = pkgtest.status_json(tether, name)
        check(status is not None and status["state"] == "working", f"status mid-file: {status}")
        check(not os.path.exists(os.path.join(inbox, "done", "batch-2.txt.report")),
              "batch-2.txt was already finished: the shutdown would not land mid-file")
        log(f"shutdown while the worker is inside batch-2.txt ({status})")
        pkgtest.run([tether, "shutdown", name, "--wait", "--timeout-ms", "25000"], check_code=0)
        code = pkgtest.wait_exit(controller, "the controller")
        check(code == 0, f"controller exit code {code}")
        check(not pkgtest.segment_exists(name), "the segment outlived its controller")

        done = os.path.join(inbox, "done")
        for file_name in ["batch-1.txt", "batch-2.txt"]:
            check(os.path.exists(os.path.join(done, file_name)), f"{file_name} was not moved to done/")
            with open(os.path.join(done, file_name + ".report")) as report:
                check(report.read() == expected_report(file_name, contents[file_name]),
                      f"{file_name}'s report is wrong")
        for file_name in ["batch-3.txt", "batch-4.txt", ".incoming.txt"]:
            check(os.path.exists(os.path.join(inbox, file_name)), f"{file_name} left the inbox")
            check(not os.path.exists(os.path.join(done, file_name + ".report")), f"{file_name} was processed")
        leftovers = [entry for entry in os.listdir(done) if entry.startswith(".")]
        check(not leftovers, f"temporary files left in done/: {leftovers}")
        check(not os.listdir(os.path.join(inbox, "failed")), "a file was set aside as failed")
        output = session.read("worker.log")
        check("left after 2 files" in output, f"the worker did not leave cleanly:\n{output}")
        check(output.count("registered as the listener") == 1, "the worker was restarted")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    arguments = parser.parse_args()
    pkgtest.main(lambda: test(arguments.bin_dir))
