#include "adapters/steady_clock.hpp"

#include <cassert>
#include <ctime>

#include "core/units.hpp"

namespace tether {

std::uint64_t monotonic_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * ns_per_s + static_cast<std::uint64_t>(now.tv_nsec);
}

std::uint64_t SteadyClock::now_ns() {
  const std::uint64_t now = monotonic_now_ns();
  assert(now >= last_ns_);
  last_ns_ = now;
  return now;
}

}  // namespace tether
