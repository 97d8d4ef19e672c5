#include "runner.hpp"

#include <algorithm>

namespace tether::sim {

namespace {
RunOutput run_with(const SimConfig& config, Decisions decisions, Trace& trace,
                   std::optional<std::size_t> frontier_after = std::nullopt) {
  World world(config, decisions, trace);
  if (frontier_after.has_value()) world.stop_at_frontier(*frontier_after);
  RunOutput output;
  output.result = world.run();
  output.decisions = decisions.taken();
  output.ranges = decisions.ranges();
  return output;
}
}  // namespace

RunOutput run_seed(const SimConfig& config, std::uint64_t seed, Trace& trace) {
  return run_with(config, Decisions::recording(seed), trace);
}

RunOutput run_decisions(const SimConfig& config, const std::vector<std::uint32_t>& decisions, Trace& trace) {
  return run_with(config, Decisions::replaying(decisions), trace);
}

RunOutput run_to_frontier(const SimConfig& config, const std::vector<std::uint32_t>& prefix, Trace& trace) {
  return run_with(config, Decisions::replaying(prefix), trace, prefix.size());
}

DeterminismReport check_determinism(const SimConfig& config, std::uint64_t seed) {
  Trace first(false, true);
  Trace second(false, true);
  run_seed(config, seed, first);
  run_seed(config, seed, second);
  DeterminismReport report;
  report.hash_first = first.hash();
  report.hash_second = second.hash();
  const auto& a = first.step_hashes();
  const auto& b = second.step_hashes();
  report.identical = report.hash_first == report.hash_second && a == b;
  if (!report.identical) {
    const auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
    report.first_divergent_step = static_cast<std::uint64_t>(mismatch.first - a.begin()) + 1;
  }
  return report;
}

}  // namespace tether::sim
