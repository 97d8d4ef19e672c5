#pragma once
// The controller's signals (SIGINT, SIGTERM, SIGUSR1, SIGHUP) as a readable descriptor for its poll
// loop: they are blocked for normal delivery and read from a signalfd instead, so no handler runs at an
// arbitrary point of the protocol.
#include <optional>

#include "adapters/unique_fd.hpp"

namespace tether {

class SignalFd {
 public:
  // Blocks the signals in this thread; construct before any other thread starts. Check valid().
  SignalFd();

  [[nodiscard]] bool valid() const { return fd_.valid(); }
  [[nodiscard]] int descriptor() const { return fd_.get(); }
  // The next pending signal number, or nullopt when none is pending.
  std::optional<int> read_signal();

 private:
  UniqueFd fd_;
};

}  // namespace tether
