# Man pages for the binaries, generated from their --help by help2man (Debian package help2man) at build
# time and installed with them. Without help2man the build says so once and ships no man pages.
find_program(TETHER_HELP2MAN help2man)
if(NOT TETHER_HELP2MAN)
  message(STATUS "help2man not found: no man pages (apt-get install help2man)")
  return()
endif()

# One line each, for the NAME section.
set(tether_man_summary_tether-controller "launch a worker under a name, keep it running, stop it gracefully")
set(tether_man_summary_tether-listener "the example tether worker: units of simulated work, clean shutdown")
set(tether_man_summary_tether "inspect and steer tether pairs: status, list, shutdown, clean")
set(tether_man_summary_tether-sim "deterministic simulation of the tether protocol: sweep, replay, shrink")

# Compressed as Debian policy asks (gzip -9n: no name or time stamp, so builds are reproducible).
find_program(TETHER_GZIP gzip REQUIRED)
set(tether_man_pages)
foreach(program IN LISTS tether_programs)
  set(page ${CMAKE_BINARY_DIR}/man/man1/${program}.1)
  add_custom_command(OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man/man1
    COMMAND ${TETHER_HELP2MAN} --no-info --no-discard-stderr --section=1
            --version-string=${PROJECT_VERSION} "--name=${tether_man_summary_${program}}"
            --include=${CMAKE_CURRENT_LIST_DIR}/man_see_also.h2m
            --output=${page} $<TARGET_FILE:${program}>
    COMMAND ${TETHER_GZIP} -9nf ${page}
    DEPENDS ${program} ${CMAKE_CURRENT_LIST_DIR}/man_see_also.h2m
    COMMENT "Man page ${program}.1"
    VERBATIM)
  list(APPEND tether_man_pages ${page}.gz)
endforeach()
add_custom_target(tether_man_pages ALL DEPENDS ${tether_man_pages})
install(FILES ${tether_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
