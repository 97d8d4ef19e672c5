// Goal: PCT (sim/pct.hpp) schedules as the algorithm says, changes what a sweep runs, and leaves
// scenarios that replay without it. Method: the scheduler on hand-made ready lists, then whole worlds.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

#include "pct.hpp"
#include "runner.hpp"
#include "sweep.hpp"

namespace tether::sim {
namespace {

SimConfig pct_config(std::uint32_t depth) {
  SimConfig config;
  config.scheduler.kind = SchedulerKind::pct;
  config.scheduler.pct_depth = depth;
  return config;
}

TEST(PctScheduler, DepthOneRunsTheSameProcessWhileItIsReady) {
  PctScheduler scheduler(7, 1, 100);
  EXPECT_TRUE(scheduler.change_points().empty());
  const std::array<Serial, 3> ready = {1, 2, 3};
  const std::size_t first = scheduler.pick(ready);
  for (std::uint64_t step = 1; step <= 50; ++step) {
    EXPECT_EQ(scheduler.pick(ready), first);
    scheduler.stepped(step, ready[first]);
  }
}

TEST(PctScheduler, EveryOrderOfPrioritiesIsDrawn) {
  // Over seeds, each of three processes is the one that runs first: the priorities are random.
  std::set<Serial> leaders;
  const std::array<Serial, 3> ready = {4, 5, 6};
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    PctScheduler scheduler(seed, 1, 100);
    leaders.insert(ready[scheduler.pick(ready)]);
  }
  EXPECT_EQ(leaders.size(), 3U);
}

TEST(PctScheduler, SameSeedSameSchedule) {
  PctScheduler a(42, 3, 30);
  PctScheduler b(42, 3, 30);
  EXPECT_EQ(a.change_points(), b.change_points());
  const std::array<Serial, 4> ready = {1, 2, 3, 4};
  for (std::uint64_t step = 1; step <= 30; ++step) {
    const std::size_t picked = a.pick(ready);
    ASSERT_EQ(b.pick(ready), picked) << "step " << step;
    a.stepped(step, ready[picked]);
    b.stepped(step, ready[picked]);
  }
}

TEST(PctScheduler, DepthDDrawsDMinusOneChangePointsAmongTheSteps) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    PctScheduler scheduler(seed, 4, 10);
    ASSERT_EQ(scheduler.change_points().size(), 3U);
    for (const std::uint64_t point : scheduler.change_points()) {
      EXPECT_GE(point, 1U);
      EXPECT_LE(point, 10U);
    }
  }
}

TEST(PctScheduler, AtAChangePointTheRunningProcessDropsBelowEveryOther) {
  // One step to draw among: the change point is step 1, whoever takes it.
  PctScheduler scheduler(3, 2, 1);
  ASSERT_EQ(scheduler.change_points(), std::vector<std::uint64_t>{1});
  const std::array<Serial, 3> ready = {1, 2, 3};
  const Serial leader = ready[scheduler.pick(ready)];
  scheduler.stepped(1, leader);
  const Serial next = ready[scheduler.pick(ready)];
  EXPECT_NE(next, leader);
  // The dropped process runs only when it is alone.
  const std::array<Serial, 2> pair = {leader, next};
  EXPECT_EQ(pair[scheduler.pick(pair)], next);
  const std::array<Serial, 1> alone = {leader};
  EXPECT_EQ(scheduler.pick(alone), 0U);
  // A step that is no change point changes nothing.
  scheduler.stepped(2, next);
  EXPECT_EQ(pair[scheduler.pick(pair)], next);
}

TEST(PctWorld, ARunIsDeterministicAndReplaysWithoutTheScheduler) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    EXPECT_TRUE(check_determinism(pct_config(3), seed).identical) << "seed " << seed;
    Trace recorded(false);
    const RunOutput run = run_seed(pct_config(3), seed, recorded);
    Trace replayed(false);
    const RunOutput again = run_decisions(SimConfig{}, run.decisions, replayed);
    EXPECT_EQ(again.result.trace_hash, run.result.trace_hash) << "seed " << seed;
    EXPECT_EQ(again.decisions, run.decisions) << "seed " << seed;
  }
}

TEST(PctWorld, ItSchedulesOtherwiseThanTheSwarm) {
  // Same seeds, same swarm draws up to the first choice among ready processes: PCT must change some runs
  // (16 of these 50; in the others no two processes were ready at once where it mattered), and depth 1
  // and depth 3 must differ from each other too.
  int differs_from_swarm = 0;
  int depths_differ = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    Trace swarm(false);
    Trace pct1(false);
    Trace pct3(false);
    const auto swarm_hash = run_seed(SimConfig{}, seed, swarm).result.trace_hash;
    const auto pct1_hash = run_seed(pct_config(1), seed, pct1).result.trace_hash;
    const auto pct3_hash = run_seed(pct_config(3), seed, pct3).result.trace_hash;
    differs_from_swarm += pct1_hash != swarm_hash ? 1 : 0;
    depths_differ += pct1_hash != pct3_hash ? 1 : 0;
  }
  EXPECT_GT(differs_from_swarm, 8);
  EXPECT_GT(depths_differ, 0);
}

TEST(PctWorld, OurProtocolPassesAndAPlantedBugIsCaught) {
  SweepOptions options;
  options.config = pct_config(2);
  options.seeds = 300;
  options.coverage_seeds_min = 0;
  const SweepSummary ours = run_sweep(options);
  EXPECT_TRUE(ours.passed()) << ours.failures.size() << " failures";

  options.config.mutant = Mutant::registration_clears_shutdown;
  options.seeds = 3000;
  options.stop_at_first = true;
  const SweepSummary mutant = run_sweep(options);
  ASSERT_FALSE(mutant.failures.empty());
  EXPECT_EQ(mutant.failures.front().violation.invariant, "shutdown_lost");
}

TEST(PctConfig, BoundsAreChecked) {
  SimConfig config = pct_config(0);
  ASSERT_TRUE(config.problem().has_value());
  EXPECT_EQ(config.problem()->kind, SimConfigErrorKind::out_of_range);
  EXPECT_NE(config.problem()->message.find("pct depth"), std::string::npos) << config.problem()->message;
  config.scheduler.pct_depth = SchedulerConfig::pct_depth_max + 1;
  EXPECT_TRUE(config.problem().has_value());
  config.scheduler.pct_depth = 2;
  config.scheduler.pct_steps = 0;
  EXPECT_TRUE(config.problem().has_value());
  config.scheduler.pct_steps = 10;
  EXPECT_FALSE(config.problem().has_value());
  config.explore = true;  // explore and check enumerate: no scheduler
  ASSERT_TRUE(config.problem().has_value());
  EXPECT_EQ(config.problem()->kind, SimConfigErrorKind::scheduler_in_enumeration);
  EXPECT_EQ(pct_config(2).scheduler.text(), "pct (depth 2, 150 steps)");
  EXPECT_EQ(SimConfig{}.scheduler.text(), "swarm");
}

}  // namespace
}  // namespace tether::sim
