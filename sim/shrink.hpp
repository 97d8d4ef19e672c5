#pragma once
// Minimising a failing scenario while it still violates the same invariant. It edits the decision log
// (where 0 is always the benign choice): zeroing chunks removes faults and picks the first candidate,
// deleting chunks shortens the run, halving values shortens durations. A candidate is kept when it
// still fails the same way and is smaller: fewer non-zero decisions, then a smaller sum, then fewer.
#include <cstddef>
#include <string>

#include "core/result.hpp"
#include "scenario.hpp"

namespace tether::sim {

struct ShrinkResult {
  Scenario scenario;
  std::size_t replays = 0;
  std::size_t decisions_before = 0;
  std::size_t decisions_after = 0;
  std::size_t nonzero_before = 0;
  std::size_t nonzero_after = 0;
  std::uint64_t steps_before = 0;
  std::uint64_t steps_after = 0;
  std::size_t lines_before = 0;  // the timeline replay prints, up to the violation
  std::size_t lines_after = 0;
};

Result<ShrinkResult, std::string> shrink(const Scenario& failing, std::size_t replays_max = 4000);

}  // namespace tether::sim
