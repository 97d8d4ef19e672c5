/* The C ABI from C99: UNITS units (argv[1]) and leave, built against an installed tether. */
#include <tether/listener.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const long units = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
  tether_error error;
  tether_session* session = NULL;
  if (tether_session_open(NULL, &session, &error) != TETHER_OK) {
    fprintf(stderr, "consumer_worker_c: %s\n", error.message);
    return error.exit_code;
  }
  long done = 0;
  while (done < units && !tether_session_should_stop(session)) {
    tether_session_begin_unit(session);
    tether_session_wait_for_shutdown(session, 20); /* stands in for the work */
    tether_session_end_unit(session);
    ++done;
  }
  printf("consumer_worker_c: %ld units as listener of %s (libtether_c %s)\n", done, tether_session_name(session),
         tether_library_version());
  tether_session_close(session);
  return 0;
}
