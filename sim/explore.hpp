#pragma once
// Stateless model checking of a small fixed world (SimConfig::explore), by re-execution: every run
// whose decision log deviates from the default (choice 0: the last process goes on, nobody crashes) in
// at most `depth` places — preemption bounding, as in CHESS: most concurrency bugs need only a few
// preemptions. Iterative deepening on the number of deviations, so the violation found first needs the
// fewest preemptions and crashes; among those, the fewest steps.
#include <cstdint>
#include <optional>

#include "runner.hpp"
#include "scenario.hpp"

namespace tether::sim {

struct ExploreOptions {
  SimConfig config;
  std::uint32_t depth = 2;  // deviations (preemptions and crashes) allowed per run
  std::uint64_t runs_max = 2'000'000;
};

struct ExploreResult {
  std::uint64_t runs = 0;
  std::uint32_t depth_searched = 0;  // the deviation bound reached (completely, unless !complete)
  bool complete = true;              // false when runs_max cut the search short
  std::optional<Scenario> shortest;  // a violating scenario with the fewest deviations, then steps
};

ExploreResult explore(const ExploreOptions& options);

// The small fixed world both systematic searches (explore, check) run: SimConfig::explore with the
// given crash budget and pid space, a short fault phase and a step budget far above its runs.
SimConfig small_world_config(std::uint32_t crashes, std::uint32_t pid_count);
// The scenario file of a violating run (its configuration, decisions and violation).
Scenario violating_scenario(const SimConfig& config, const RunOutput& output);

}  // namespace tether::sim
