// The invariant checker alone, fed observations by hand: each invariant fires on the observation that
// breaks it and on no neighbour that does not, the first violation is kept, and the checker's model
// (which segment incarnation showed a request) is a value that decides later verdicts.
#include "invariant_checker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/exit_codes.hpp"
#include "core/units.hpp"

namespace tether::sim {
namespace {

constexpr ObservedAt at{7, 3 * ns_per_ms};

observed::Snapshot snapshot(std::uint64_t incarnation, bool visible, std::span<const observed::Worker> workers = {}) {
  return observed::Snapshot{true, incarnation, visible, workers};
}

std::string violated(const InvariantChecker& checker) {
  return checker.violation().has_value() ? checker.violation()->invariant : std::string("none");
}

TEST(InvariantChecker, ARequestThatDisappearsFromItsSegmentIsLost) {
  InvariantChecker checker;
  checker.observe(at, snapshot(1, false));
  EXPECT_FALSE(checker.request_posted(1));
  checker.observe(at, snapshot(1, true));
  EXPECT_TRUE(checker.request_posted(1));
  checker.observe(at, snapshot(1, true));
  EXPECT_EQ(violated(checker), "none");
  checker.observe(ObservedAt{9, 5 * ns_per_ms}, snapshot(1, false));
  ASSERT_EQ(violated(checker), invariant::shutdown_lost);
  EXPECT_EQ(checker.violation()->step, 9u);
  EXPECT_EQ(checker.violation()->time_ns, 5 * ns_per_ms);
}

TEST(InvariantChecker, ANewSegmentStartsWithoutTheOldRequest) {
  InvariantChecker checker;
  checker.observe(at, snapshot(1, true));
  checker.observe(at, snapshot(2, false));  // created anew: no request in it, and none lost
  EXPECT_EQ(violated(checker), "none");
  EXPECT_FALSE(checker.request_posted(2));
  EXPECT_TRUE(checker.request_posted(1));
}

TEST(InvariantChecker, NoSegmentNoVerdictOnIt) {
  InvariantChecker checker;
  checker.observe(at, snapshot(1, true));
  checker.observe(at, observed::Snapshot{false, 1, false, {}});
  EXPECT_EQ(violated(checker), "none");
}

TEST(InvariantChecker, TwoWorkersOfOneNameAreADuplicate) {
  const std::array<observed::Worker, 3> one{{{"listener#2", true}, {"listener#3", false}, {"listener#4", false}}};
  InvariantChecker checker;
  checker.observe(at, snapshot(1, false, one));
  EXPECT_EQ(violated(checker), "none");
  const std::array<observed::Worker, 3> two{{{"listener#2", true}, {"listener#3", false}, {"plain#4", true}}};
  checker.observe(at, snapshot(1, false, two));
  ASSERT_EQ(violated(checker), invariant::duplicate_listener);
  EXPECT_EQ(checker.violation()->detail, "listener#2 and plain#4 are both alive as the worker of the name");
}

TEST(InvariantChecker, ALostRequestIsReportedBeforeADuplicate) {
  const std::array<observed::Worker, 2> two{{{"a", true}, {"b", true}}};
  InvariantChecker checker;
  checker.observe(at, snapshot(1, true));
  checker.observe(at, snapshot(1, false, two));
  EXPECT_EQ(violated(checker), invariant::shutdown_lost);
}

TEST(InvariantChecker, AListenerLeavesBetweenUnitsUnlessKilledOrHung) {
  for (const auto& [killed, hung, in_unit] :
       std::vector<std::array<bool, 3>>{{false, false, false}, {true, false, true}, {false, true, true}}) {
    InvariantChecker checker;
    checker.observe(at, observed::ListenerExit{"listener#2", 0, killed, hung, in_unit});
    EXPECT_EQ(violated(checker), "none") << killed << hung << in_unit;
  }
  InvariantChecker checker;
  checker.observe(at, observed::ListenerExit{"listener#2", 3, false, false, true});
  ASSERT_EQ(violated(checker), invariant::torn_unit);
  EXPECT_EQ(checker.violation()->detail, "listener#2 exited with 3 in the middle of a unit of work");
}

TEST(InvariantChecker, NoLaunchAfterARequestInTheSegmentOrASignal) {
  {
    InvariantChecker checker;
    checker.observe(at, snapshot(1, true));
    checker.observe(at, observed::Launch{"controller#1", 2, false, std::nullopt});  // another segment
    EXPECT_EQ(violated(checker), "none");
    checker.observe(at, observed::Launch{"controller#1", 1, false, std::nullopt});
    ASSERT_EQ(violated(checker), invariant::relaunch_after_shutdown);
    EXPECT_EQ(checker.violation()->detail,
              "controller#1 launches a listener after a shutdown was requested (the segment says so)");
  }
  InvariantChecker checker;
  checker.observe(at, observed::Launch{"controller#1", 1, true, std::nullopt});
  ASSERT_EQ(violated(checker), invariant::relaunch_after_shutdown);
  EXPECT_EQ(checker.violation()->detail,
            "controller#1 launches a listener after a shutdown was requested (it received SIGTERM)");
}

TEST(InvariantChecker, ALiveRegisteredListenerMustBeAdoptedNotReplaced) {
  InvariantChecker checker;
  checker.observe(at, observed::Launch{"controller#5", 1, false, std::nullopt});
  EXPECT_EQ(violated(checker), "none");
  checker.observe(at, observed::Launch{"controller#5", 1, false, "listener#2"});
  ASSERT_EQ(violated(checker), invariant::adoption_failed);
  EXPECT_EQ(checker.violation()->detail, "controller#5 launches although listener#2 is registered and alive");
}

TEST(InvariantChecker, OnlyAListenerIsAdopted) {
  InvariantChecker checker;
  checker.observe(at, observed::Adoption{"controller#5", 40, "listener#2", true});
  EXPECT_EQ(violated(checker), "none");
  checker.observe(at, observed::Adoption{"controller#5", 40, "stranger#3", false});
  ASSERT_EQ(violated(checker), invariant::adoption_failed);
  EXPECT_EQ(checker.violation()->detail, "controller#5 adopts pid 40, which is not a listener but stranger#3");
}

TEST(InvariantChecker, AControllerSignalsOnlyItsListenerAndTheToolOnlyAController) {
  InvariantChecker checker;
  checker.observe(at, observed::Signal{"controller#1", true, "SIGTERM", "listener#2", true});
  checker.observe(at, observed::Signal{"tool#4", false, "SIGTERM", "controller#1", false});
  checker.observe(at, observed::Notice{"tool#4", "controller#1", true});
  EXPECT_EQ(violated(checker), "none");
  checker.observe(at, observed::Signal{"controller#1", true, "SIGKILL", "stranger#3", false});
  ASSERT_EQ(violated(checker), invariant::foreign_signal);
  EXPECT_EQ(checker.violation()->detail, "controller#1 sent SIGKILL to stranger#3, not its listener");

  InvariantChecker notices;
  notices.observe(at, observed::Notice{"tool#4", "stranger#3", false});
  ASSERT_EQ(violated(notices), invariant::foreign_signal);
  EXPECT_EQ(notices.violation()->detail, "tool#4 sent its notice to stranger#3");
}

TEST(InvariantChecker, AControllerEndsByItselfOnlyWhenItsPolicySaysSo) {
  using Exit = observed::ControllerExit;
  const std::vector<Exit> allowed{
      {"c", 0, true, RestartMode::always, false},                        // a shutdown was in force
      {"c", exit_code::unavailable, false, RestartMode::always, true},   // gave up: start limit
      {"c", exit_code::cant_create, false, RestartMode::always, false},  // refused the name
      {"c", 0, false, RestartMode::never, true},                         // never restarts
      {"c", 0, false, RestartMode::on_failure, false},                   // a clean exit ends it
  };
  for (const Exit& exit : allowed) {
    InvariantChecker checker;
    checker.observe(at, exit);
    EXPECT_EQ(violated(checker), "none") << exit.exit_code << restart_mode_name(exit.mode);
  }
  InvariantChecker always;
  always.observe(at, Exit{"controller#1", 0, false, RestartMode::always, false});
  ASSERT_EQ(violated(always), invariant::restart_missing);
  EXPECT_EQ(always.violation()->detail,
            "controller#1 exits with 0 under --restart always although no shutdown was requested");
  InvariantChecker on_failure;
  on_failure.observe(at, Exit{"controller#1", 0, false, RestartMode::on_failure, true});
  ASSERT_EQ(violated(on_failure), invariant::restart_missing);
  EXPECT_EQ(on_failure.violation()->detail,
            "controller#1 exits with 0 under --restart on-failure although no shutdown was requested and its "
            "listener crashed");
}

TEST(InvariantChecker, AWorkerMustBeBackWithinTheRestartBound) {
  const std::uint64_t bound_ns = 500 * ns_per_ms;
  using Convergence = observed::Convergence;
  const std::vector<Convergence> fine{
      {true, "controller#1", false, 2 * bound_ns, bound_ns},   // a shutdown is in force
      {false, std::nullopt, false, 2 * bound_ns, bound_ns},    // no controller runs
      {false, "controller#1", true, 2 * bound_ns, bound_ns},   // a worker is alive
      {false, "controller#1", false, bound_ns - 1, bound_ns},  // not overdue yet
  };
  for (const Convergence& convergence : fine) {
    InvariantChecker checker;
    checker.observe(at, convergence);
    EXPECT_EQ(violated(checker), "none") << convergence.quiet_ns;
  }
  InvariantChecker checker;
  checker.observe(at, Convergence{false, "controller#1", false, bound_ns, bound_ns});
  ASSERT_EQ(violated(checker), invariant::restart_missing);
  EXPECT_EQ(checker.violation()->detail,
            "controller#1 is running but no listener has registered for 500 ms (bound 500 ms)");
}

TEST(InvariantChecker, NothingOfOursOutlivesTheFinalShutdown) {
  InvariantChecker checker;
  checker.observe(at, observed::Final{});
  EXPECT_EQ(violated(checker), "none");
  const std::array<std::string_view, 2> alive{"controller#1", "listener#2"};
  checker.observe(at, observed::Final{alive});
  ASSERT_EQ(violated(checker), invariant::shutdown_stuck);
  EXPECT_EQ(checker.violation()->detail, "after the shutdown request, still alive: controller#1, listener#2");
}

TEST(InvariantChecker, TheFirstViolationIsKept) {
  InvariantChecker checker;
  checker.observe(at, observed::Notice{"tool#4", "stranger#3", false});
  checker.observe(ObservedAt{8, 0}, observed::ListenerExit{"listener#2", 0, false, false, true});
  ASSERT_EQ(violated(checker), invariant::foreign_signal);
  EXPECT_EQ(checker.violation()->step, at.step);
}

TEST(InvariantChecker, ItsStateIsAValue) {
  InvariantChecker checker;
  checker.observe(at, snapshot(1, true));
  InvariantChecker copy = checker;
  EXPECT_EQ(copy, checker);
  // The copy judges alone: what it observes next changes its verdict, not the original's.
  copy.observe(at, snapshot(1, false));
  EXPECT_EQ(violated(copy), invariant::shutdown_lost);
  EXPECT_EQ(violated(checker), "none");
  EXPECT_NE(copy, checker);
}

}  // namespace
}  // namespace tether::sim
