/* The floor of bench/peers: the least a supervisor can do. posix_spawn the worker, wait for it, spawn
 * it again at once; SIGUSR1 stops it (SIGTERM to the worker, no respawn), SIGUSR2 starts it again,
 * SIGTERM stops it and exits. Every wake-up is a signal (sigwaitinfo): no timer, no polling. */
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGCHLD);
  sigaddset(&handled, SIGUSR1);
  sigaddset(&handled, SIGUSR2);
  sigaddset(&handled, SIGTERM);
  sigprocmask(SIG_BLOCK, &handled, NULL);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t worker = 0;
  int up = 1;
  int leaving = 0;
  for (;;) {
    if (up && worker == 0 && posix_spawn(&worker, argv[1], NULL, &attributes, argv + 1, environ) != 0) return 71;
    if (leaving && worker == 0) return 0;
    siginfo_t info;
    if (sigwaitinfo(&handled, &info) < 0) continue;
    if (info.si_signo == SIGCHLD) {
      while (worker != 0 && waitpid(worker, NULL, WNOHANG) == worker) worker = 0;
    } else if (info.si_signo == SIGUSR2) {
      up = 1;
    } else {
      up = 0;
      leaving = info.si_signo == SIGTERM;
      if (worker != 0) kill(worker, SIGTERM);
    }
  }
}
