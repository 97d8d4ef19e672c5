// Goal: shrinking keeps the failure while making it smaller, and systematic exploration finds the seed
// protocol's race with a shortest trace while our protocol survives the same bound (and a planted bug
// does not: one preemption suffices for registration_clears_shutdown).
#include <gtest/gtest.h>

#include "explore.hpp"
#include "runner.hpp"
#include "shrink.hpp"
#include "sweep.hpp"

namespace tether::sim {
namespace {

std::size_t nonzero(const std::vector<std::uint32_t>& log) {
  return static_cast<std::size_t>(std::count_if(log.begin(), log.end(), [](std::uint32_t v) { return v != 0; }));
}

TEST(SimShrink, YieldsASmallerScenarioWithTheSameViolation) {
  SimConfig config;
  config.protocol = Protocol::seed;
  std::optional<Scenario> failing;
  for (std::uint64_t seed = 1; seed <= 500 && !failing; ++seed) {
    Scenario scenario = scenario_for_seed(config, seed);
    if (scenario.violation && scenario.violation->invariant == "shutdown_lost") failing = scenario;
  }
  ASSERT_TRUE(failing.has_value());
  const auto shrunk = shrink(*failing, 1500);
  ASSERT_TRUE(shrunk.ok()) << shrunk.error();
  const ShrinkResult& result = shrunk.value();
  EXPECT_EQ(result.scenario.violation->invariant, "shutdown_lost");
  EXPECT_LT(result.nonzero_after, result.nonzero_before);
  EXPECT_LE(nonzero(result.scenario.decisions), nonzero(failing->decisions));
  // The shrunk file replays to the same violation on its own.
  Trace trace;
  const RunOutput replayed = run_decisions(result.scenario.config, result.scenario.decisions, trace);
  ASSERT_TRUE(replayed.result.violation.has_value());
  EXPECT_EQ(replayed.result.violation->invariant, "shutdown_lost");
}

// Fewer decisions must not buy a longer story: zeroing a decision can move faults to time 0, where each
// starts a pointless controller (shrinking three planted bugs' first failures once lengthened their
// timelines by up to 6 lines). Every planted bug's first failure, shrunk, is told in no more lines and
// steps.
TEST(SimShrink, NeverLengthensTheTimeline) {
  for (const Mutant mutant : all_mutants) {
    SweepOptions options;
    options.config.mutant = mutant;
    options.seeds = 3000;
    options.stop_at_first = true;
    options.determinism_every = 0;
    const SweepSummary summary = run_sweep(options);
    ASSERT_FALSE(summary.failures.empty()) << mutant_name(mutant);
    const Scenario failing = scenario_for_seed(options.config, summary.failures.front().seed);
    const auto shrunk = shrink(failing, 400);
    ASSERT_TRUE(shrunk.ok()) << mutant_name(mutant) << ": " << shrunk.error();
    EXPECT_LE(shrunk.value().steps_after, shrunk.value().steps_before) << mutant_name(mutant);
    EXPECT_LE(shrunk.value().lines_after, shrunk.value().lines_before) << mutant_name(mutant);
    EXPECT_GT(shrunk.value().lines_after, 0u) << mutant_name(mutant);
    Trace trace(true);
    run_decisions(shrunk.value().scenario.config, shrunk.value().scenario.decisions, trace);
    const auto shown = std::count_if(trace.records().begin(), trace.records().end(),
                                     [](const TraceRecord& record) { return !record.idle; });
    EXPECT_EQ(static_cast<std::size_t>(shown), shrunk.value().lines_after) << mutant_name(mutant);
    EXPECT_LE(shrunk.value().nonzero_after, shrunk.value().nonzero_before) << mutant_name(mutant);
  }
}

TEST(SimShrink, RefusesAPassingScenario) {
  SimConfig config;
  const Scenario passing = scenario_for_seed(config, 1);
  ASSERT_FALSE(passing.violation.has_value());
  EXPECT_FALSE(shrink(passing, 10).ok());
}

TEST(SimExplore, FindsTheSeedRaceWithAShortTrace) {
  ExploreOptions options;
  options.config.protocol = Protocol::seed;
  options.config.fault_phase_ms = 100;
  options.config.pid_count = 4;
  options.config.crash_budget = 1;
  options.depth = 2;
  const ExploreResult result = explore(options);
  ASSERT_TRUE(result.shortest.has_value());
  EXPECT_EQ(result.shortest->violation->invariant, "shutdown_lost");
  EXPECT_LE(result.shortest->violation->step, 10u);  // controller spawns, tool posts, listener overwrites
}

TEST(SimExplore, TetherSurvivesTheSameBoundAndAPlantedBugDoesNot) {
  ExploreOptions options;
  options.config.fault_phase_ms = 100;
  options.config.pid_count = 4;
  options.config.crash_budget = 1;
  options.depth = 2;  // every run with at most two preemptions or crashes
  const ExploreResult clean = explore(options);
  EXPECT_FALSE(clean.shortest.has_value()) << clean.shortest->violation->detail;
  EXPECT_TRUE(clean.complete);
  EXPECT_GT(clean.runs, 1000u);
  options.config.mutant = Mutant::registration_clears_shutdown;
  const ExploreResult planted = explore(options);
  ASSERT_TRUE(planted.shortest.has_value());
  EXPECT_EQ(planted.shortest->violation->invariant, "shutdown_lost");
}

}  // namespace
}  // namespace tether::sim
