#include "explore.hpp"

#include <vector>

#include "runner.hpp"

namespace tether::sim {

namespace {
struct Pending {
  std::vector<std::uint32_t> prefix;  // ends with its last deviation; defaults (0) follow
  std::uint32_t deviations = 0;
};
}  // namespace

SimConfig small_world_config(std::uint32_t crashes, std::uint32_t pid_count) {
  SimConfig config;
  config.explore = true;
  config.crash_budget = crashes;
  config.pid_count = pid_count;
  config.fault_phase_ms = 100;
  config.steps_max = 2000;
  return config;
}

Scenario violating_scenario(const SimConfig& config, const RunOutput& output) {
  Scenario found;
  found.config = config;
  found.decisions = output.decisions;
  found.violation = output.result.violation;
  return found;
}

ExploreResult explore(const ExploreOptions& options) {
  ExploreResult result;
  SimConfig config = options.config;
  config.explore = true;
  for (std::uint32_t bound = 0; bound <= options.depth && !result.shortest; ++bound) {
    result.depth_searched = bound;
    // Depth-first over deviation positions: a child deviates at a position after its parent's last
    // deviation, so every log with at most `bound` deviations is run exactly once. The stack holds at
    // most bound * (positions * range) entries, and runs_max bounds the whole search.
    std::vector<Pending> stack{{{}, 0}};
    while (!stack.empty() && result.runs < options.runs_max) {
      Pending pending = std::move(stack.back());
      stack.pop_back();
      Trace trace;
      const RunOutput output = run_decisions(config, pending.prefix, trace);
      ++result.runs;
      if (output.result.violation) {
        if (!result.shortest || output.result.violation->step < result.shortest->violation->step) {
          result.shortest = violating_scenario(config, output);
        }
        continue;  // a failing run's extensions fail at the same point or later: no shorter trace there
      }
      if (pending.deviations >= bound) continue;
      for (std::size_t position = output.decisions.size(); position-- > pending.prefix.size();) {
        for (std::uint32_t value = output.ranges[position] - 1; value >= 1; --value) {
          Pending child;
          child.prefix.assign(output.decisions.begin(),
                              output.decisions.begin() + static_cast<std::ptrdiff_t>(position));
          child.prefix.push_back(value);
          child.deviations = pending.deviations + 1;
          stack.push_back(std::move(child));
        }
      }
    }
    if (result.runs >= options.runs_max) {
      result.complete = false;
      break;
    }
  }
  return result;
}

}  // namespace tether::sim
