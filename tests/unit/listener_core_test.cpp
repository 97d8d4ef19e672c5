// Goal: the listener side of the protocol — registration by compare-and-exchange that respects a live
// holder, replaces only a dead holder's stale identity and withdraws when superseded; the sticky
// shutdown sighting published as `stopping`; a goodbye that records `exited` and clears only our own
// identity. Method: prepare the fake segment, run one operation at a time, inspect the words.
#include "listener_fixture.hpp"

namespace tether::test {
namespace {

TEST_F(ListenerTest, RegistersByCompareAndExchange) {
  start();
  run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::registered);
  EXPECT_TRUE(core->registered());
  EXPECT_EQ(segment.peek(Field::listener_identity), self.pack());
  EXPECT_EQ(state(), word(ListenerState::starting));
  EXPECT_EQ(segment.peek(Field::heartbeat_ns), now_ns);
  // First the incarnation (read only), then the claim.
  ASSERT_GE(segment.log().size(), 2u);
  EXPECT_EQ(segment.log().front().kind, fakes::SegmentAccess::Kind::load);
  EXPECT_EQ(segment.log().front().field, Field::incarnation);
  const fakes::SegmentAccess& claim = segment.log()[1];
  EXPECT_EQ(claim.kind, fakes::SegmentAccess::Kind::compare_exchange);
  EXPECT_EQ(claim.field, Field::listener_identity);
  EXPECT_EQ(claim.value, self.pack());
  // The shutdown word belongs to the controller: registering never writes it (the original bug).
  EXPECT_EQ(segment.peek(Field::shutdown_request), 0u);
}

TEST_F(ListenerTest, RegistrationLeavesAPostedShutdownStanding) {
  segment.poke(Field::shutdown_request, 1);
  start();
  run(ListenerOperation::register_self);
  EXPECT_TRUE(core->registered());
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
}

TEST_F(ListenerTest, IsTakenWhenALiveOtherIdentityHoldsIt) {
  const ProcessIdentity other{4000, 1};
  identities.add_live(other);
  segment.poke(Field::listener_identity, other.pack());
  start();
  run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::taken);
  EXPECT_FALSE(core->registered());
  EXPECT_EQ(segment.peek(Field::listener_identity), other.pack());
  EXPECT_EQ(segment.writes(), 0u);
}

TEST_F(ListenerTest, ReplacesADeadHoldersStaleIdentity) {
  const ProcessIdentity dead{4000, 1};
  segment.poke(Field::listener_identity, dead.pack());
  start();
  run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::registered);
  EXPECT_EQ(segment.peek(Field::listener_identity), self.pack());
}

TEST_F(ListenerTest, ReplacesOnlyTheDeadHolderItSaw) {
  // Between our failed claim and the retry, a live listener takes the word: we must not overwrite it.
  const ProcessIdentity dead{4000, 1};
  const ProcessIdentity live{4001, 2};
  identities.add_live(live);
  segment.poke(Field::listener_identity, dead.pack());
  start();
  core->begin(ListenerOperation::register_self, now_ns);
  ASSERT_FALSE(core->step());  // the claim failed on the dead holder
  segment.poke(Field::listener_identity, live.pack());
  for (std::uint32_t i = 0; i < ListenerCore::operation_steps_max && !core->step(); ++i) {
  }
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::taken);
  EXPECT_EQ(segment.peek(Field::listener_identity), live.pack());
}

TEST_F(ListenerTest, GivesUpWhenTheHolderKeepsChanging) {
  start();
  core->begin(ListenerOperation::register_self, now_ns);
  bool complete = false;
  std::uint32_t attempts = 0;
  for (; attempts < ListenerCore::operation_steps_max && !complete; ++attempts) {
    // Before every attempt a different dead identity sits in the word.
    segment.poke(Field::listener_identity, ProcessIdentity{5000 + static_cast<std::int32_t>(attempts), 1}.pack());
    complete = core->step();
  }
  EXPECT_TRUE(complete);
  EXPECT_EQ(attempts, ListenerCore::register_attempts_max + 1);  // the incarnation check, then the claims
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::taken);
  EXPECT_NE(segment.peek(Field::listener_identity), self.pack());
}

TEST_F(ListenerTest, AnIdentityAlreadyOursCountsAsRegistered) {
  segment.poke(Field::listener_identity, self.pack());
  start();
  run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::registered);
}

TEST_F(ListenerTest, WithdrawsWhenTheGenerationMovedOn) {
  segment.poke(Field::generation, launch_generation + 1);
  start();
  run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::superseded);
  EXPECT_FALSE(core->registered());
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  EXPECT_EQ(state(), word(ListenerState::none));  // a withdrawn listener publishes nothing
}

// The segment our controller created was removed before we opened the name, and another controller
// created a new one whose generation count happens to equal ours: the incarnation tells them apart, and
// we leave the successor exactly as it was (no claim, nothing to withdraw).
TEST_F(ListenerTest, LeavesASegmentOfAnotherIncarnationUntouchedEvenWhenTheGenerationMatches) {
  start(LaunchTicket{fakes::FakeSegment::earlier_incarnation + 1, launch_generation});
  const std::uint32_t steps = run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::replaced);
  EXPECT_FALSE(core->registered());
  EXPECT_EQ(steps, 1u);  // the incarnation load only
  EXPECT_EQ(segment.writes(), 0u);
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  EXPECT_EQ(state(), word(ListenerState::none));
}

TEST_F(ListenerTest, AWorkerStartedByHandSkipsTheGenerationCheck) {
  segment.poke(Field::generation, 99);
  start(std::nullopt);
  run(ListenerOperation::register_self);
  EXPECT_EQ(core->register_outcome(), RegisterOutcome::registered);
  EXPECT_EQ(segment.peek(Field::listener_identity), self.pack());
}

TEST_F(ListenerTest, ShutdownSightingIsStickyAndPublishedAsStopping) {
  start();
  run(ListenerOperation::register_self);
  run(ListenerOperation::check_shutdown);
  EXPECT_FALSE(core->shutdown_seen());
  EXPECT_EQ(state(), word(ListenerState::starting));

  segment.poke(Field::shutdown_request, 1);
  run(ListenerOperation::check_shutdown);
  EXPECT_TRUE(core->shutdown_seen());
  EXPECT_EQ(state(), word(ListenerState::stopping));

  // Even if the word read 0 again, what was seen stays seen, and `stopping` is published once.
  segment.poke(Field::shutdown_request, 0);
  segment.poke(Field::listener_state, word(ListenerState::idle));
  run(ListenerOperation::check_shutdown);
  EXPECT_TRUE(core->shutdown_seen());
  EXPECT_EQ(state(), word(ListenerState::idle));
}

TEST_F(ListenerTest, AShutdownSeenInsideAUnitKeepsTheStateWorking) {
  start();
  run(ListenerOperation::register_self);
  run(ListenerOperation::begin_unit);
  segment.poke(Field::shutdown_request, 1);
  run(ListenerOperation::check_shutdown);
  EXPECT_TRUE(core->shutdown_seen());
  EXPECT_EQ(state(), word(ListenerState::working));
}

TEST_F(ListenerTest, UnitsPublishWorkingThenHeartbeatAndIdle) {
  start();
  run(ListenerOperation::register_self);
  run(ListenerOperation::begin_unit);
  EXPECT_TRUE(core->in_unit());
  EXPECT_EQ(state(), word(ListenerState::working));
  now_ns += 200'000'000;
  run(ListenerOperation::end_unit);
  EXPECT_FALSE(core->in_unit());
  EXPECT_EQ(state(), word(ListenerState::idle));
  EXPECT_EQ(segment.peek(Field::heartbeat_ns), now_ns);
  now_ns += 1'000;
  run(ListenerOperation::heartbeat);
  EXPECT_EQ(segment.peek(Field::heartbeat_ns), now_ns);
}

TEST_F(ListenerTest, LeaveStoresExitedAndItsDepartureThenClearsTheIdentity) {
  start();
  run(ListenerOperation::register_self);
  const std::size_t before = segment.log().size();
  run(ListenerOperation::leave);
  EXPECT_FALSE(core->registered());
  EXPECT_EQ(state(), word(ListenerState::exited));
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  EXPECT_EQ(segment.peek(Field::departed_identity), core->self().pack());
  // State and departure come first: a controller that sees the identity gone may already read them.
  ASSERT_EQ(segment.log().size(), before + 3);
  EXPECT_EQ(segment.log()[before].field, Field::listener_state);
  EXPECT_EQ(segment.log()[before + 1].field, Field::departed_identity);
  EXPECT_EQ(segment.log()[before + 2].field, Field::listener_identity);
  EXPECT_EQ(segment.log()[before + 2].kind, fakes::SegmentAccess::Kind::compare_exchange);
}

TEST_F(ListenerTest, LeaveNeverClearsAnotherListenersIdentity) {
  start();
  run(ListenerOperation::register_self);
  const ProcessIdentity successor{4002, 3};
  segment.poke(Field::listener_identity, successor.pack());
  run(ListenerOperation::leave);
  EXPECT_EQ(segment.peek(Field::listener_identity), successor.pack());
}

TEST_F(ListenerTest, LeaveWithoutRegistrationWritesNothing) {
  start();
  run(ListenerOperation::leave);
  EXPECT_EQ(segment.writes(), 0u);
  EXPECT_EQ(state(), word(ListenerState::none));
}

TEST_F(ListenerTest, EveryStepPerformsAtMostOneSegmentOperation) {
  segment.poke(Field::listener_identity, ProcessIdentity{4000, 1}.pack());  // dead: a retry too
  start();
  std::uint32_t steps = run(ListenerOperation::register_self);
  for (std::uint32_t unit = 0; unit < 3; ++unit) {
    steps += run(ListenerOperation::check_shutdown);
    steps += run(ListenerOperation::begin_unit);
    steps += run(ListenerOperation::end_unit);
  }
  segment.poke(Field::shutdown_request, 1);
  steps += run(ListenerOperation::check_shutdown);
  steps += run(ListenerOperation::leave);
  EXPECT_EQ(segment.ops_in_step_max(), 1u);
  EXPECT_EQ(segment.log().size(), steps);  // and every step did one: no step is wasted either
}

}  // namespace
}  // namespace tether::test

namespace tether::test {
namespace {

// The fast path a session takes between units: the core decides it, the driver only supplies the word.
TEST_F(ListenerTest, TheFastShutdownCheckAnswersOnlyTheCommonCase) {
  start();
  ASSERT_GT(run(ListenerOperation::register_self), 0u);
  const std::size_t writes_before = segment.writes();
  EXPECT_EQ(core->check_shutdown_fast(0), std::optional<bool>(false));
  EXPECT_EQ(core->passed_point(), CrashPoint::between_check_and_unit);
  EXPECT_FALSE(core->busy());
  EXPECT_EQ(segment.writes(), writes_before) << "the common answer changes nothing";
  // A posted request needs the whole operation (it publishes `stopping`).
  EXPECT_EQ(core->check_shutdown_fast(1), std::nullopt);
  segment.poke(Field::shutdown_request, 1);
  run(ListenerOperation::check_shutdown);
  EXPECT_TRUE(core->shutdown_seen());
  EXPECT_EQ(state(), word(ListenerState::stopping));
  // Once seen, always seen: the fast path never answers "no request" again, even for a zero word.
  EXPECT_EQ(core->check_shutdown_fast(0), std::nullopt);
}

}  // namespace
}  // namespace tether::test
