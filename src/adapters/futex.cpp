#include "adapters/futex.hpp"

#include <cerrno>
#include <climits>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/units.hpp"

namespace tether {

namespace {
// std::atomic<uint32_t> is layout-compatible with uint32_t on Linux (lock-free, same size): the kernel
// compares and sleeps on that same word.
std::uint32_t* word_address(const std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return const_cast<std::uint32_t*>(reinterpret_cast<const std::uint32_t*>(&word));
}
}  // namespace

FutexWait futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected, std::uint64_t timeout_ns) {
  timespec timeout{};
  timeout.tv_sec = static_cast<time_t>(timeout_ns / ns_per_s);
  timeout.tv_nsec = static_cast<long>(timeout_ns % ns_per_s);
  const long result = syscall(SYS_futex, word_address(word), FUTEX_WAIT, expected, &timeout, nullptr, 0);
  if (result == 0) return FutexWait::woken;
  switch (errno) {
    case ETIMEDOUT: return FutexWait::timed_out;
    case EAGAIN: return FutexWait::value_changed;
    default: return FutexWait::interrupted;
  }
}

void futex_wake_all(const std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, word_address(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace tether
