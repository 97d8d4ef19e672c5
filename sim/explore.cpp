#include "explore.hpp"

#include <algorithm>

#include "runner.hpp"

namespace tether::sim {

ExploreResult explore(const ExploreOptions& options) {
  ExploreResult result;
  SimConfig config = options.config;
  config.explore = true;
  for (std::uint32_t depth = 0; depth <= options.depth; ++depth) {
    result.depth_searched = depth;
    std::vector<std::uint32_t> prefix;
    // An odometer over the first `depth` decisions: each run is a distinct path, so the loop ends after
    // at most the product of their ranges runs (and runs_max bounds it regardless).
    while (result.runs < options.runs_max) {
      Trace trace;
      const RunOutput output = run_decisions(config, prefix, trace);
      ++result.runs;
      if (output.result.violation) {
        const bool shorter = !result.shortest || output.result.violation->step < result.shortest->violation->step;
        if (shorter) {
          Scenario found;
          found.config = config;
          found.decisions = output.decisions;
          found.violation = output.result.violation;
          result.shortest = found;
        }
      }
      const std::size_t varied = std::min<std::size_t>(depth, output.decisions.size());
      std::size_t position = varied;
      while (position > 0 && output.decisions[position - 1] + 1 >= output.ranges[position - 1]) --position;
      if (position == 0) break;
      prefix.assign(output.decisions.begin(), output.decisions.begin() + static_cast<std::ptrdiff_t>(position));
      ++prefix.back();
    }
    if (result.runs >= options.runs_max) {
      result.complete = false;
      break;
    }
    if (result.shortest) break;
  }
  return result;
}

}  // namespace tether::sim
