#include "check.hpp"

#include <algorithm>
#include <cmath>

#include "explore.hpp"
#include "runner.hpp"

namespace tether::sim {

// One controller restart and one removal of the segment (with the default single crash): the races of a
// removed segment (its listener joining the successor, a tool posting into it) and the seed's two
// failures. Every fault kind at once, even at 1 each, is beyond two million states: docs/SIMULATOR.md
// gives the measured count of each kind alone, and scripts/sim-check-bounds runs them.
FaultBounds default_check_faults() {
  FaultBounds bounds;
  bounds.launches = 1;
  bounds.removals = 1;
  return bounds;
}

double collision_probability(std::uint64_t states) {
  const auto count = static_cast<double>(states);
  return std::min(1.0, count * count / std::ldexp(1.0, 65));
}

CheckResult check(const CheckOptions& options) {
  // The simulated world as the search's system: each probe is an ordinary run of the production cores,
  // replaying the prefix and stopping at the first scheduler decision beyond it.
  const Prober probe = [&options](const std::vector<std::uint32_t>& prefix) {
    Trace trace;
    RunOutput output = run_to_frontier(options.config, prefix, trace);
    Probe probed;
    if (output.result.violation) {
      const bool wanted = options.invariant.empty() || output.result.violation->invariant == options.invariant;
      probed.violation = wanted;
      probed.other_violation = !wanted;
    }
    probed.frontier = output.result.frontier;
    probed.effect = output.result.effect;
    // A run that used up its step budget ended early (and the fingerprint leaves the step count out).
    probed.step_budget_hit = !probed.frontier.has_value() && output.result.steps >= options.config.steps_max;
    probed.decisions = std::move(output.decisions);
    probed.ranges = std::move(output.ranges);
    return probed;
  };
  SearchBounds bounds;
  bounds.depth = options.depth;
  bounds.states_max = options.states_max;
  bounds.memory_mb_max = options.memory_mb_max;
  bounds.reduction = options.reduction;
  const SearchOutcome outcome = search(probe, bounds);
  CheckResult result;
  static_cast<SearchStats&>(result) = outcome.stats;
  result.lasso = outcome.lasso;
  if (outcome.violation) {
    // Run once more to the end: the scenario holds the whole violating run's decisions.
    Trace trace;
    result.violation = violating_scenario(options.config, run_decisions(options.config, *outcome.violation, trace));
  }
  return result;
}

}  // namespace tether::sim
