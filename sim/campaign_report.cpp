#include "campaign_report.hpp"

#include <fmt/format.h>

#include "merge.hpp"

namespace tether::sim {

namespace {
double per_second(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

std::string shard_list(const std::vector<std::uint64_t>& indices) {
  std::string list;
  for (const std::uint64_t index : indices) list += (list.empty() ? "" : ", ") + std::to_string(index);
  return list;
}

std::vector<const ShardRecord*> failed_shards(const CampaignSummary& summary) {
  std::vector<const ShardRecord*> failed;
  for (const ShardRecord& shard : summary.shards) {
    if (!shard.ran) failed.push_back(&shard);
  }
  return failed;
}

std::uint64_t findings_of(const CampaignSummary& summary, const std::string& invariant_name) {
  std::uint64_t count = 0;
  for (const Finding& finding : summary.findings) count += finding.invariant == invariant_name ? 1 : 0;
  return count;
}

std::string verdict(const CampaignSummary& summary) {
  if (!summary.complete()) return "INCOMPLETE";
  return summary.passed() ? "PASS" : "FAIL";
}
}  // namespace

std::string findings_text(const CampaignSummary& summary, const std::vector<std::string>& files) {
  if (summary.findings.empty()) return "";
  std::string text = fmt::format("findings: {} from {} failing seeds (grouped by invariant and shrunk signature)\n",
                                 summary.findings.size(), summary.failures_total());
  for (const Finding& finding : summary.findings) {
    text += fmt::format("  {:<24} {}  {:>6} seeds  shortest: seed {}, {} steps\n", finding.invariant, finding.signature,
                        finding.count, finding.shortest.seed, finding.steps);
    for (const std::string& event : finding.events) text += fmt::format("      {}\n", event);
  }
  for (const std::string& file : files) text += fmt::format("  written: {}\n", file);
  return text;
}

std::string campaign_text(const CampaignSummary& summary, const std::vector<std::string>& files) {
  const SweepSummary& totals = summary.totals;
  std::string text = fmt::format(
      "campaign: tether {}, protocol {}, mutant {}, seeds {} to {} in {} shards\n"
      "shards: {} of {} ran; {} seeds, {} steps, {} segment ops in {:.2f} s of shard time ({:.0f} seeds/s per shard)\n",
      summary.tether_version, protocol_name(summary.config.protocol), mutant_name(summary.config.mutant),
      summary.seed_start, summary.seed_start + summary.seeds - 1, summary.shard_count,
      summary.shards.size() - failed_shards(summary).size(), summary.shard_count, totals.seeds_run, totals.steps,
      totals.segment_ops, totals.elapsed_s, per_second(totals.seeds_run, totals.elapsed_s));
  const auto missing = missing_shards(summary);
  if (!missing.empty()) text += fmt::format("MISSING SHARDS: {} (no summary)\n", shard_list(missing));
  for (const ShardRecord* shard : failed_shards(summary)) {
    text += fmt::format("FAILED SHARD: {} (seeds {} to {}) exited {}; its output: {}\n", shard->index,
                        shard->range.first_seed, shard->range.first_seed + shard->range.seeds - 1, shard->exit_code,
                        shard->log);
  }
  if (summary.violations.empty()) {
    text += "violations: none\n";
  } else {
    text += fmt::format("violations: {} seeds failed\n", summary.failures_total());
    for (const auto& [name, count] : summary.violations) {
      const SweepFailure& first = summary.first_failures.at(name);
      text += fmt::format("  {:<24} {:>6}  first: seed {}: {}\n", name, count, first.seed, first.violation.detail);
    }
  }
  text += findings_text(summary, files);
  if (totals.liveness_skipped > 0) {
    text += fmt::format("liveness: skipped in {} runs that used up their step budget\n", totals.liveness_skipped);
  }
  for (const std::string& line : totals.nondeterminism) text += "NONDETERMINISM: " + line + "\n";
  text += "coverage:";
  for (std::size_t i = 0; i < situation_count; ++i) {
    text += fmt::format("{}{} {}", i % 4 == 0 ? "\n  " : ", ", situation_name(static_cast<Situation>(i)),
                        totals.coverage[i]);
  }
  text += "\n";
  for (const std::string& situation : totals.missing_situations) {
    text += fmt::format("COVERAGE: situation {} never occurred: the campaign did not test it\n", situation);
  }
  return text + verdict(summary) + "\n";
}

std::string campaign_markdown(const CampaignSummary& summary) {
  const SweepSummary& totals = summary.totals;
  std::string text = fmt::format(
      "# Campaign report: {}\n\n"
      "tether {}, protocol `{}`, mutant `{}`, pids {}, steps {}, fault phase {} ms; seeds {} to {} in {} shards.\n\n"
      "| | |\n|---|---|\n| shards that ran | {} of {} |\n| seeds run | {} |\n| steps | {} |\n"
      "| segment operations | {} |\n| shard time | {:.2f} s |\n| seeds/s per shard | {:.0f} |\n"
      "| failing seeds | {} |\n| findings | {} |\n| nondeterminism | {} |\n| situations never reached | {} |\n\n",
      verdict(summary), summary.tether_version, protocol_name(summary.config.protocol),
      mutant_name(summary.config.mutant), summary.config.pid_count, summary.config.steps_max,
      summary.config.fault_phase_ms, summary.seed_start, summary.seed_start + summary.seeds - 1, summary.shard_count,
      summary.shards.size() - failed_shards(summary).size(), summary.shard_count, totals.seeds_run, totals.steps,
      totals.segment_ops, totals.elapsed_s, per_second(totals.seeds_run, totals.elapsed_s), summary.failures_total(),
      summary.findings.size(), totals.nondeterminism.size(), totals.missing_situations.size());
  text +=
      "## Shards\n\n| shard | seeds | run | time (s) | seeds/s | failing | status "
      "|\n|---:|---|---:|---:|---:|---:|---|\n";
  for (const ShardRecord& shard : summary.shards) {
    text +=
        fmt::format("| {} | {}–{} | {} | {:.2f} | {:.0f} | {} | {} |\n", shard.index, shard.range.first_seed,
                    shard.range.first_seed + shard.range.seeds - 1, shard.seeds_run, shard.elapsed_s,
                    per_second(shard.seeds_run, shard.elapsed_s), shard.failures,
                    shard.ran ? std::string("ran") : fmt::format("FAILED (exit {}, {})", shard.exit_code, shard.log));
  }
  for (const std::uint64_t index : missing_shards(summary)) {
    const SeedRange range = shard_seeds(summary.seed_start, summary.seeds, ShardSpec{index, summary.shard_count});
    text += fmt::format("| {} | {}–{} | 0 | | | | MISSING |\n", index, range.first_seed,
                        range.first_seed + range.seeds - 1);
  }
  text +=
      "\n## Violations by invariant\n\n| invariant | failing seeds | findings | first seed |\n|---|---:|---:|---:|\n";
  for (const std::string_view name : invariant::all) {
    const auto count = summary.violations.find(std::string(name));
    const auto first = summary.first_failures.find(std::string(name));
    text += fmt::format("| `{}` | {} | {} | {} |\n", name, count == summary.violations.end() ? 0 : count->second,
                        findings_of(summary, std::string(name)),
                        first == summary.first_failures.end() ? std::string("–") : std::to_string(first->second.seed));
  }
  text += "\n## Findings\n\n";
  if (summary.findings.empty()) text += "None.\n";
  for (const Finding& finding : summary.findings) {
    text +=
        fmt::format("- `{}` `{}`: {} seeds (first {}); shortest: seed {}, {} steps. Last events:\n", finding.invariant,
                    finding.signature, finding.count, finding.first_seed, finding.shortest.seed, finding.steps);
    for (const std::string& event : finding.events) text += fmt::format("  - {}\n", event);
  }
  text += "\n## Coverage\n\n| situation | occurrences | per 1000 seeds |\n|---|---:|---:|\n";
  for (std::size_t i = 0; i < situation_count; ++i) {
    text += fmt::format("| `{}` | {} | {:.1f} |{}\n", situation_name(static_cast<Situation>(i)), totals.coverage[i],
                        per_second(totals.coverage[i] * 1000, static_cast<double>(totals.seeds_run)),
                        totals.coverage[i] == 0 ? " never reached" : "");
  }
  for (const std::string& line : totals.nondeterminism) text += "\nNONDETERMINISM: " + line + "\n";
  return text;
}

PlotData campaign_plot_data(const CampaignSummary& summary) {
  PlotData data;
  data.shards = "# shard first_seed seeds_run elapsed_s seeds_per_s failing ran\n";
  for (const ShardRecord& shard : summary.shards) {
    data.shards +=
        fmt::format("{} {} {} {:.6f} {:.1f} {} {}\n", shard.index, shard.range.first_seed, shard.seeds_run,
                    shard.elapsed_s, per_second(shard.seeds_run, shard.elapsed_s), shard.failures, shard.ran ? 1 : 0);
  }
  data.invariants = "# invariant failing_seeds findings\n";
  for (const std::string_view name : invariant::all) {
    const auto count = summary.violations.find(std::string(name));
    data.invariants += fmt::format("{} {} {}\n", name, count == summary.violations.end() ? 0 : count->second,
                                   findings_of(summary, std::string(name)));
  }
  data.coverage = "# situation occurrences\n";
  for (std::size_t i = 0; i < situation_count; ++i) {
    data.coverage += fmt::format("{} {}\n", situation_name(static_cast<Situation>(i)), summary.totals.coverage[i]);
  }
  return data;
}

}  // namespace tether::sim
