#include "campaign_cli.hpp"

#include <fmt/format.h>

#include <limits>

#include "campaign_report.hpp"
#include "core/exit_codes.hpp"
#include "merge.hpp"

namespace tether::sim {

namespace {

int file_failed(const char* command, const FileError& error) {
  fmt::print(stderr, "tether-sim {}: {}\n", command, error.message);
  return error.exit_code;
}

ShardSpec shard_of(const CampaignRunOptions& campaign) {
  if (campaign.shard.empty()) return ShardSpec{};
  return parse_shard(campaign.shard).value();  // apply_campaign accepted it
}

// Writes the findings' files and the finding-related output of a campaign; the paths go into `files`.
int write_campaign_findings(const char* command, const std::string& directory, const CampaignSummary& summary,
                            std::vector<std::string>& files) {
  if (directory.empty()) return exit_code::ok;
  auto written = write_findings(directory, summary.config, summary.findings, summary.first_failures);
  if (!written) return file_failed(command, written.error());
  files = std::move(written.value());
  return exit_code::ok;
}

}  // namespace

void add_campaign_run_options(CLI::App& run, CampaignRunOptions& campaign, CLI::Option* seed_option) {
  run.add_option("--seed-start", campaign.seed_start_text, "first seed of the campaign, a whole number (default 1)")
      ->excludes(seed_option);
  run.add_option("--shard", campaign.shard,
                 "I/N: run only shard I (from 0) of N of the campaign's --seeds (docs/SIMULATOR.md, Campaigns)")
      ->excludes(seed_option);
  run.add_option("--summary", campaign.summary_file, "write a mergeable campaign summary (JSON) here");
  run.add_option("--findings", campaign.findings_dir,
                 "group failures into findings and write one file per finding here");
}

std::optional<std::string> apply_campaign(CampaignRunOptions& campaign, SweepOptions& sweep) {
  const auto seed_start = parse_whole_number(campaign.seed_start_text);
  if (!seed_start) return fmt::format("--seed-start must be a whole number from 0, not '{}'", campaign.seed_start_text);
  campaign.seed_start = *seed_start;
  ShardSpec shard;
  if (!campaign.shard.empty()) {
    auto parsed = parse_shard(campaign.shard);
    if (!parsed) return parsed.error();
    shard = parsed.value();
  }
  const bool campaign_output = !campaign.summary_file.empty() || !campaign.findings_dir.empty();
  if (campaign.stop_at_first && (shard.count > 1 || campaign_output)) {
    return std::string(
        "--stop-at-first ends a sweep early: its totals would not be a campaign's (drop it with --shard, "
        "--summary or --findings)");
  }
  if (auto checked = check_campaign(campaign.seed_start, sweep.seeds, shard); !checked) return checked.error();
  const SeedRange range = shard_seeds(campaign.seed_start, sweep.seeds, shard);
  sweep.first_seed = range.first_seed;
  sweep.seeds = range.seeds;
  // A shard is too small a part to judge coverage: the merge judges the campaign's union.
  if (shard.count > 1) sweep.coverage_seeds_min = std::numeric_limits<std::uint64_t>::max();
  return std::nullopt;
}

int finish_campaign_run(const CampaignRunOptions& campaign, const SweepOptions& sweep, const SweepSummary& summary,
                        std::uint64_t campaign_seeds, bool quiet, int code) {
  if (campaign.summary_file.empty() && campaign.findings_dir.empty()) return code;
  std::vector<Finding> findings = classify_failures(sweep.config, summary.failures, sweep.jobs);
  const CampaignSummary campaign_summary =
      summary_of_run(summary, sweep.determinism_every, SweepOptions{}.coverage_seeds_min, campaign.seed_start,
                     campaign_seeds, shard_of(campaign), std::move(findings));
  std::vector<std::string> files;
  if (const int written = write_campaign_findings("run", campaign.findings_dir, campaign_summary, files);
      written != exit_code::ok) {
    return written;
  }
  if (!quiet) fmt::print("{}", findings_text(campaign_summary, files));
  if (!campaign.summary_file.empty()) {
    if (auto saved = write_text_file(campaign.summary_file, summary_to_json(campaign_summary)); !saved) {
      return file_failed("run", saved.error());
    }
    if (!quiet) fmt::print("campaign summary written to {}\n", campaign.summary_file);
  }
  return code;
}

CLI::App* add_merge_command(CLI::App& app, MergeOptions& merge) {
  auto* command = app.add_subcommand("merge", "merge campaign summaries (run --summary) into one, with findings");
  command->add_option("summaries", merge.files, "summary files of the campaign's shards")->required();
  command->add_option("-o,--output", merge.output, "write the merged summary here (it can be merged again)");
  command->add_option("--report", merge.report, "write the campaign report as Markdown here");
  command->add_option(
      "--plot-data", merge.plot_data,
      "write PREFIX-shards.dat, PREFIX-invariants.dat, PREFIX-coverage.dat (docs/campaign/report.gnuplot)");
  command->add_option("--findings", merge.findings_dir, "write one scenario file per finding here");
  return command;
}

int command_merge(const MergeOptions& merge) {
  std::vector<NamedSummary> inputs;
  for (const std::string& file : merge.files) {
    auto loaded = load_summary(file);
    if (!loaded) return file_failed("merge", loaded.error());
    inputs.push_back({file, std::move(loaded.value())});
  }
  auto merged = merge_summaries(inputs);
  if (!merged) {
    fmt::print(stderr, "tether-sim merge: {}\n", merged.error());
    return exit_code::data_error;
  }
  const CampaignSummary& summary = merged.value();
  std::vector<std::string> files;
  if (const int written = write_campaign_findings("merge", merge.findings_dir, summary, files);
      written != exit_code::ok) {
    return written;
  }
  std::vector<std::pair<std::string, std::string>> outputs;
  if (!merge.output.empty()) outputs.emplace_back(merge.output, summary_to_json(summary));
  if (!merge.report.empty()) outputs.emplace_back(merge.report, campaign_markdown(summary));
  if (!merge.plot_data.empty()) {
    const PlotData data = campaign_plot_data(summary);
    outputs.emplace_back(merge.plot_data + "-shards.dat", data.shards);
    outputs.emplace_back(merge.plot_data + "-invariants.dat", data.invariants);
    outputs.emplace_back(merge.plot_data + "-coverage.dat", data.coverage);
  }
  for (const auto& [path, contents] : outputs) {
    if (auto saved = write_text_file(path, contents); !saved) return file_failed("merge", saved.error());
  }
  fmt::print("{}", campaign_text(summary, files));
  return summary.passed() ? exit_code::ok : exit_code::failure;
}

}  // namespace tether::sim
