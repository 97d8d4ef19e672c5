#pragma once
// A campaign summary file: what `tether-sim run --summary FILE` writes for one shard (or one whole run)
// and `tether-sim merge` reads, merges and writes again, so that merges of merges work. JSON, format
// "tether-sim-summary", version 1. It names what must be equal for two summaries to merge (the tether
// version, the summary format, protocol, mutant, configuration and the campaign's seed range and shard
// count), the shards it covers, exact totals, the first failures (by seed) and the findings.
// A shard whose process failed is recorded by the entry point (scripts/campaign-shard) in a file of
// format "tether-sim-shard-failure" naming the campaign, the shard, its exit code and its log.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "campaign_shard.hpp"
#include "core/result.hpp"
#include "findings.hpp"
#include "scenario.hpp"
#include "sweep.hpp"

namespace tether::sim {

inline constexpr std::string_view summary_format_name = "tether-sim-summary";
inline constexpr std::string_view shard_failure_format_name = "tether-sim-shard-failure";
inline constexpr std::uint64_t summary_format_version = 1;
// A summary lists at most this many failures (the lowest seeds); counts per invariant stay exact.
inline constexpr std::size_t failures_listed_max = 1000;
// A summary holds failures_listed_max failures and one shrunk scenario per finding: a few MiB at most.
inline constexpr std::size_t summary_file_bytes_max = 64 * 1024 * 1024;

// The tether version the simulator was built from (the project's version in CMakeLists.txt).
std::string_view simulator_tether_version();

struct ShardRecord {
  std::uint64_t index = 0;
  SeedRange range;
  bool ran = true;  // false: the entry point recorded that the shard's process failed
  std::uint64_t seeds_run = 0;
  std::uint64_t failures = 0;
  double elapsed_s = 0;  // the sweep's wall time (findings excluded)
  int exit_code = 0;     // of a shard that failed to run
  std::string log;       // where a failed shard's output went
};

struct CampaignSummary {
  std::string tether_version;
  SimConfig config;
  std::uint64_t determinism_every = 20;
  std::uint64_t coverage_seeds_min = 1000;
  std::uint64_t seed_start = 1;
  std::uint64_t seeds = 0;
  std::uint64_t shard_count = 1;
  std::vector<ShardRecord> shards;  // by index
  // Totals over the shards that ran; failures lists the first failures_listed_max by seed.
  SweepSummary totals;
  std::map<std::string, std::uint64_t> violations;     // exact count per invariant
  std::map<std::string, SweepFailure> first_failures;  // per invariant, the lowest seed
  std::vector<Finding> findings;                       // by invariant, then signature

  // Every shard of the campaign is present and ran.
  [[nodiscard]] bool complete() const;
  [[nodiscard]] bool passed() const { return complete() && totals.passed() && violations.empty(); }
  [[nodiscard]] std::uint64_t failures_total() const;
};

// One shard's summary from its sweep and its findings (classify_failures).
CampaignSummary summary_of_run(const SweepSummary& sweep, std::uint64_t determinism_every,
                               std::uint64_t coverage_seeds_min, std::uint64_t seed_start, std::uint64_t seeds,
                               ShardSpec shard, std::vector<Finding> findings);

std::string summary_to_json(const CampaignSummary& summary);
// A summary file, or a shard-failure record (a summary with that one shard, ran = false, and no
// protocol: `identity_known` false). The error says what is wrong (the CLI exits 65).
struct LoadedSummary {
  CampaignSummary summary;
  bool identity_known = true;
};
Result<LoadedSummary, std::string> summary_from_json(const std::string& text);
Result<LoadedSummary, FileError> load_summary(const std::string& path);

}  // namespace tether::sim
