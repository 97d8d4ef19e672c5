#pragma once
// A futex on a 32-bit word of the shared segment, so that an idle listener sleeps in the kernel and
// wakes the moment a shutdown request is stored (no polling). Shared (not private) futexes: the word
// lives in memory mapped by several processes.
#include <atomic>
#include <cstdint>

namespace tether {

enum class FutexWait : std::uint8_t { woken, timed_out, value_changed, interrupted };

// Sleeps while `*word == expected`, at most `timeout_ns`.
FutexWait futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected, std::uint64_t timeout_ns);
void futex_wake_all(const std::atomic<std::uint32_t>& word);

}  // namespace tether
