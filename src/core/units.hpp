#pragma once
// The one place durations change units. The cores count monotonic nanoseconds in std::uint64_t (the
// segment's heartbeat word has that unit); configuration and logs speak milliseconds.
#include <chrono>
#include <cstdint>

namespace tether {

inline constexpr std::uint64_t ns_per_us = 1'000;
inline constexpr std::uint64_t ns_per_ms = 1'000'000;
inline constexpr std::uint64_t ns_per_s = 1'000'000'000;

constexpr std::uint64_t ms_to_ns(std::uint64_t duration_ms) { return duration_ms * ns_per_ms; }
constexpr std::uint64_t ns_to_ms(std::uint64_t duration_ns) { return duration_ns / ns_per_ms; }
// For waits that must never end early: a poll or futex timeout in whole milliseconds.
constexpr std::uint64_t ns_to_ms_ceil(std::uint64_t duration_ns) { return (duration_ns + ns_per_ms - 1) / ns_per_ms; }

// A deadline that would pass the end of time stays at the end of time (a huge configured timeout must
// not wrap round to the past).
constexpr std::uint64_t saturating_sum(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// For drivers that hold std::chrono values.
constexpr std::uint64_t to_ns(std::chrono::nanoseconds duration) {
  return static_cast<std::uint64_t>(duration.count());
}

}  // namespace tether
