#include "merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace tether::sim {

namespace {

// What two summaries must share to be merged, as "what: value" lines in a fixed order.
std::vector<std::pair<std::string, std::string>> identity_of(const CampaignSummary& summary) {
  return {{"tether version", summary.tether_version},
          {"protocol", std::string(protocol_name(summary.config.protocol))},
          {"mutant", std::string(mutant_name(summary.config.mutant))},
          {"pid_count", std::to_string(summary.config.pid_count)},
          {"steps_max", std::to_string(summary.config.steps_max)},
          {"fault_phase_ms", std::to_string(summary.config.fault_phase_ms)},
          {"scheduler", summary.config.scheduler.text()},
          {"check_determinism", std::to_string(summary.determinism_every)},
          {"coverage_seeds_min", std::to_string(summary.coverage_seeds_min)}};
}

std::vector<std::pair<std::string, std::string>> campaign_of(const CampaignSummary& summary) {
  return {{"seed_start", std::to_string(summary.seed_start)},
          {"seeds", std::to_string(summary.seeds)},
          {"shards", std::to_string(summary.shard_count)}};
}

std::optional<std::string> difference(const std::vector<std::pair<std::string, std::string>>& mine,
                                      const std::vector<std::pair<std::string, std::string>>& theirs,
                                      const std::string& my_file, const std::string& their_file, const char* what) {
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (mine[i].second != theirs[i].second) {
      return fmt::format("{}: {} {} differs from {} in {}: summaries of another {} cannot be merged", their_file,
                         theirs[i].first, theirs[i].second, mine[i].second, my_file, what);
    }
  }
  return std::nullopt;
}

void add_totals(CampaignSummary& merged, const CampaignSummary& part) {
  merged.totals.seeds_run += part.totals.seeds_run;
  merged.totals.steps += part.totals.steps;
  merged.totals.segment_ops += part.totals.segment_ops;
  merged.totals.liveness_skipped += part.totals.liveness_skipped;
  for (std::size_t i = 0; i < situation_count; ++i) merged.totals.coverage[i] += part.totals.coverage[i];
  merged.totals.failures.insert(merged.totals.failures.end(), part.totals.failures.begin(), part.totals.failures.end());
  merged.totals.nondeterminism.insert(merged.totals.nondeterminism.end(), part.totals.nondeterminism.begin(),
                                      part.totals.nondeterminism.end());
  for (const auto& [name, count] : part.violations) merged.violations[name] += count;
  for (const auto& [name, failure] : part.first_failures) {
    auto [at, inserted] = merged.first_failures.try_emplace(name, failure);
    if (!inserted && failure.seed < at->second.seed) at->second = failure;
  }
  merged.findings.insert(merged.findings.end(), part.findings.begin(), part.findings.end());
}

// Sorts what the inputs' order could have changed, recomputes what is derived, and bounds the lists.
void settle(CampaignSummary& merged) {
  std::sort(merged.shards.begin(), merged.shards.end(),
            [](const ShardRecord& a, const ShardRecord& b) { return a.index < b.index; });
  std::sort(merged.totals.failures.begin(), merged.totals.failures.end(),
            [](const SweepFailure& a, const SweepFailure& b) { return a.seed < b.seed; });
  if (merged.totals.failures.size() > failures_listed_max) merged.totals.failures.resize(failures_listed_max);
  std::sort(merged.totals.nondeterminism.begin(), merged.totals.nondeterminism.end());
  merged.findings = group_findings(std::move(merged.findings));
  // Summed in shard order, so that the sum of floating-point times does not depend on the inputs' order.
  merged.totals.elapsed_s = 0;
  for (const ShardRecord& shard : merged.shards) merged.totals.elapsed_s += shard.elapsed_s;
  merged.totals.first_failure_s.reset();
  merged.totals.missing_situations =
      missing_situations(merged.config, merged.totals.seeds_run, merged.totals.coverage, merged.coverage_seeds_min);
}

}  // namespace

Result<CampaignSummary, std::string> merge_summaries(const std::vector<NamedSummary>& inputs) {
  const auto reference =
      std::find_if(inputs.begin(), inputs.end(), [](const NamedSummary& input) { return input.loaded.identity_known; });
  if (reference == inputs.end()) {
    return tether::fail(std::string("no summary of a shard that ran: every input records a failed shard"));
  }
  CampaignSummary merged;
  const CampaignSummary& first = reference->loaded.summary;
  merged.tether_version = first.tether_version;
  merged.config = first.config;
  merged.totals.config = first.config;
  merged.determinism_every = first.determinism_every;
  merged.coverage_seeds_min = first.coverage_seeds_min;
  merged.seed_start = first.seed_start;
  merged.seeds = first.seeds;
  merged.shard_count = first.shard_count;

  std::map<std::uint64_t, std::pair<ShardRecord, std::string>> shards;  // index -> record, file
  // Summaries that ran first: a failure record of a shard that also ran (an engine's retry) is moot.
  for (const bool ran_pass : {true, false}) {
    for (const NamedSummary& input : inputs) {
      const CampaignSummary& part = input.loaded.summary;
      if (input.loaded.identity_known != ran_pass) continue;
      if (auto different = difference(campaign_of(first), campaign_of(part), reference->file, input.file, "campaign")) {
        return tether::fail(*different);
      }
      if (ran_pass) {
        if (auto different = difference(identity_of(first), identity_of(part), reference->file, input.file,
                                        "version, protocol or configuration")) {
          return tether::fail(*different);
        }
      }
      for (const ShardRecord& shard : part.shards) {
        const auto [at, inserted] = shards.try_emplace(shard.index, shard, input.file);
        if (inserted) continue;
        ShardRecord& kept = at->second.first;
        if (kept.ran && shard.ran) {
          return tether::fail(
              fmt::format("shard {}/{} is in both {} and {}: overlapping summaries would count its "
                          "seeds twice",
                          shard.index, merged.shard_count, at->second.second, input.file));
        }
        // A shard that failed once and ran on a retry ran; of two failures, keep one whatever the order.
        if (shard.ran || (!kept.ran && std::tie(shard.exit_code, shard.log) < std::tie(kept.exit_code, kept.log))) {
          at->second = {shard, input.file};
        }
      }
      if (ran_pass) add_totals(merged, part);
    }
  }
  for (auto& [index, record] : shards) merged.shards.push_back(record.first);
  settle(merged);
  return merged;
}

std::vector<std::uint64_t> missing_shards(const CampaignSummary& summary) {
  std::vector<std::uint64_t> missing;
  std::size_t next = 0;  // summary.shards is sorted by index
  for (std::uint64_t index = 0; index < summary.shard_count; ++index) {
    if (next < summary.shards.size() && summary.shards[next].index == index) {
      ++next;
    } else {
      missing.push_back(index);
    }
  }
  return missing;
}

}  // namespace tether::sim
