# Debian packages: `cpack -G DEB` in the build directory makes tether_VERSION_ARCH.deb (binaries, man
# pages, docs), libtether-c1_VERSION_ARCH.deb (the C ABI's shared library) and
# libtether-dev_VERSION_ARCH.deb (headers, static libraries, CMake and pkg-config files, examples).
set(CPACK_PACKAGE_NAME tether)
set(CPACK_PACKAGE_VENDOR "Tether")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL runtime development)
if(TARGET tether_c)
  list(APPEND CPACK_COMPONENTS_ALL library)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# MIT (LICENSE); the SPDX identifier for the generators that carry one, and in each package's
# usr/share/doc/<package>/copyright (installed by TetherInstall.cmake).
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RPM_PACKAGE_LICENSE MIT)
# Binaries without their debug information: 0.9-1.5 MB each instead of about 15 MB.
set(CPACK_STRIP_FILES ON)

# The Maintainer field: TETHER_PACKAGE_MAINTAINER if given, else whoever builds the package as git knows
# them (user.name <user.email>, as dch does), else the project's placeholder on the reserved .invalid
# domain, which says that nobody was named.
set(TETHER_PACKAGE_MAINTAINER "" CACHE STRING "Maintainer field of the Debian packages (\"Name <address>\")")
set(tether_maintainer "${TETHER_PACKAGE_MAINTAINER}")
find_package(Git QUIET)
if(tether_maintainer STREQUAL "" AND GIT_EXECUTABLE)
  execute_process(COMMAND ${GIT_EXECUTABLE} config user.name WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE tether_git_name OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE tether_git_name_code
                  ERROR_QUIET)
  execute_process(COMMAND ${GIT_EXECUTABLE} config user.email WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE tether_git_email OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE tether_git_email_code ERROR_QUIET)
  if(tether_git_name_code EQUAL 0 AND tether_git_email_code EQUAL 0 AND NOT tether_git_name STREQUAL ""
     AND tether_git_email MATCHES "^[^@ <>]+@[^@ <>]+$")
    set(tether_maintainer "${tether_git_name} <${tether_git_email}>")
  endif()
endif()
if(tether_maintainer STREQUAL "")
  set(tether_maintainer "The Tether developers <maintainers@tether.invalid>")
endif()
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${tether_maintainer}")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME tether)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; these are the extended descriptions.
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "A controller launches a worker, keeps it running, adopts it after a controller\nrestart and asks it to shut down through a named shared-memory segment; the\nworker finishes its unit of work and leaves. Programs: tether-controller,\ntether-listener, tether.")
# The runtime dependencies (libc, libstdc++, libfmt) come from dpkg-shlibdeps; libsystemd0 is loaded
# at run time (under a service manager only), which dpkg-shlibdeps cannot see.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libsystemd0")

# The C ABI's shared library in a package named for its soname (libtether_c.so.1), as Debian policy
# asks, with a shlibs file so that packages of workers linking it get their dependency from dpkg-shlibdeps.
set(CPACK_DEBIAN_LIBRARY_PACKAGE_NAME libtether-c1)
set(CPACK_DEBIAN_LIBRARY_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIBRARY_DESCRIPTION
    "The C ABI of tether workers (tether/listener.h), for workers written in C,\nPython (ctypes) or Rust: register with the controller, mark units of work,\nsend heartbeats, and leave when a shutdown is requested.")
set(CPACK_DEBIAN_LIBRARY_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libtether-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION
    "Development files for writing tether workers: headers (tether/listener.hpp,\ntether/listener.h), static libraries, the CMake package (find_package(tether),\ntether::tether, tether::c), pkg-config files (tether, tether-c) and examples.")
# What a consumer needs: the shared library behind the .so link. The static libraries carry what they
# use of Boost, fmt and nlohmann-json (header-only), so no -dev package of theirs is needed; the
# programs, to run a worker under a controller, are suggested.
if(TARGET tether_c)
  set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "libtether-c1 (= ${PROJECT_VERSION})")
endif()
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SUGGESTS "tether (= ${PROJECT_VERSION})")

include(CPack)
