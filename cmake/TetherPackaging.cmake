# Debian packages: `cpack -G DEB` in the build directory makes tether_VERSION_ARCH.deb (binaries, man
# pages, the C ABI library, docs) and libtether-dev_VERSION_ARCH.deb (headers, static libraries, CMake
# and pkg-config files, examples).
set(CPACK_PACKAGE_NAME tether)
set(CPACK_PACKAGE_VENDOR "Tether")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL runtime development)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# A placeholder address on the reserved .invalid domain until the project has a maintainer address.
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Tether maintainers <maintainers@tether.invalid>")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME tether)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; these are the extended descriptions.
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "A controller launches a worker, keeps it running, adopts it after a controller\nrestart and asks it to shut down through a named shared-memory segment; the\nworker finishes its unit of work and leaves. Programs: tether-controller,\ntether-listener, tether; the C ABI library libtether_c for C, Python, Rust.")
# The runtime dependencies (libc, libstdc++, libfmt) come from dpkg-shlibdeps.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libtether-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION
    "Development files for writing tether workers: headers (tether/listener.hpp,\ntether/listener.h), static libraries, the CMake package (find_package(tether),\ntether::tether, tether::c), pkg-config files (tether, tether-c) and examples.")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS
    "tether (= ${PROJECT_VERSION}), libboost-dev (>= 1.74), libfmt-dev, nlohmann-json3-dev")

include(CPack)
