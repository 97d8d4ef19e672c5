// Goal: any decision log is a valid run. The shrinker, the explorer and the fuzzers (issue 4) hand the
// world logs nobody recorded; none may crash it or trip an assertion. Method: replay thousands of
// pseudo-random logs (values far out of range included) under every protocol and mutant, in a debug
// build with assertions on, and require each run to end.
#include <gtest/gtest.h>

#include "decisions.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace tether::sim {
namespace {

std::vector<std::uint32_t> random_log(Prng& prng) {
  std::vector<std::uint32_t> log(prng.below(400));
  for (std::uint32_t& value : log) {
    // Mostly small values (the ranges in use are small), sometimes anything at all.
    value = static_cast<std::uint32_t>(prng.below(8) == 0 ? prng.below(UINT32_MAX) : prng.below(40));
  }
  return log;
}

TEST(SimRobustness, ArbitraryDecisionLogsRunToTheEnd) {
  Prng prng(20240611);
  std::vector<SimConfig> configs;
  for (const Protocol protocol : {Protocol::tether, Protocol::seed}) {
    SimConfig config;
    config.protocol = protocol;
    configs.push_back(config);
  }
  for (const Mutant mutant : all_mutants) {
    SimConfig config;
    config.mutant = mutant;
    configs.push_back(config);
  }
  SimConfig explore_config;
  explore_config.explore = true;
  explore_config.crash_budget = 2;
  configs.push_back(explore_config);
  std::uint64_t runs = 0;
  for (const SimConfig& config : configs) {
    for (int attempt = 0; attempt < 300; ++attempt) {
      Trace trace;
      const RunOutput output = run_decisions(config, random_log(prng), trace);
      EXPECT_LE(output.result.steps, config.steps_max);
      ++runs;
    }
  }
  EXPECT_EQ(runs, configs.size() * 300);
}

TEST(SimRobustness, DeeplyNestedJsonIsRefusedNotOverflowed) {
  const std::string nested(200000, '[');
  const auto parsed = scenario_from_json(nested);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("nest"), std::string::npos);
}

}  // namespace
}  // namespace tether::sim
