#!/usr/bin/env python3
"""Goal: `cpack -G DEB` makes installable Debian packages whose binaries work where dpkg puts them, and
that a distribution would accept. Method: run cpack into a temporary folder; check the three packages'
control fields (names, version, maintainer, dependencies from dpkg-shlibdeps and what a consumer needs,
the shared library's shlibs file) and contents; unpack them with `dpkg-deb -x` into a temporary root; check each package's copyright file (MIT, machine-readable)
and that the binaries and the shared library carry no debug information; run the unpacked binaries
(--version; then a controller that launches the tether-listener installed beside it, stopped by the
unpacked `tether shutdown --wait`), with LD_LIBRARY_PATH unset."""
import argparse
import glob
import os
import re
import subprocess

import pkgtest
from pkgtest import check, log


def control_field(deb, field):
    return pkgtest.run(["dpkg-deb", "--field", deb, field], check_code=0).stdout.strip()


def expected_maintainer():
    """What the build takes the Maintainer field from: git's user.name and user.email, else the placeholder."""
    source = os.path.dirname(os.path.abspath(__file__))
    fields = []
    for key in ["user.name", "user.email"]:
        result = subprocess.run(["git", "-C", source, "config", key], capture_output=True, text=True)
        fields.append(result.stdout.strip() if result.returncode == 0 else "")
    name, email = fields
    if name and re.fullmatch(r"[^@ <>]+@[^@ <>]+", email):
        return f"{name} <{email}>"
    return "The Tether developers <maintainers@tether.invalid>"


def check_copyright(root, package):
    path = os.path.join(root, "usr", "share", "doc", package, "copyright")
    check(os.path.isfile(path), f"{package} has no usr/share/doc/{package}/copyright")
    with open(path, encoding="utf-8") as copyright_file:
        text = copyright_file.read()
    for line in ["Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
                 "Copyright: 2026 The Tether developers", "License: MIT",
                 " THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR"]:
        check(line + "\n" in text, f"{package}'s copyright file lacks {line!r}")


def check_stripped(path):
    sections = pkgtest.run(["readelf", "--section-headers", "--wide", path], check_code=0).stdout
    check(".debug_info" not in sections, f"{path} carries debug information (not stripped)")


def test(build_dir):
    with pkgtest.Session("deb") as session:
        output = session.path("packages")
        pkgtest.run(["cpack", "-G", "DEB", "--config", os.path.join(build_dir, "CPackConfig.cmake"),
                     "-B", output], timeout_s=200, check_code=0)
        debs = sorted(glob.glob(os.path.join(output, "*.deb")))
        by_name = {control_field(deb, "Package"): deb for deb in debs}
        check(set(by_name) == {"tether", "libtether-c1", "libtether-dev"}, f"packages made: {debs}")
        runtime, library, development = by_name["tether"], by_name["libtether-c1"], by_name["libtether-dev"]
        version = control_field(runtime, "Version")
        check(version.count(".") == 2, f"runtime version {version!r}")
        for deb in [runtime, library]:
            depends = control_field(deb, "Depends")
            check("libc6" in depends and "libstdc++6" in depends, f"{deb}: Depends lacks libc/libstdc++: {depends}")
        check(control_field(library, "Section") == "libs", "libtether-c1 is not in section libs")
        # Header-only at build time (Boost, fmt, nlohmann-json): a consumer needs only the library.
        development_depends = control_field(development, "Depends")
        check(development_depends == f"libtether-c1 (= {version})", f"libtether-dev Depends: {development_depends!r}")
        check(f"tether (= {version})" in control_field(development, "Suggests"), "libtether-dev does not suggest tether")
        shlibs = pkgtest.run(["dpkg-deb", "--info", library, "shlibs"], check_code=0).stdout
        check(f"libtether_c 1 libtether-c1 (>= {version})" in shlibs, f"libtether-c1's shlibs file: {shlibs!r}")
        for deb in debs:
            maintainer = control_field(deb, "Maintainer")
            check(maintainer == expected_maintainer(), f"Maintainer {maintainer!r}, expected {expected_maintainer()!r}")
        runtime_files = pkgtest.run(["dpkg-deb", "--contents", runtime], check_code=0).stdout
        library_files = pkgtest.run(["dpkg-deb", "--contents", library], check_code=0).stdout
        development_files = pkgtest.run(["dpkg-deb", "--contents", development], check_code=0).stdout
        multiarch = pkgtest.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], check_code=0).stdout.strip()
        for path in ["./usr/bin/tether-controller", "./usr/bin/tether-listener", "./usr/bin/tether",
                     "./usr/share/doc/tether/PROTOCOL.md", "./usr/share/doc/tether/copyright"]:
            check(path in runtime_files, f"{path} is not in the tether package")
        for path in [f"./usr/lib/{multiarch}/libtether_c.so.1 ", f"./usr/lib/{multiarch}/libtether_c.so.1.0.0",
                     "./usr/share/doc/libtether-c1/copyright"]:
            check(path in library_files, f"{path} is not in libtether-c1")
        for path in ["./usr/include/tether/listener.hpp", "./usr/include/tether/listener.h",
                     f"./usr/lib/{multiarch}/cmake/tether/tetherConfig.cmake",
                     f"./usr/lib/{multiarch}/pkgconfig/tether.pc", f"./usr/lib/{multiarch}/libtether_adapters.a",
                     f"./usr/lib/{multiarch}/libtether_c.so ", "./usr/share/doc/libtether-dev/copyright"]:
            check(path in development_files, f"{path} is not in libtether-dev")
        check("/usr/include" not in runtime_files, "headers in the runtime package")
        check("libtether_c" not in runtime_files, "the C ABI's library in the tether package")
        check("/usr/include" not in library_files and "libtether_c.so " not in library_files,
              "development files in libtether-c1")
        # The hand-written pages (docs/man) ship with every program the package has.
        programs = ["tether-controller", "tether-listener", "tether"] + \
                   (["tether-sim"] if "./usr/bin/tether-sim" in runtime_files else [])
        for program in programs:
            check(f"./usr/share/man/man1/{program}.1.gz" in runtime_files, f"no man page for {program}")

        root = session.path("root")
        for deb in debs:
            pkgtest.run(["dpkg-deb", "-x", deb, root], check_code=0)
        bin_dir = os.path.join(root, "usr", "bin")
        for package in by_name:
            check_copyright(root, package)
        for program in os.listdir(bin_dir):
            check_stripped(os.path.join(bin_dir, program))
        libraries = glob.glob(os.path.join(root, "usr", "lib", multiarch, "libtether_c.so.1*"))
        check(libraries, "libtether_c.so.1 was not unpacked")
        for library in libraries:
            check_stripped(library)
        environment = {key: value for key, value in os.environ.items() if key != "LD_LIBRARY_PATH"}
        for program in ["tether-controller", "tether-listener", "tether"]:
            result = pkgtest.run([os.path.join(bin_dir, program), "--version"], env=environment, check_code=0)
            check(result.stdout.strip() == version, f"{program} --version: {result.stdout!r}, package {version}")
        man_dir = os.path.join(root, "usr", "share", "man", "man1")
        if os.path.isdir(man_dir):
            log(f"man pages: {sorted(os.listdir(man_dir))}")

        name = session.name()
        controller = session.start([os.path.join(bin_dir, "tether-controller"), "--name", name], "controller.log",
                                   env=environment)
        tether = os.path.join(bin_dir, "tether")

        def registered():
            status = pkgtest.status_json(tether, name)
            return status if status and status.get("listener_pid") else None

        status = pkgtest.wait_until(registered, "the unpacked tether-listener to register")
        listener_exe = os.readlink(f"/proc/{status['listener_pid']}/exe")
        check(listener_exe == os.path.join(bin_dir, "tether-listener"),
              f"the controller launched {listener_exe}, not the listener beside it")
        pkgtest.run([tether, "shutdown", name, "--wait", "--timeout-ms", "25000"], env=environment, check_code=0)
        code = pkgtest.wait_exit(controller, "the unpacked controller")
        check(code == 0, f"unpacked controller exited {code}")
        check(not pkgtest.segment_exists(name), "the segment outlived its controller")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    arguments = parser.parse_args()
    pkgtest.main(lambda: test(arguments.build_dir))
