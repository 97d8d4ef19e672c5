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

// A configuration the world cannot run is refused before any run, with a kind, a message naming the
// option and EX_USAGE: each rule of SimConfig::problem() at its edge, just inside and just outside.
TEST(SimConfigProblems, EachRuleRefusesJustOutsideItsRange) {
  struct Case {
    const char* name;
    void (*breaks)(SimConfig&);
    void (*mends)(SimConfig&);
    SimConfigErrorKind kind;
    const char* names;
  };
  const Case cases[] = {
      {"pid_count low", [](SimConfig& c) { c.pid_count = SimConfig::pid_count_min - 1; },
       [](SimConfig& c) { c.pid_count = SimConfig::pid_count_min; }, SimConfigErrorKind::out_of_range, "pid_count"},
      {"pid_count high", [](SimConfig& c) { c.pid_count = SimConfig::pid_count_max + 1; },
       [](SimConfig& c) { c.pid_count = SimConfig::pid_count_max; }, SimConfigErrorKind::out_of_range, "pid_count"},
      {"steps", [](SimConfig& c) { c.steps_max = SimConfig::steps_max_max + 1; },
       [](SimConfig& c) { c.steps_max = SimConfig::steps_max_max; }, SimConfigErrorKind::out_of_range, "steps"},
      {"no steps", [](SimConfig& c) { c.steps_max = 0; }, [](SimConfig& c) { c.steps_max = 1; },
       SimConfigErrorKind::out_of_range, "steps"},
      {"fault phase", [](SimConfig& c) { c.fault_phase_ms = SimConfig::fault_phase_ms_max + 1; },
       [](SimConfig& c) { c.fault_phase_ms = SimConfig::fault_phase_ms_max; }, SimConfigErrorKind::out_of_range,
       "fault_phase_ms"},
      {"no fault phase", [](SimConfig& c) { c.fault_phase_ms = 0; }, [](SimConfig& c) { c.fault_phase_ms = 1; },
       SimConfigErrorKind::out_of_range, "fault_phase_ms"},
      {"crash budget", [](SimConfig& c) { c.crash_budget = SimConfig::crash_budget_max + 1; },
       [](SimConfig& c) { c.crash_budget = SimConfig::crash_budget_max; }, SimConfigErrorKind::out_of_range,
       "crash_budget"},
      {"pct steps", [](SimConfig& c) { c.scheduler.pct_steps = SchedulerConfig::pct_steps_max + 1; },
       [](SimConfig& c) { c.scheduler.pct_steps = SchedulerConfig::pct_steps_max; }, SimConfigErrorKind::out_of_range,
       "pct steps"},
      {"bounds in a sweep", [](SimConfig& c) { c.fault_bounds.stalls = 1; },
       [](SimConfig& c) { c.fault_bounds.stalls = 0; }, SimConfigErrorKind::bounds_outside_check, "small world"},
      {"seed mutant",
       [](SimConfig& c) {
         c.protocol = Protocol::seed;
         c.mutant = Mutant::escalation_lost;
       },
       [](SimConfig& c) { c.mutant = Mutant::none; }, SimConfigErrorKind::mutant_in_seed_protocol, "seed protocol"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    SimConfig config;
    ASSERT_FALSE(config.problem().has_value());
    test.breaks(config);
    const auto problem = config.problem();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->kind, test.kind);
    EXPECT_EQ(problem->exit_code, 64);  // EX_USAGE
    EXPECT_NE(problem->message.find(test.names), std::string::npos) << problem->message;
    test.mends(config);
    EXPECT_FALSE(config.problem().has_value());
  }
}

}  // namespace
}  // namespace tether::sim
