#pragma once
// The controller's signals (SIGINT, SIGTERM, SIGUSR1, SIGHUP) as a readable descriptor for its poll
// loop: they are blocked for normal delivery and read from a signalfd instead, so no handler runs at an
// arbitrary point of the protocol.
#include <optional>

namespace tether {

class SignalFd {
 public:
  // Blocks the signals in this thread; construct before any other thread starts. Check valid().
  SignalFd();
  ~SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;

  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  [[nodiscard]] int descriptor() const { return fd_; }
  // The next pending signal number, or nullopt when none is pending.
  std::optional<int> read_signal();

 private:
  int fd_ = -1;
};

}  // namespace tether
