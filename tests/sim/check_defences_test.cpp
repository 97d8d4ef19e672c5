// Goal: each defence the protocol guards a race with (core/defences.hpp) can be switched off alone or
// with others in the simulator's build, and each switch changes what `check` finds: with every defence
// off the checker finds two live listeners; with one kept, the verdict that defence alone earns. A test
// here fails if a hook were removed (the switch would then change nothing). The bounds are the smallest
// that hold the race without the removal (one crash, one controller restart, depth 4: seconds in the ci
// build); the default bounds and the gate-off table are docs/PROTOCOL.md's, run by ci/sim-check.
// Which test fails when a hook is removed: the gate's, the withdraw's or the claim's, the all-off test
// (that defence would stay on, and each alone finds no violation there); the incarnation check's, its
// own test (the gate alone would pass); the re-read's, the claim's test (no relaunches to the step
// budget; tried by deleting the hook).
#include <gtest/gtest.h>

#include "check.hpp"
#include "explore.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace tether::sim {
namespace {

// Every defence off but those kept.
DefenceSet all_off_but(std::initializer_list<Defence> kept) {
  DefenceSet off = all_defences_set;
  for (const Defence defence : kept) off = static_cast<DefenceSet>(off & ~defence_bit(defence));
  return off;
}

// One crash and one controller restart, no removal, four deviations: the smallest bounds at which the
// world without defences shows two listeners (at depth 3 it shows none).
CheckOptions small_bounds(DefenceSet off, std::uint32_t depth = 4) {
  CheckOptions options;
  options.config = small_world_config(1, 4);
  options.config.fault_bounds.launches = 1;
  options.config.defences_off = off;
  options.depth = depth;
  return options;
}

TEST(SimCheckDefences, NamesRoundTripAndScenarioFilesKeepTheSet) {
  for (const Defence defence : all_defences) {
    EXPECT_EQ(parse_defence(defence_name(defence)), defence);
  }
  EXPECT_FALSE(parse_defence("none").has_value());
  EXPECT_FALSE(parse_defence("bogus").has_value());
  Scenario scenario;
  scenario.config = small_world_config(1, 4);
  scenario.config.defences_off = defence_bit(Defence::launch_gate) | defence_bit(Defence::claim_liveness);
  const auto read = scenario_from_json(scenario_to_json(scenario));
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(read.value().config.defences_off, scenario.config.defences_off);
  // Files without any defence off say nothing of defences, and read as none off.
  scenario.config.defences_off = 0;
  const std::string plain = scenario_to_json(scenario);
  EXPECT_EQ(plain.find("defences_off"), std::string::npos);
  std::string hostile = plain;
  hostile.replace(hostile.find("\"configuration\""), 0, "\"defences_off\": [\"bogus\"],\n");
  EXPECT_FALSE(scenario_from_json(hostile).ok());
}

TEST(SimCheckDefences, WithEveryDefenceOffTwoListenersLive) {
  const CheckResult shallower = check(small_bounds(all_defences_set, 3));
  EXPECT_FALSE(shallower.violation.has_value());
  EXPECT_TRUE(shallower.complete);
  const CheckResult result = check(small_bounds(all_defences_set));
  ASSERT_TRUE(result.violation.has_value());
  ASSERT_TRUE(result.violation->violation.has_value());
  EXPECT_EQ(result.violation->violation->invariant, "duplicate_listener");
  // The scenario records the switches and replays on its own to the same invariant.
  EXPECT_EQ(result.violation->config.defences_off, all_defences_set);
  Trace trace;
  const RunOutput replayed = run_decisions(result.violation->config, result.violation->decisions, trace);
  ASSERT_TRUE(replayed.result.violation.has_value());
  EXPECT_EQ(replayed.result.violation->invariant, "duplicate_listener");
  // The same decisions with every defence on: no violation (the defences, not the path, decide).
  SimConfig defended = result.violation->config;
  defended.defences_off = 0;
  Trace defended_trace;
  EXPECT_FALSE(run_decisions(defended, result.violation->decisions, defended_trace).result.violation.has_value());
}

// The gate alone: an unrecorded launch never runs, so no listener the restarted controller cannot see.
TEST(SimCheckDefences, TheLaunchGateAloneStopsTheRaceWithoutARemoval) {
  const CheckResult result = check(small_bounds(all_off_but({Defence::launch_gate})));
  EXPECT_FALSE(result.violation.has_value()) << result.violation->violation->detail;
  EXPECT_TRUE(result.complete) << result.incomplete_reason;
}

// The withdraw alone at these bounds: the unrecorded listener registers after the restarted
// controller's bump and sees the newer generation. (At the default bounds it is not enough: one that
// registers before the bump needs the re-read or the claim; docs/PROTOCOL.md.)
TEST(SimCheckDefences, TheGenerationWithdrawAloneStopsItAtTheseBounds) {
  const CheckResult result = check(small_bounds(all_off_but({Defence::generation_withdraw})));
  EXPECT_FALSE(result.violation.has_value()) << result.violation->violation->detail;
  EXPECT_TRUE(result.complete) << result.incomplete_reason;
}

// The claim's liveness check alone: no second listener, but the controller that cannot see the first
// launches again and again (each launch steps aside), until the run's step budget.
TEST(SimCheckDefences, TheClaimLivenessCheckAloneStopsTheDuplicateButNotTheRelaunches) {
  const CheckResult result = check(small_bounds(all_off_but({Defence::claim_liveness})));
  EXPECT_FALSE(result.violation.has_value()) << result.violation->violation->detail;
  EXPECT_GT(result.step_budget_hits, 0U);
}

// The controller's re-read after the bump, beside the claim's check: the controller adopts the listener
// its launch stepped aside for, and every path ends. Alone it stops nothing (the listener may register
// after the re-read; its pair is the withdraw).
TEST(SimCheckDefences, TheRegistrationRecheckEndsTheRelaunches) {
  const CheckResult paired = check(small_bounds(all_off_but({Defence::claim_liveness, Defence::registration_recheck})));
  EXPECT_FALSE(paired.violation.has_value()) << paired.violation->violation->detail;
  EXPECT_TRUE(paired.complete) << paired.incomplete_reason;
  EXPECT_EQ(paired.step_budget_hits, 0U);
  const CheckResult alone = check(small_bounds(all_off_but({Defence::registration_recheck})));
  ASSERT_TRUE(alone.violation.has_value());
  EXPECT_EQ(alone.violation->violation->invariant, "duplicate_listener");
}

// With the removal of a segment, the gate is not enough: a listener released for the removed segment
// opens the name after the restarted controller created it again and joins it. The incarnation check
// turns it away; with the gate and it on, the default bounds' removal race is stopped (at the default
// bounds the pair alone explores the very states all five do: ci/sim-check).
TEST(SimCheckDefences, TheIncarnationCheckStopsTheListenerOfARemovedSegment) {
  CheckOptions gate_only = small_bounds(all_off_but({Defence::launch_gate}));
  gate_only.config.fault_bounds.removals = 1;
  const CheckResult without = check(gate_only);
  ASSERT_TRUE(without.violation.has_value());
  EXPECT_EQ(without.violation->violation->invariant, "duplicate_listener");
  CheckOptions with = gate_only;
  with.config.defences_off = all_off_but({Defence::launch_gate, Defence::incarnation_check});
  const CheckResult result = check(with);
  EXPECT_FALSE(result.violation.has_value()) << result.violation->violation->detail;
  EXPECT_TRUE(result.complete) << result.incomplete_reason;
}

}  // namespace
}  // namespace tether::sim
