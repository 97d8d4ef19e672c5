#include "adapters/signal_fd.hpp"

#include <csignal>
#include <sys/signalfd.h>
#include <unistd.h>

namespace tether {

SignalFd::SignalFd() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal_number : {SIGINT, SIGTERM, SIGUSR1, SIGHUP}) sigaddset(&signals, signal_number);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  fd_.reset(signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
}

std::optional<int> SignalFd::read_signal() {
  signalfd_siginfo info{};
  const ssize_t size = read(fd_.get(), &info, sizeof info);
  if (size != static_cast<ssize_t>(sizeof info)) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace tether
