#pragma once
// The command line of campaigns: `run`'s options --seed-start, --shard, --summary and --findings, and
// the `merge` subcommand. Kept out of main.cpp, which only registers them.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sweep.hpp"

namespace tether::sim {

struct CampaignRunOptions {
  std::string seed_start_text = "1";  // parsed by apply_campaign
  std::uint64_t seed_start = 1;
  std::string shard;         // "I/N"; empty: the whole campaign (0/1)
  std::string summary_file;  // empty: no summary written
  std::string findings_dir;  // empty: findings only when a summary is written, no files
  bool stop_at_first = false;
};

void add_campaign_run_options(CLI::App& run, CampaignRunOptions& campaign, CLI::Option* seed_option);

// Turns --seeds (the campaign's size), --seed-start and --shard into the seeds this run sweeps. The
// error (the CLI exits 64) says which value is wrong.
std::optional<std::string> apply_campaign(CampaignRunOptions& campaign, SweepOptions& sweep);

// After the sweep: when a summary or findings were asked for, classifies the failures into findings,
// prints them (unless `quiet`), writes their files and the summary. Returns `code`, or the file error's
// exit code.
int finish_campaign_run(const CampaignRunOptions& campaign, const SweepOptions& sweep, const SweepSummary& summary,
                        std::uint64_t campaign_seeds, bool quiet, int code);

struct MergeOptions {
  std::vector<std::string> files;
  std::string output;        // -o: the merged summary
  std::string report;        // --report: Markdown
  std::string plot_data;     // --plot-data PREFIX
  std::string findings_dir;  // --findings: one file per finding
};

CLI::App* add_merge_command(CLI::App& app, MergeOptions& merge);
int command_merge(const MergeOptions& merge);

}  // namespace tether::sim
