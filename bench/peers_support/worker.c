/* The one worker every supervisor in bench/peers runs: static, no runtime. It appends one line per
 * event to LOG (argv[1]) with the CLOCK_MONOTONIC time, so the harness can time restarts and stops
 * against its own clock: "start PID NS" when it begins, "term PID NS" when SIGTERM arrives (then it
 * exits 0). With argv[2] = N it writes a newline to descriptor N first (s6's notification-fd). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;

static void note(const char* what) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  char line[96];
  int length = snprintf(line, sizeof line, "%s %d %lld\n", what, (int)getpid(),
                        (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  if (write(log_fd, line, (size_t)length) < 0) _exit(3); /* one write: lines never interleave */
}

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  log_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (log_fd < 0) return 73;
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, NULL);
  note("start");
  if (argc > 2) {
    int ready_fd = atoi(argv[2]);
    if (write(ready_fd, "\n", 1) == 1) close(ready_fd);
  }
  int received = 0;
  while (sigwait(&term, &received) != 0) {
  }
  note("term");
  return 0;
}
