# Install rules, the CMake package (find_package(tether) -> tether::tether, tether::c), pkg-config files,
# man pages and the Debian packages (cpack -G DEB). Included once from the top-level CMakeLists.txt.
#
# Three components, as Debian ships a program with a library:
#   runtime      the binaries, their man pages, the documentation (`tether`)
#   library      the C ABI's shared library, libtether_c.so.1 (`libtether-c1`, named for its soname)
#   development  headers, static libraries, the .so link, CMake package, pkg-config files, examples
#                (`libtether-dev`)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Debian policy puts libraries in the multiarch directory (usr/lib/x86_64-linux-gnu). GNUInstallDirs
# chooses it only when the prefix is /usr at configure time, while the packages are made from any build
# (cpack installs into /usr): on Debian and its derivatives, GNUInstallDirs' plain default "lib" becomes
# the multiarch directory. A -DCMAKE_INSTALL_LIBDIR other than "lib" is kept.
if(CMAKE_INSTALL_LIBDIR STREQUAL "lib" AND CMAKE_LIBRARY_ARCHITECTURE AND EXISTS /etc/debian_version)
  set(CMAKE_INSTALL_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE})
endif()

set(TETHER_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tether)

# The binaries (tether-sim only when the simulator is built).
set(tether_programs tether-controller tether-listener tether)
if(TARGET tether-sim)
  list(APPEND tether_programs tether-sim)
endif()
install(TARGETS ${tether_programs} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# The libraries behind tether::tether. tether_flags is linked privately by the static libraries, so
# CMake needs it in the export too; consumers get only its link options (sanitizer runtimes), never
# our warning flags.
set_target_properties(tether_core PROPERTIES EXPORT_NAME core)
set_target_properties(tether_adapters PROPERTIES EXPORT_NAME adapters)
set_target_properties(tether_flags PROPERTIES EXPORT_NAME internal_flags)
set(tether_exported tether_api tether_adapters tether_core tether_flags)
if(TARGET tether_c)
  list(APPEND tether_exported tether_c)
endif()
install(TARGETS ${tether_exported} EXPORT tether-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library NAMELINK_COMPONENT development)
# The public headers only (listener.hpp, error.hpp, result.hpp, listener.h): they include nothing else of ours.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tether DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT development FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")

install(EXPORT tether-targets NAMESPACE tether:: FILE tetherTargets.cmake
  DESTINATION ${TETHER_INSTALL_CMAKEDIR} COMPONENT development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/tetherConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/package/tetherConfig.cmake
  INSTALL_DESTINATION ${TETHER_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/package/tetherConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/package/tetherConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/package/tetherConfigVersion.cmake
  DESTINATION ${TETHER_INSTALL_CMAKEDIR} COMPONENT development)

# pkg-config, relocatable: the prefix is computed from the .pc file's own location.
file(RELATIVE_PATH TETHER_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/tether.pc.in ${CMAKE_CURRENT_BINARY_DIR}/package/tether.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/tether-c.pc.in ${CMAKE_CURRENT_BINARY_DIR}/package/tether-c.pc @ONLY)
set(tether_pc_files ${CMAKE_CURRENT_BINARY_DIR}/package/tether.pc)
if(TARGET tether_c)
  list(APPEND tether_pc_files ${CMAKE_CURRENT_BINARY_DIR}/package/tether-c.pc)
endif()
install(FILES ${tether_pc_files} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)

# Documentation and the examples' sources. Each Debian package has its copyright file (machine-readable,
# License: MIT) in usr/share/doc/<package>/, as Debian policy asks; LICENSE beside the documentation.
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian-copyright DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright
  COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian-copyright DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/libtether-dev
  RENAME copyright COMPONENT development)
if(TARGET tether_c)
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian-copyright DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/libtether-c1
    RENAME copyright COMPONENT library)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR}
  COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime
  FILES_MATCHING PATTERN "*.md")
if(EXISTS ${PROJECT_SOURCE_DIR}/examples)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
    COMPONENT development)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/TetherManPages.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/TetherPackaging.cmake)
