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

namespace tether::sim {

struct CheckOptions {
  SimConfig config;  // small_world_config(...) plus protocol and mutant
  // As many deviations as the command line allows: in the small world with the default two crashes the
  // bound does not bind (depth 8 and 16 explore the same 141,513 states), so the default explores all.
  std::uint32_t depth = 16;
  std::uint64_t states_max = 2'000'000;
  std::uint64_t memory_mb_max = 2048;  // of the visited set and the queue, as estimated
  // Look for a violation of this invariant only: a path that violates another one ends there (its run
  // stops at the first violation) and the search goes on. Empty: any invariant.
  std::string invariant;
};

struct CheckResult {
  bool complete = true;               // the whole bounded space was explored
  std::string incomplete_reason;      // which budget ran out, when not complete
  std::uint64_t states = 0;           // distinct fingerprints at frontiers
  std::uint64_t transitions = 0;      // runs: one per successor explored
  std::uint64_t revisits = 0;         // frontiers already in the visited set (pruned)
  std::uint64_t reexpansions = 0;     // states reached again with fewer deviations
  std::uint64_t step_budget_hits = 0;  // runs that used up SimConfig::steps_max (then not complete)
  std::uint64_t other_violations = 0;  // paths ended by an invariant other than options.invariant
  std::uint32_t max_depth = 0;        // deepest BFS level (scheduler decisions from the start)
  std::uint64_t memory_bytes_peak = 0;  // the estimate that --memory-mb-max bounds
  double seconds = 0;
  std::optional<Scenario> violation;  // the first found, on a path of the fewest scheduler decisions
};

CheckResult check(const CheckOptions& options);

// Probability that two of `states` distinct states share a fingerprint, by the birthday bound with the
// cores' 64-bit hashes as the weakest part (world_fingerprint.cpp): states^2 / 2^65.
double collision_probability(std::uint64_t states);

}  // namespace tether::sim
