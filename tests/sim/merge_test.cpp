// Goal: a campaign split into shards and merged says exactly what one run over the union says (totals,
// coverage, violations, findings), whatever the order of the summaries; merging refuses what cannot be
// merged and reports what is missing. Method: sweep the shards and the whole range with the library,
// pass every shard's summary through its JSON text (as the CLI does), merge, and compare field by field.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <functional>

#include "campaign_summary.hpp"
#include "merge.hpp"

namespace tether::sim {
namespace {

// A planted bug that fails a few seeds in a thousand, so that findings exist but classifying them (a
// shrink each) stays cheap in a Debug build.
SimConfig planted_bug_config() {
  SimConfig config;
  config.mutant = Mutant::registration_clears_shutdown;
  return config;
}

constexpr std::uint64_t campaign_seeds = 3000;
constexpr std::uint64_t campaign_seed_start = 5;
constexpr std::uint64_t determinism_every = 100;

// One shard of the campaign (or the whole of it: 0/1), summarised and passed through its JSON text.
NamedSummary run_shard(const SimConfig& config, ShardSpec shard, std::uint64_t seeds = campaign_seeds) {
  SweepOptions options;
  options.config = config;
  options.determinism_every = determinism_every;
  const SeedRange range = shard_seeds(campaign_seed_start, seeds, shard);
  options.first_seed = range.first_seed;
  options.seeds = range.seeds;
  options.jobs = 2;
  const SweepSummary sweep = run_sweep(options);
  const CampaignSummary summary =
      summary_of_run(sweep, determinism_every, options.coverage_seeds_min, campaign_seed_start, seeds, shard,
                     classify_failures(config, sweep.failures, 2));
  auto loaded = summary_from_json(summary_to_json(summary));
  EXPECT_TRUE(loaded) << loaded.error();
  return {"shard-" + std::to_string(shard.index) + ".json", std::move(loaded.value())};
}

// Everything a merged campaign and a single run must agree on (not the wall times).
void expect_same_campaign(const CampaignSummary& merged, const CampaignSummary& single) {
  EXPECT_EQ(merged.totals.seeds_run, single.totals.seeds_run);
  EXPECT_EQ(merged.totals.steps, single.totals.steps);
  EXPECT_EQ(merged.totals.segment_ops, single.totals.segment_ops);
  EXPECT_EQ(merged.totals.liveness_skipped, single.totals.liveness_skipped);
  EXPECT_EQ(merged.totals.coverage, single.totals.coverage);
  EXPECT_EQ(merged.totals.nondeterminism, single.totals.nondeterminism);
  EXPECT_EQ(merged.totals.missing_situations, single.totals.missing_situations);
  EXPECT_EQ(merged.violations, single.violations);
  ASSERT_EQ(merged.totals.failures.size(), single.totals.failures.size());
  for (std::size_t i = 0; i < merged.totals.failures.size(); ++i) {
    EXPECT_EQ(merged.totals.failures[i].seed, single.totals.failures[i].seed);
    EXPECT_EQ(merged.totals.failures[i].violation.detail, single.totals.failures[i].violation.detail);
  }
  ASSERT_EQ(merged.first_failures.size(), single.first_failures.size());
  for (const auto& [name, failure] : single.first_failures)
    EXPECT_EQ(merged.first_failures.at(name).seed, failure.seed);
  ASSERT_EQ(merged.findings.size(), single.findings.size());
  for (std::size_t i = 0; i < merged.findings.size(); ++i) {
    EXPECT_EQ(merged.findings[i].signature, single.findings[i].signature);
    EXPECT_EQ(merged.findings[i].count, single.findings[i].count);
    EXPECT_EQ(merged.findings[i].first_seed, single.findings[i].first_seed);
    EXPECT_EQ(merged.findings[i].shortest.seed, single.findings[i].shortest.seed);
    EXPECT_EQ(merged.findings[i].shortest.decisions, single.findings[i].shortest.decisions);
  }
  EXPECT_EQ(merged.passed(), single.passed());
}

// A sweep per summary is the cost here: ctest runs each test in a process of its own, so each test
// makes the summaries it needs, once.
std::vector<NamedSummary> run_shards(const SimConfig& config, std::uint64_t count) {
  std::vector<NamedSummary> shards;
  for (std::uint64_t index = 0; index < count; ++index) shards.push_back(run_shard(config, {index, count}));
  return shards;
}

TEST(SimMerge, ShardsMergeIntoTheSingleRunInAnyOrder) {
  const NamedSummary single_run = run_shard(planted_bug_config(), ShardSpec{0, 1});
  const CampaignSummary& single = single_run.loaded.summary;
  const std::vector<NamedSummary> shards = run_shards(planted_bug_config(), 3);
  ASSERT_EQ(single.totals.seeds_run, campaign_seeds);
  ASSERT_FALSE(single.findings.empty()) << "the planted bug must fail some of the seeds for this test to mean much";
  auto forward = merge_summaries(shards);
  ASSERT_TRUE(forward) << forward.error();
  EXPECT_TRUE(forward.value().complete());
  expect_same_campaign(forward.value(), single);
  std::vector<NamedSummary> reordered(shards.rbegin(), shards.rend());
  std::rotate(reordered.begin(), reordered.begin() + 1, reordered.end());
  auto other_order = merge_summaries(reordered);
  ASSERT_TRUE(other_order) << other_order.error();
  // Byte for byte: the wall times too are summed in shard order.
  EXPECT_EQ(summary_to_json(forward.value()), summary_to_json(other_order.value()));

  // A merge of a merge is a merge.
  auto first_two = merge_summaries({shards[0], shards[1]});
  ASSERT_TRUE(first_two) << first_two.error();
  auto reloaded = summary_from_json(summary_to_json(first_two.value()));
  ASSERT_TRUE(reloaded) << reloaded.error();
  auto all = merge_summaries({shards[2], {"partial.json", reloaded.value()}});
  ASSERT_TRUE(all) << all.error();
  expect_same_campaign(all.value(), single);
}

TEST(SimMerge, ReportsMissingAndFailedShardsWithoutDroppingThem) {
  const std::vector<NamedSummary> shards = run_shards(planted_bug_config(), 3);
  auto partial = merge_summaries({shards[2], shards[0]});
  ASSERT_TRUE(partial) << partial.error();
  EXPECT_FALSE(partial.value().complete());
  EXPECT_FALSE(partial.value().passed());
  EXPECT_EQ(missing_shards(partial.value()), std::vector<std::uint64_t>{1});
  EXPECT_EQ(partial.value().totals.seeds_run,
            shards[0].loaded.summary.totals.seeds_run + shards[2].loaded.summary.totals.seeds_run);

  // What scripts/campaign-shard writes when the shard's process fails.
  const std::string failure_record = R"({"format": "tether-sim-shard-failure", "version": 1,
      "campaign": {"seed_start": 5, "seeds": 3000, "shards": 3}, "shard": 1, "exit_code": 134, "log": "shard-1.log"})";
  auto record = summary_from_json(failure_record);
  ASSERT_TRUE(record) << record.error();
  auto with_failure = merge_summaries({shards[0], {"shard-1.failed.json", record.value()}, shards[2]});
  ASSERT_TRUE(with_failure) << with_failure.error();
  EXPECT_FALSE(with_failure.value().complete());
  EXPECT_FALSE(with_failure.value().passed());
  EXPECT_TRUE(missing_shards(with_failure.value()).empty());
  ASSERT_EQ(with_failure.value().shards.size(), 3u);
  EXPECT_FALSE(with_failure.value().shards[1].ran);
  EXPECT_EQ(with_failure.value().shards[1].exit_code, 134);
  EXPECT_EQ(with_failure.value().shards[1].range.first_seed, shard_seeds(5, 3000, {1, 3}).first_seed);
  // The failure survives a merge of the merge, and a retry that ran replaces it.
  auto reloaded = summary_from_json(summary_to_json(with_failure.value()));
  ASSERT_TRUE(reloaded) << reloaded.error();
  EXPECT_FALSE(reloaded.value().summary.complete());
  auto retried = merge_summaries({{"merged.json", reloaded.value()}, shards[1]});
  ASSERT_TRUE(retried) << retried.error();
  EXPECT_TRUE(retried.value().complete());
  // Only failure records: nothing says what the campaign ran.
  EXPECT_FALSE(merge_summaries({{"only.json", record.value()}}));
}

// A planted bug that fails about one seed in 25: many failing seeds, classified in a few seconds.
SimConfig frequent_bug_config() {
  SimConfig config;
  config.mutant = Mutant::sigterm_exits_mid_unit;
  return config;
}

// Edits a summary's JSON text and reads it back (the reader must accept the edit).
NamedSummary edited(const NamedSummary& original, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json document = nlohmann::json::parse(summary_to_json(original.loaded.summary));
  edit(document);
  auto loaded = summary_from_json(document.dump());
  EXPECT_TRUE(loaded) << loaded.error();
  return {"edited-" + original.file, loaded ? loaded.value() : LoadedSummary{}};
}

// Version, protocol, configuration and campaign must match; one shard may not be merged twice.
TEST(SimMerge, RefusesSummariesOfAnotherVersionProtocolConfigurationOrCampaign) {
  const std::vector<NamedSummary> shards = run_shards(planted_bug_config(), 3);
  const std::vector<std::pair<std::string, std::function<void(nlohmann::json&)>>> edits = {
      {"tether version", [](nlohmann::json& d) { d["tether_version"] = "9.9.9"; }},
      {"mutant", [](nlohmann::json& d) { d["mutant"] = "none"; }},
      {"protocol",
       [](nlohmann::json& d) {
         d["protocol"] = "seed";
         d["mutant"] = "none";
       }},
      {"pid_count", [](nlohmann::json& d) { d["configuration"]["pid_count"] = 7; }},
      {"steps_max", [](nlohmann::json& d) { d["configuration"]["steps_max"] = 100; }},
      {"check_determinism", [](nlohmann::json& d) { d["configuration"]["check_determinism"] = 1; }},
      {"scheduler", [](nlohmann::json& d) { d["configuration"]["scheduler"] = "pct"; }},
      {"seed_start",
       [](nlohmann::json& d) {
         d["campaign"]["seed_start"] = 6;
         d["shards"][0]["first_seed"] = d["shards"][0]["first_seed"].get<std::uint64_t>() + 1;
       }},
  };
  for (const auto& [what, edit] : edits) {
    const auto merged = merge_summaries({shards[0], edited(shards[1], edit)});
    ASSERT_FALSE(merged) << what;
    EXPECT_NE(merged.error().find(what), std::string::npos) << merged.error();
    EXPECT_NE(merged.error().find("cannot be merged"), std::string::npos) << merged.error();
  }
  const auto overlapping = merge_summaries({shards[0], shards[1], shards[1]});
  ASSERT_FALSE(overlapping);
  EXPECT_NE(overlapping.error().find("shard 1/3 is in both"), std::string::npos) << overlapping.error();
}

// Many failing seeds of one planted bug become a few findings, each of which replays to its invariant.
TEST(SimMerge, ManyFailingSeedsBecomeFewFindings) {
  const NamedSummary single_run = run_shard(frequent_bug_config(), ShardSpec{0, 1}, 1000);
  const CampaignSummary& single = single_run.loaded.summary;
  ASSERT_GE(single.failures_total(), 30u);  // 44 in seeds 5 to 1004
  EXPECT_LE(single.findings.size() * 4, single.failures_total());
  std::uint64_t counted = 0;
  for (const Finding& finding : single.findings) {
    counted += finding.count;
    EXPECT_EQ(finding.signature, signature_of(finding.invariant, finding.events));
    EXPECT_EQ(signature_events(finding.shortest), finding.events);
    ASSERT_TRUE(finding.shortest.violation.has_value());
    EXPECT_EQ(finding.shortest.violation->invariant, finding.invariant);
  }
  EXPECT_EQ(counted, single.failures_total());
}

TEST(SimMergeInput, RefusesHostileSummaries) {
  const std::vector<std::string> bad = {
      "",
      "[]",
      "not json",
      std::string(100, '[') + std::string(100, ']'),
      R"({"format": "tether-sim-summary"})",
      R"({"format": "tether-sim-summary", "version": 2})",
      R"({"format": "something-else", "version": 1})",
      R"({"format": "tether-sim-shard-failure", "version": 1, "campaign": {"seed_start": 1, "seeds": 10, "shards": 3},
          "shard": 3, "exit_code": 1, "log": "x"})",
      R"({"format": "tether-sim-shard-failure", "version": 1, "campaign": {"seed_start": 1, "seeds": 2, "shards": 3},
          "shard": 0, "exit_code": 1, "log": "x"})",
      R"({"format": "tether-sim-shard-failure", "version": 1, "campaign": {"seed_start": 1, "seeds": 10, "shards": 3},
          "shard": -1, "exit_code": 1, "log": "x"})",
      R"({"format": "tether-sim-shard-failure", "version": 1,
          "campaign": {"seed_start": 18446744073709551615, "seeds": 10, "shards": 3}, "shard": 0, "exit_code": 1, "log": "x"})",
  };
  for (const std::string& text : bad) EXPECT_FALSE(summary_from_json(text)) << text;
}

TEST(SimMerge, RefusesSummariesWhoseFieldsContradictEachOther) {
  const NamedSummary single_run = run_shard(frequent_bug_config(), ShardSpec{0, 1}, 300);
  const std::vector<std::function<void(nlohmann::json&)>> edits = {
      [](nlohmann::json& d) { d["shards"][0]["first_seed"] = 1; },    // not the block of its index
      [](nlohmann::json& d) { d["shards"][0]["index"] = 3; },         // not one of 3 shards
      [](nlohmann::json& d) { d["shards"][0]["seeds_run"] = 5000; },  // more than its block
      [](nlohmann::json& d) { d["totals"]["steps"] = -1; },
      [](nlohmann::json& d) { d["totals"]["coverage"]["no_such_situation"] = 1; },
      [](nlohmann::json& d) { d["totals"]["coverage"].erase("adoption"); },
      [](nlohmann::json& d) { d["totals"]["violations"]["no_such_invariant"] = 1; },
      [](nlohmann::json& d) { d["totals"]["elapsed_s"] = "fast"; },
      [](nlohmann::json& d) { d["findings"][0]["signature"] = "0000000000000000"; },
      [](nlohmann::json& d) { d["findings"][0]["count"] = 0; },
      [](nlohmann::json& d) { d["findings"][0]["scenario"]["decisions"] = "none"; },
      [](nlohmann::json& d) { d["configuration"]["pid_count"] = 1; },
      [](nlohmann::json& d) { d["configuration"]["scheduler"] = "fifo"; },
      [](nlohmann::json& d) { d["configuration"]["pct_depth"] = 0; },
      [](nlohmann::json& d) { d["configuration"]["pct_steps"] = "many"; },
      [](nlohmann::json& d) { d.erase("campaign"); },
      [](nlohmann::json& d) { d["totals"]["seeds_run"] = 299; },  // not the shards' sum
      [](nlohmann::json& d) { d["findings"][0]["count"] = d["findings"][0]["count"].get<int>() + 1; },
      [](nlohmann::json& d) { d["failures"].erase(0); },
      [](nlohmann::json& d) { d["totals"]["violations"]["torn_unit"] = 1000; },
  };
  ASSERT_FALSE(single_run.loaded.summary.findings.empty());
  for (std::size_t i = 0; i < edits.size(); ++i) {
    nlohmann::json document = nlohmann::json::parse(summary_to_json(single_run.loaded.summary));
    edits[i](document);
    EXPECT_FALSE(summary_from_json(document.dump())) << "edit " << i;
  }
}

}  // namespace
}  // namespace tether::sim
