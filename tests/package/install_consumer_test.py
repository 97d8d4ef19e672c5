#!/usr/bin/env python3
"""Goal: `cmake --install` gives a user everything needed to build a worker: find_package(tether) with
tether::tether (C++) and tether::c (C), pkg-config files, the binaries and man pages. Method: install
this build into a fresh temporary prefix; configure and build tests/package/consumer against it, with
find_package of tether's own build dependencies disabled (Boost, fmt, nlohmann-json: a consumer needs
none of them, and pkg-config must not ask for them either); run
both consumer workers under the installed tether-controller (each does 3 units and leaves: the
controller must exit 0); build the installed examples as their own project; then build the C++ and C
workers again by hand with pkg-config flags only."""
import argparse
import os
import shutil

import pkgtest
from pkgtest import check, log

PUBLIC_HEADERS = ["listener.hpp", "error.hpp", "result.hpp", "listener.h"]


def expected_libdir():
    """lib/<multiarch> on Debian and its derivatives (policy), lib elsewhere."""
    if os.path.exists("/etc/debian_version") and shutil.which("dpkg-architecture"):
        multiarch = pkgtest.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], check_code=0).stdout.strip()
        return os.path.join("lib", multiarch)
    return "lib"


def run_under_controller(session, prefix, program, stem, expected):
    name = session.name(stem)
    output = session.path(f"{stem}.out")
    result = pkgtest.run([os.path.join(prefix, "bin", "tether-controller"), "--name", name,
                          "--log-file", output, "--restart", "on-failure", "--", program, "3"])
    check(result.returncode == 0, f"controller over {program} exited {result.returncode}:\n{result.stderr}")
    check(expected in session.read(f"{stem}.out"), f"{program} did not report its units: "
                                                   f"{session.read(f'{stem}.out')!r}")
    check(not pkgtest.segment_exists(name), "the segment outlived its controller")


# The libraries tether is built with are header-only there and compiled into it: an installed consumer
# must configure as if none of them were on the machine (its config would fail on a find_dependency).
WITHOUT_BUILD_DEPENDENCIES = [f"-DCMAKE_DISABLE_FIND_PACKAGE_{package}=ON"
                              for package in ["Boost", "fmt", "nlohmann_json", "CLI11"]]


def test(build_dir, consumer, generator):
    with pkgtest.Session("install") as session:
        prefix = session.path("prefix")
        pkgtest.run(["cmake", "--install", build_dir, "--prefix", prefix], timeout_s=120, check_code=0)

        libdir = expected_libdir()
        for relative in ["bin/tether-controller", "bin/tether-listener", "bin/tether"] + \
                        [f"{libdir}/{library}" for library in [
                            "libtether_core.a", "libtether_adapters.a", "libtether_c.so", "libtether_c.so.1",
                            "cmake/tether/tetherConfig.cmake", "cmake/tether/tetherConfigVersion.cmake",
                            "pkgconfig/tether.pc", "pkgconfig/tether-c.pc"]] + \
                        [f"include/tether/{header}" for header in PUBLIC_HEADERS]:
            check(os.path.exists(os.path.join(prefix, relative)), f"{relative} is not installed")
        installed = sorted(os.listdir(os.path.join(prefix, "include", "tether")))
        check(installed == sorted(PUBLIC_HEADERS), f"headers beyond the public API installed: {installed}")
        # The hand-written pages (docs/man) are installed with every program.
        pages = os.listdir(os.path.join(prefix, "share", "man", "man1"))
        for program in os.listdir(os.path.join(prefix, "bin")):
            check(f"{program}.1.gz" in pages, f"no man page for {program}: {pages}")
        version = pkgtest.run([os.path.join(prefix, "bin", "tether-controller"), "--version"], check_code=0)
        check(version.stdout.strip().count(".") == 2, f"--version printed {version.stdout!r}")

        build = session.path("consumer-build")
        pkgtest.run(["cmake", "-S", consumer, "-B", build, "-G", generator, "-DCMAKE_BUILD_TYPE=Release",
                     f"-DCMAKE_PREFIX_PATH={prefix}", *WITHOUT_BUILD_DEPENDENCIES], timeout_s=120, check_code=0)
        pkgtest.run(["cmake", "--build", build, "-j2"], timeout_s=180, check_code=0)
        run_under_controller(session, prefix, os.path.join(build, "consumer_worker"), "cpp",
                             "consumer_worker: 3 units")
        run_under_controller(session, prefix, os.path.join(build, "consumer_worker_c"), "c",
                             "consumer_worker_c: 3 units")

        # The installed examples are a project of their own against the installed package.
        examples = session.path("examples-build")
        pkgtest.run(["cmake", "-S", os.path.join(prefix, "share", "doc", "tether", "examples"), "-B", examples,
                     "-G", generator, "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={prefix}",
                     *WITHOUT_BUILD_DEPENDENCIES], timeout_s=120, check_code=0)
        pkgtest.run(["cmake", "--build", examples, "-j2"], timeout_s=180, check_code=0)
        usage = pkgtest.run([os.path.join(examples, "file_worker"), "--help"])
        check(usage.returncode == 0 and "--inbox" in usage.stdout, f"file_worker --help: {usage.stdout!r}")
        refused = pkgtest.run([os.path.join(examples, "file_worker"), "--inbox"])
        check(refused.returncode == 64, f"file_worker without a value for --inbox exited {refused.returncode}")

        environment = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, libdir, "pkgconfig"))
        for package, compiler, source, extra in [
                ("tether", "c++", "consumer_worker.cpp", ["-std=c++20"]),
                ("tether-c", "cc", "consumer_worker.c", ["-std=c99"])]:
            flags = pkgtest.run(["pkg-config", "--cflags", "--libs", package], env=environment, check_code=0)
            check("fmt" not in flags.stdout and "boost" not in flags.stdout,
                  f"pkg-config {package} asks for a build dependency: {flags.stdout!r}")
            program = session.path(f"pc-{package}")
            pkgtest.run([compiler, *extra, os.path.join(consumer, source), "-o", program,
                         *flags.stdout.split(), f"-Wl,-rpath,{os.path.join(prefix, libdir)}"],
                        timeout_s=180, check_code=0)
            # Without a controller it must refuse cleanly: 66, no segment.
            alone = pkgtest.run([program], env=dict(os.environ, TETHER_NAME=session.name(f"{package}-none")))
            check(alone.returncode == 66, f"{package} worker alone exited {alone.returncode}: {alone.stderr}")
        log("installed package builds and runs consumers")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--consumer", required=True)
    parser.add_argument("--generator", required=True)
    arguments = parser.parse_args()
    pkgtest.main(lambda: test(arguments.build_dir, arguments.consumer, arguments.generator))
