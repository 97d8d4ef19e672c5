#include "cli_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace tether::sim {

namespace {
double per_second(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}
}  // namespace

std::string summary_text(const SweepSummary& summary, const ScenarioPaths& paths) {
  // The scheduler is named only when it is not the default, so swarm sweeps print as they always did.
  const std::string scheduler = summary.config.scheduler.kind == SchedulerKind::swarm
                                    ? std::string()
                                    : ", scheduler " + summary.config.scheduler.text();
  std::string text = fmt::format(
      "protocol {}, mutant {}{}{}: {} seeds, {} steps, {} segment ops in {:.2f} s\n"
      "throughput: {:.0f} seeds/s, {:.0f} steps/s, {:.0f} segment ops/s\n",
      protocol_name(summary.config.protocol), mutant_name(summary.config.mutant),
      summary.config.defences_off == 0
          ? std::string()
          : fmt::format(", defences off: {}", fmt::join(defence_names(summary.config.defences_off), ", ")),
      scheduler, summary.seeds_run, summary.steps, summary.segment_ops, summary.elapsed_s,
      per_second(summary.seeds_run, summary.elapsed_s), per_second(summary.steps, summary.elapsed_s),
      per_second(summary.segment_ops, summary.elapsed_s));
  if (summary.failures.empty()) {
    text += "violations: none\n";
  } else {
    text += fmt::format("violations: {} seeds failed", summary.failures.size());
    if (summary.first_failure_s) text += fmt::format(" (first found after {:.3f} s)", *summary.first_failure_s);
    text += "\n";
    for (const auto& [name, count] : summary.violations_by_invariant()) {
      for (std::size_t i = 0; i < summary.failures.size(); ++i) {
        const SweepFailure& failure = summary.failures[i];
        if (failure.violation.invariant != name) continue;
        text +=
            fmt::format("  {:<24} {:>6}  first: seed {}: {}\n", name, count, failure.seed, failure.violation.detail);
        if (!paths[i].empty()) text += fmt::format("  {:<24} {:>6}  replay: tether-sim replay {}\n", "", "", paths[i]);
        break;
      }
    }
  }
  if (summary.liveness_skipped > 0) {
    text += fmt::format("liveness: skipped in {} runs that used up their step budget\n", summary.liveness_skipped);
  }
  for (const std::string& line : summary.nondeterminism) text += "NONDETERMINISM: " + line + "\n";
  text += "coverage:";
  for (std::size_t i = 0; i < situation_count; ++i) {
    text += fmt::format("{}{} {}", i % 4 == 0 ? "\n  " : ", ", situation_name(static_cast<Situation>(i)),
                        summary.coverage[i]);
  }
  text += "\n";
  for (const std::string& missing : summary.missing_situations) {
    text += fmt::format("COVERAGE: situation {} never occurred: the sweep did not test it\n", missing);
  }
  text += summary.passed() ? "PASS\n" : "FAIL\n";
  return text;
}

nlohmann::json summary_json(const SweepSummary& summary, const ScenarioPaths& paths) {
  nlohmann::json violations = nlohmann::json::array();
  for (std::size_t i = 0; i < summary.failures.size(); ++i) {
    const SweepFailure& failure = summary.failures[i];
    violations.push_back({{"seed", failure.seed},
                          {"invariant", failure.violation.invariant},
                          {"step", failure.violation.step},
                          {"detail", failure.violation.detail},
                          {"scenario", paths[i].empty() ? nlohmann::json(nullptr) : nlohmann::json(paths[i])}});
  }
  nlohmann::json coverage = nlohmann::json::object();
  for (std::size_t i = 0; i < situation_count; ++i) {
    coverage[std::string(situation_name(static_cast<Situation>(i)))] = summary.coverage[i];
  }
  return {
      {"protocol", protocol_name(summary.config.protocol)},
      {"mutant", mutant_name(summary.config.mutant)},
      {"scheduler", summary.config.scheduler.text()},
      {"seeds", summary.seeds_run},
      {"steps", summary.steps},
      {"segment_ops", summary.segment_ops},
      {"elapsed_s", summary.elapsed_s},
      {"seeds_per_s", per_second(summary.seeds_run, summary.elapsed_s)},
      {"steps_per_s", per_second(summary.steps, summary.elapsed_s)},
      {"first_failure_s", summary.first_failure_s ? nlohmann::json(*summary.first_failure_s) : nlohmann::json(nullptr)},
      {"violations", violations},
      {"nondeterminism", summary.nondeterminism},
      {"missing_situations", summary.missing_situations},
      {"liveness_skipped", summary.liveness_skipped},
      {"coverage", coverage},
      {"passed", summary.passed()}};
}

}  // namespace tether::sim
