// Every simulated party behind the one interface (sim/parties.hpp): what each step asks of the world,
// and which inputs each one heeds. The world's own tests cover the parties in their surroundings; these
// pin the translation from each core's answer, which a sweep would only notice by luck.
#include <gtest/gtest.h>

#include "core/exit_codes.hpp"
#include "fake_notices.hpp"
#include "fake_segment.hpp"
#include "parties.hpp"

namespace tether::sim {
namespace {

constexpr std::uint64_t ms = 1'000'000;

TEST(SimParties, PlainWorkerWithoutAnEndIsBlockedUntilASignal) {
  PlainWorkerParty worker(std::nullopt, 0);
  EXPECT_EQ(worker.step(5 * ms).kind, PartyStep::Kind::blocked);
  EXPECT_FALSE(worker.registered());
}

TEST(SimParties, PlainWorkerEndsAtItsTimeCountedFromItsRelease) {
  PlainWorkerParty worker(100 * ms, 2);
  const std::uint64_t hash_before = worker.state_hash();
  PartyStep next = worker.step(10 * ms);
  EXPECT_EQ(next.kind, PartyStep::Kind::wait_until);
  EXPECT_EQ(next.deadline_ns, 100 * ms);
  worker.receive(Released{30 * ms});  // held at its gate for 30 ms: its end moves with its start
  EXPECT_NE(worker.state_hash(), hash_before);
  next = worker.step(100 * ms);
  EXPECT_EQ(next.kind, PartyStep::Kind::wait_until);
  EXPECT_EQ(next.deadline_ns, 130 * ms);
  worker.receive(ShutdownSignal{});  // a plain worker has no handler of ours: signals are the world's
  worker.receive(Wake{});
  next = worker.step(130 * ms);
  EXPECT_EQ(next.kind, PartyStep::Kind::exit);
  EXPECT_EQ(next.exit_code, 2);
  EXPECT_EQ(next.why, "plain worker exits on its own");
}

TEST(SimParties, StrangerEndsAtItsFirstStep) {
  StrangerParty stranger;
  const PartyStep next = stranger.step(0);
  EXPECT_EQ(next.kind, PartyStep::Kind::exit);
  EXPECT_EQ(next.exit_code, 0);
  EXPECT_FALSE(next.remove_segment);
}

TEST(SimParties, SeedToolPostsMinusOneAndWakesInOneStep) {
  fakes::FakeSegment segment;
  SeedToolParty tool(segment);
  const PartyStep next = tool.step(0);
  EXPECT_EQ(next.kind, PartyStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::ok);
  EXPECT_EQ(segment.peek(seed_slot_field), seed_shutdown_word);
  EXPECT_EQ(segment.wakes(), 1u);
}

TEST(SimParties, TetherToolPausesBetweenItsSegmentOperationsAndEndsWithTheCoresCode) {
  fakes::FakeSegment segment;
  segment.poke_initialised_header();
  const ProcessIdentity controller{42, 7};
  segment.poke(Field::controller_identity, controller.pack());
  fakes::RecordingNotices notices;
  TetherToolParty tool(segment, notices);
  PartyStep next = PartyStep::again();
  std::uint32_t steps = 0;
  for (; steps < 16; ++steps) {
    segment.begin_step();
    next = tool.step(0);
    EXPECT_LE(segment.ops_in_step(), 1u);
    if (next.kind != PartyStep::Kind::pause) break;
  }
  ASSERT_EQ(next.kind, PartyStep::Kind::exit);
  EXPECT_GT(steps, 1u);  // not one step: the world interleaves others between its operations
  EXPECT_EQ(next.exit_code, exit_code::ok);
  EXPECT_EQ(next.why, "done");
  EXPECT_NE(segment.peek(Field::shutdown_request), 0u);
  ASSERT_EQ(notices.notified.size(), 1u);
  EXPECT_EQ(notices.notified.front(), controller);
}

TEST(SimParties, TetherToolRefusesASegmentNotInitialised) {
  fakes::FakeSegment segment;  // magic 0
  fakes::RecordingNotices notices;
  TetherToolParty tool(segment, notices);
  PartyStep next = PartyStep::again();
  for (std::uint32_t steps = 0; steps < 16 && next.kind != PartyStep::Kind::exit; ++steps) next = tool.step(0);
  ASSERT_EQ(next.kind, PartyStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::data_error);
  EXPECT_EQ(next.why, "segment not initialised");
  EXPECT_EQ(segment.peek(Field::shutdown_request), 0u);
  EXPECT_TRUE(notices.notified.empty());
}

WorkerStep worker_step(WorkerStep::Kind kind, std::uint64_t deadline_ns = 0, int exit_code = 0) {
  WorkerStep step;
  step.kind = kind;
  step.deadline_ns = deadline_ns;
  step.exit_code = exit_code;
  return step;
}

TEST(SimParties, WorkerStepsMapOntoPartySteps) {
  EXPECT_EQ(party_step(worker_step(WorkerStep::Kind::progressed)).kind, PartyStep::Kind::again);
  const WorkerStep work = worker_step(WorkerStep::Kind::work_until, 7 * ms);
  EXPECT_EQ(party_step(work).kind, PartyStep::Kind::wait_until);
  EXPECT_EQ(party_step(work).deadline_ns, 7 * ms);
  const WorkerStep idle = worker_step(WorkerStep::Kind::idle_until, 9 * ms);
  EXPECT_EQ(party_step(idle).kind, PartyStep::Kind::idle_until);
  EXPECT_EQ(party_step(idle).deadline_ns, 9 * ms);
  const WorkerStep done = worker_step(WorkerStep::Kind::exit, 0, 3);
  EXPECT_EQ(party_step(done).kind, PartyStep::Kind::exit);
  EXPECT_EQ(party_step(done).exit_code, 3);
}

TEST(SimParties, WaitingWithoutADeadlineIsBlocked) {
  EXPECT_EQ(PartyStep::waiting(std::nullopt).kind, PartyStep::Kind::blocked);
  const PartyStep until = PartyStep::waiting(4 * ms);
  EXPECT_EQ(until.kind, PartyStep::Kind::wait_until);
  EXPECT_EQ(until.deadline_ns, 4 * ms);
}

}  // namespace
}  // namespace tether::sim
