#pragma once
// Stateful exhaustive exploration (`tether-sim check`, issue 13): breadth-first search over the worlds
// of the small fixed configuration (SimConfig::explore), each reached by replaying a decision prefix,
// with a visited set of world fingerprints (World::fingerprint). Every run is an ordinary simulated
// run of the production cores, so every invariant the world checks is checked on every path explored.
//
// A node is a decision prefix. Its run replays the prefix and stops at the first scheduler decision
// beyond it (the frontier: a complete state). Successors: the frontier decision's every value, and
// every other value of each decision drawn inside the steps between the prefix and the frontier
// (a crash, a latency: they are other outcomes of the same transition). Only frontier states enter the
// visited set: a point inside a step is not a complete state.
//
// Bounds: `depth` caps the decisions that deviate from 0 (preemptions and crashes), as in `explore`;
// the crash budget and the pid space are the world's. A state reached again with fewer deviations is
// expanded again, so the search covers every state reachable within the bound.
#include <cstdint>
#include <optional>
#include <string>

#include "scenario.hpp"
#include "state_search.hpp"

namespace tether::sim {

struct CheckOptions {
  SimConfig config;  // small_world_config(...) plus protocol and mutant
  // As many deviations as the command line allows: in the small world with two crashes and no fault the
  // bound does not bind (depth 8 and 16 explore the same 141,513 states), so the default explores all.
  std::uint32_t depth = 16;
  std::uint64_t states_max = 2'000'000;
  std::uint64_t memory_mb_max = 2048;  // of the visited set and the queue, as estimated
  // Look for a violation of this invariant only: a path that violates another one ends there (its run
  // stops at the first violation) and the search goes on. Empty: any invariant.
  std::string invariant;
  // Partial-order reduction by sleep sets (state_search.hpp): the same states' verdicts from fewer
  // transitions; liveness is then not judged (a reduced graph may lack a cycle's edges).
  bool reduction = false;
};

struct CheckResult : SearchStats {
  std::optional<Scenario> violation;  // the first found, on a path of the fewest scheduler decisions
  // A path that never ends (found only when the search completed without a violation): the decisions
  // reaching a state, and those leading from it back to it.
  std::optional<Lasso> lasso;
};

CheckResult check(const CheckOptions& options);

// The faults `tether-sim check` inserts by default (docs/SIMULATOR.md says what they cover and what
// they cost): small enough to complete in CI, large enough to hold the races the project has met.
FaultBounds default_check_faults();

// Probability that two of `states` distinct states share a fingerprint, by the birthday bound with the
// cores' 64-bit hashes as the weakest part (world_fingerprint.cpp): states^2 / 2^65.
double collision_probability(std::uint64_t states);

}  // namespace tether::sim
