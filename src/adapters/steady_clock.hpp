#pragma once
// CLOCK_MONOTONIC: system-wide, so heartbeats written by one process compare with another's clock.
#include "core/ports.hpp"

namespace tether {

std::uint64_t monotonic_now_ns();

class SteadyClock final : public ClockPort {
 public:
  std::uint64_t now_ns() override;

 private:
  std::uint64_t last_ns_ = 0;  // the clock must never appear to run backwards to the cores
};

}  // namespace tether
