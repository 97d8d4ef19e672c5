# Man pages: hand-written in docs/man/PROGRAM.1 (sections from the real behaviour, not a dump of --help),
# installed with the binaries, and checked against them by tests/man/man_page_test.py (ctest Man.PROGRAM):
# every long option each binary and each of its commands prints is documented, every documented option
# exists, the required sections are there, and groff renders the page without a warning.
set(tether_man_source_dir ${PROJECT_SOURCE_DIR}/docs/man)

# Compressed as Debian policy asks (gzip -9n: no name or time stamp, so builds are reproducible).
find_program(TETHER_GZIP gzip REQUIRED)
set(tether_man_pages)
foreach(program IN LISTS tether_programs)
  set(source ${tether_man_source_dir}/${program}.1)
  set(page ${CMAKE_BINARY_DIR}/man/man1/${program}.1.gz)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man/man1
    COMMAND ${TETHER_GZIP} -9n -c ${source} > ${page}
    DEPENDS ${source}
    COMMENT "Man page ${program}.1"
    VERBATIM)
  list(APPEND tether_man_pages ${page})
endforeach()
add_custom_target(tether_man_pages ALL DEPENDS ${tether_man_pages})
install(FILES ${tether_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)

if(NOT TETHER_BUILD_TESTS)
  return()
endif()
find_package(Python3 COMPONENTS Interpreter QUIET)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the man pages are not checked")
  return()
endif()
# Each page against its binary; the other programs' options may be mentioned in passing.
foreach(program IN LISTS tether_programs)
  set(others ${tether_programs})
  list(REMOVE_ITEM others ${program})
  list(TRANSFORM others PREPEND "--program=")
  add_test(NAME Man.${program}
    COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/tests/man/man_page_test.py
            --bin-dir ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} --page ${tether_man_source_dir}/${program}.1
            --program=${program} ${others})
  set_tests_properties(Man.${program} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()
