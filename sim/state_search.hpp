#pragma once
// The search behind `tether-sim check`, generic over what it explores: a Prober runs a decision prefix
// and reports where it stopped. check.cpp plugs in the simulated world (run_to_frontier); the unit tests
// plug in small hand-made systems whose state and transition counts are known.
//
// A node is a decision prefix; running it stops at its frontier, a complete state named by its
// fingerprint, with the range of the next decision. Breadth first by frontier decisions, with a visited
// set of fingerprints: a new state's successors are its frontier decision's every value, and every other
// value of each decision drawn inside the steps on the way (other outcomes of the same transition). A
// state reached again with fewer deviations (values other than 0) is expanded again, so `depth` bounds
// deviations without losing states within it. Every edge between states is kept, so that once the
// search completes it can look for a cycle: a path that never ends (liveness), reported as a lasso.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "world.hpp"

namespace tether::sim {

// What running one prefix showed.
struct Probe {
  std::vector<std::uint32_t> decisions;  // the prefix, then the decisions drawn inside steps (as 0)
  std::vector<std::uint32_t> ranges;     // the range of each
  std::optional<Frontier> frontier;      // where it stopped; nullopt: the run ended there
  bool violation = false;                // it violated what the search looks for: the search ends
  bool other_violation = false;          // it violated something else: this path ends
  bool step_budget_hit = false;          // it ended early: what lies beyond went unexplored
  // The transition from the prefix's last decision to the frontier, when that was a frontier decision
  // (the reduction needs it; a prober that gives none simply gets no reduction).
  std::optional<TransitionEffect> effect;
};
using Prober = std::function<Probe(const std::vector<std::uint32_t>& prefix)>;

struct SearchBounds {
  std::uint32_t depth = 16;  // deviations per path
  std::uint64_t states_max = 2'000'000;
  std::uint64_t memory_mb_max = 2048;  // visited set, edges and queue, as estimated
  // Partial-order reduction by sleep sets: a transition that commutes with one already explored from
  // an earlier state is not taken again (state_search.cpp says how).
  bool reduction = false;
};

// A path that never ends: `prefix` reaches a state, and `cycle` leads from it back to it.
struct Lasso {
  std::vector<std::uint32_t> prefix;
  std::vector<std::uint32_t> cycle;
};

struct SearchStats {
  bool complete = true;                 // the whole bounded space was explored
  std::string incomplete_reason;        // which budget ran out, when not complete
  std::uint64_t states = 0;             // distinct fingerprints at frontiers
  std::uint64_t transitions = 0;        // runs: one per successor explored
  std::uint64_t revisits = 0;           // frontiers already in the visited set (pruned)
  std::uint64_t reexpansions = 0;       // states reached again with fewer deviations
  std::uint64_t step_budget_hits = 0;   // runs that ended early (then not complete)
  std::uint64_t other_violations = 0;   // paths ended by a violation the search does not look for
  std::uint64_t edges = 0;              // state-to-state transitions kept for the cycle search
  std::uint64_t slept = 0;              // successors the reduction did not run (asleep)
  bool liveness_judged = false;         // the cycle search ran (complete, no violation, no reduction)
  std::uint32_t max_depth = 0;          // deepest BFS level (frontier decisions from the start)
  std::uint64_t memory_bytes_peak = 0;  // the estimate that memory_mb_max bounds
  double seconds = 0;
};

struct SearchOutcome {
  SearchStats stats;
  std::optional<std::vector<std::uint32_t>> violation;  // the prefix of the first violating run found
  std::optional<Lasso> lasso;                           // looked for only when complete without a violation
};

SearchOutcome search(const Prober& probe, const SearchBounds& bounds);

}  // namespace tether::sim
