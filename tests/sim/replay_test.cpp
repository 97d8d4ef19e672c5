// Goal: a run is a pure function of its seed (or its decision log), and the self-check that guards
// this can tell two different runs apart. Method: run seeds twice, replay recorded logs, and compare
// trace hashes, step hashes and violations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runner.hpp"
#include "sweep.hpp"

namespace tether::sim {
namespace {

TEST(SimDeterminism, SameSeedGivesIdenticalTraces) {
  for (const Protocol protocol : {Protocol::tether, Protocol::seed}) {
    SimConfig config;
    config.protocol = protocol;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const DeterminismReport report = check_determinism(config, seed);
      EXPECT_TRUE(report.identical) << "seed " << seed << " diverges at step " << report.first_divergent_step;
      EXPECT_EQ(report.hash_first, report.hash_second);
    }
  }
}

TEST(SimDeterminism, DifferentSeedsGiveDifferentTraces) {
  // The check above is only worth something if the hash tells runs apart.
  SimConfig config;
  Trace a(false, true);
  Trace b(false, true);
  run_seed(config, 1, a);
  run_seed(config, 2, b);
  EXPECT_NE(a.hash(), b.hash());
  EXPECT_NE(a.step_hashes(), b.step_hashes());
}

TEST(SimReplay, DecisionLogReproducesTheRunExactly) {
  SimConfig config;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Trace recorded;
    const RunOutput original = run_seed(config, seed, recorded);
    Trace replayed;
    const RunOutput again = run_decisions(config, original.decisions, replayed);
    EXPECT_EQ(recorded.hash(), replayed.hash()) << "seed " << seed;
    EXPECT_EQ(original.result.steps, again.result.steps);
    EXPECT_EQ(original.decisions, again.decisions);
  }
}

TEST(SimReplay, RecordedFailureReproducesThroughAScenarioFile) {
  SimConfig config;
  config.protocol = Protocol::seed;
  std::optional<Scenario> failing;
  for (std::uint64_t seed = 1; seed <= 500 && !failing; ++seed) {
    Scenario scenario = scenario_for_seed(config, seed);
    if (scenario.violation && scenario.violation->invariant == "shutdown_lost") failing = scenario;
  }
  ASSERT_TRUE(failing.has_value()) << "no lost shutdown in 500 seeds of the seed protocol";
  const auto parsed = scenario_from_json(scenario_to_json(*failing));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  Trace trace(true);
  const RunOutput replayed = run_decisions(parsed.value().config, parsed.value().decisions, trace);
  ASSERT_TRUE(replayed.result.violation.has_value());
  EXPECT_EQ(replayed.result.violation->invariant, "shutdown_lost");
  EXPECT_EQ(replayed.result.violation->step, failing->violation->step);
  EXPECT_FALSE(trace.records().empty());
  EXPECT_EQ(trace.records().back().op, TraceOp::check);  // the timeline ends with the violation
}

TEST(SimReplay, ChromeTraceHasEventsAndThreadNames) {
  SimConfig config;
  Trace trace(true);
  run_seed(config, 7, trace);
  const std::string json = chrome_trace(trace).dump();
  EXPECT_NE(json.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(json.find("thread_name"), std::string::npos);
  EXPECT_NE(json.find("controller#1"), std::string::npos);
}

// Perfetto orders events of one timestamp as it likes: a run whose records share virtual instants
// still exports strictly increasing timestamps, in the run's order, each with its virtual time.
TEST(SimReplay, ChromeTraceKeepsTheOrderOfRecordsAtOneInstant) {
  SimConfig config;
  Trace trace(true);
  run_seed(config, 7, trace);
  const auto& records = trace.records();
  std::size_t shared_instants = 0;
  for (std::size_t i = 1; i < records.size(); ++i) shared_instants += records[i].time_ns == records[i - 1].time_ns;
  ASSERT_GT(shared_instants, 0u) << "the run has no two records at one instant";
  const nlohmann::json json = chrome_trace(trace);
  double previous_us = -1;
  std::size_t index = 0;
  for (const nlohmann::json& event : json["traceEvents"]) {
    if (event["ph"] != "i") continue;
    ASSERT_LT(index, records.size());
    const double at_us = event["ts"].get<double>();
    EXPECT_GT(at_us, previous_us) << "event " << index;
    EXPECT_GE(at_us * 1e3 + 0.5, static_cast<double>(records[index].time_ns)) << "event " << index;
    EXPECT_EQ(event["args"]["step"], records[index].step);
    EXPECT_DOUBLE_EQ(event["args"]["time_ms"].get<double>(), static_cast<double>(records[index].time_ns) / 1e6);
    previous_us = at_us;
    ++index;
  }
  EXPECT_EQ(index, records.size());
}

}  // namespace
}  // namespace tether::sim
