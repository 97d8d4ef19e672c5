// Goal: the seed worker over the listener core — register, whole units of work, a shutdown honoured
// only between units (never a torn unit), `units` respected, an idle wait that a wake() ends at once,
// and exit 75 when the registration is refused. Method: drive the loop with the fakes exactly as the
// real binary does (step until it asks to wait, then move the clock to the deadline it named).
#include <gmock/gmock.h>

#include <algorithm>
#include <vector>

#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "core/worker_loop.hpp"
#include "listener_fixture.hpp"

namespace tether::test {
namespace {

using EventKind = WorkerEvent::Kind;
using ::testing::ElementsAre;

class WorkerTest : public ListenerTest {
 protected:
  // Steps per drive: registration (at most 2 * 8 + 4) plus one unit boundary fit well below this.
  static constexpr std::uint32_t drive_steps_max = 64;

  void start_worker(const WorkerConfig& worker_config) {
    start();
    worker.emplace(*core, worker_config);
  }

  // Steps until the worker waits or exits.
  WorkerStep drive() {
    for (std::uint32_t i = 0; i < drive_steps_max; ++i) {
      segment.begin_step();
      const WorkerStep next = worker->step(now_ns);
      EXPECT_LE(segment.ops_in_step(), 1u);
      WorkerEvent event{};
      while (worker->pop_event(event)) events.push_back(event);
      if (next.kind != WorkerStep::Kind::progressed) return next;
    }
    ADD_FAILURE() << "the worker kept progressing for " << drive_steps_max << " steps";
    return {};
  }

  [[nodiscard]] std::vector<EventKind> kinds() const {
    std::vector<EventKind> result;
    for (const WorkerEvent& event : events) result.push_back(event.kind);
    return result;
  }

  [[nodiscard]] std::size_t count_of(EventKind kind) const {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [kind](const WorkerEvent& event) { return event.kind == kind; }));
  }

  std::optional<WorkerLoop> worker;
  std::vector<WorkerEvent> events;
};

TEST_F(WorkerTest, FullRunShutdownBetweenUnitsLeavesWithExitZero) {
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 0});
  const std::uint64_t t0_ns = now_ns;
  WorkerStep next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::work_until);
  EXPECT_EQ(next.deadline_ns, t0_ns + 10 * ns_per_ms);
  EXPECT_EQ(segment.peek(Field::listener_identity), self.pack());
  EXPECT_EQ(state(), word(ListenerState::working));

  now_ns = next.deadline_ns;
  next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::work_until);
  EXPECT_EQ(next.deadline_ns, t0_ns + 20 * ns_per_ms);
  EXPECT_EQ(worker->units_done(), 1u);

  // The request arrives in the middle of unit 2.
  now_ns = t0_ns + 15 * ns_per_ms;
  segment.poke(Field::shutdown_request, 1);
  next = drive();
  EXPECT_EQ(next.kind, WorkerStep::Kind::work_until);
  EXPECT_EQ(next.deadline_ns, t0_ns + 20 * ns_per_ms);

  now_ns = next.deadline_ns;
  next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::ok);
  EXPECT_EQ(worker->units_done(), 2u);
  EXPECT_THAT(kinds(), ElementsAre(EventKind::registered, EventKind::unit_started, EventKind::unit_finished,
                                   EventKind::unit_started, EventKind::unit_finished, EventKind::shutdown_seen,
                                   EventKind::left));
  EXPECT_EQ(state(), word(ListenerState::exited));
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  EXPECT_EQ(segment.peek(Field::heartbeat_ns), t0_ns + 20 * ns_per_ms);
  EXPECT_EQ(segment.ops_in_step_max(), 1u);
  // Exited is final.
  EXPECT_EQ(drive().kind, WorkerStep::Kind::exit);
}

TEST_F(WorkerTest, AShutdownDuringAUnitNeverCutsItShort) {
  start_worker({.work_ms = 100, .units = 0, .idle_ms = 0});
  const WorkerStep first = drive();
  ASSERT_EQ(first.kind, WorkerStep::Kind::work_until);
  segment.poke(Field::shutdown_request, 1);
  const std::size_t ops_before = segment.log().size();
  // Every wake-up before the end of the unit, however early or late, keeps working and touches nothing.
  for (const std::uint64_t offset_ns : {std::uint64_t{0}, std::uint64_t{1}, 50 * ns_per_ms, 100 * ns_per_ms - 1}) {
    now_ns = first.deadline_ns - 100 * ns_per_ms + offset_ns;
    const WorkerStep next = drive();
    EXPECT_EQ(next.kind, WorkerStep::Kind::work_until) << offset_ns;
    EXPECT_EQ(next.deadline_ns, first.deadline_ns);
  }
  EXPECT_EQ(segment.log().size(), ops_before);
  EXPECT_EQ(state(), word(ListenerState::working));
  now_ns = first.deadline_ns;
  const WorkerStep last = drive();
  ASSERT_EQ(last.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(last.exit_code, exit_code::ok);
  EXPECT_EQ(worker->units_done(), 1u);
  // Every started unit finished.
  EXPECT_EQ(count_of(EventKind::unit_started), 1u);
  EXPECT_EQ(count_of(EventKind::unit_finished), 1u);
}

TEST_F(WorkerTest, UnitsNExitsAfterNUnits) {
  start_worker({.work_ms = 10, .units = 3, .idle_ms = 0});
  const std::uint64_t t0_ns = now_ns;
  WorkerStep next = drive();
  for (std::uint32_t i = 0; i < 10 && next.kind == WorkerStep::Kind::work_until; ++i) {
    now_ns = next.deadline_ns;
    next = drive();
  }
  ASSERT_EQ(next.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::ok);
  EXPECT_EQ(worker->units_done(), 3u);
  EXPECT_EQ(now_ns, t0_ns + 30 * ns_per_ms);
  EXPECT_EQ(count_of(EventKind::unit_started), 3u);
  EXPECT_EQ(count_of(EventKind::shutdown_seen), 0u);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, EventKind::left);
  EXPECT_EQ(state(), word(ListenerState::exited));
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
}

TEST_F(WorkerTest, IdleWaitIsCutShortByWake) {
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 1000});
  WorkerStep next = drive();
  now_ns = next.deadline_ns;
  next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::idle_until);
  EXPECT_EQ(next.deadline_ns, now_ns + 1000 * ns_per_ms);
  EXPECT_EQ(state(), word(ListenerState::idle));

  segment.poke(Field::shutdown_request, 1);
  now_ns += 10 * ns_per_ms;
  EXPECT_EQ(drive().kind, WorkerStep::Kind::idle_until);  // not woken yet: the wait goes on

  worker->wake();
  next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::ok);
  EXPECT_EQ(worker->units_done(), 1u);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, EventKind::left);
  EXPECT_EQ(state(), word(ListenerState::exited));
}

TEST_F(WorkerTest, IdleWaitEndsAtItsDeadlineAndWorkGoesOn) {
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 1000});
  WorkerStep next = drive();
  now_ns = next.deadline_ns;
  next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::idle_until);
  now_ns = next.deadline_ns - 1;
  EXPECT_EQ(drive().kind, WorkerStep::Kind::idle_until);
  now_ns = next.deadline_ns;
  next = drive();
  EXPECT_EQ(next.kind, WorkerStep::Kind::work_until);
  EXPECT_EQ(next.deadline_ns, now_ns + 10 * ns_per_ms);
  EXPECT_EQ(count_of(EventKind::unit_started), 2u);
}

TEST_F(WorkerTest, ASpuriousWakeOnlyCausesACheck) {
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 1000});
  WorkerStep next = drive();
  now_ns = next.deadline_ns;
  ASSERT_EQ(drive().kind, WorkerStep::Kind::idle_until);
  worker->wake();  // no request behind it
  next = drive();
  EXPECT_EQ(next.kind, WorkerStep::Kind::work_until);
  EXPECT_EQ(worker->units_done(), 1u);
}

TEST_F(WorkerTest, RegisterTakenExitsWithTempFailure) {
  const ProcessIdentity other{4000, 1};
  identities.add_live(other);
  segment.poke(Field::listener_identity, other.pack());
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 0});
  const WorkerStep next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::temp_failure);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::register_refused);
  EXPECT_EQ(events[0].value, static_cast<std::uint64_t>(RegisterOutcome::taken));
  EXPECT_EQ(segment.writes(), 0u);
}

TEST_F(WorkerTest, RegisterSupersededExitsWithTempFailure) {
  segment.poke(Field::generation, launch_generation + 1);
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 0});
  const WorkerStep next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::temp_failure);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].value, static_cast<std::uint64_t>(RegisterOutcome::superseded));
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  EXPECT_EQ(worker->units_done(), 0u);
}

TEST_F(WorkerTest, AShutdownBeforeTheFirstUnitLeavesWithoutWorking) {
  segment.poke(Field::shutdown_request, 1);
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 0});
  const WorkerStep next = drive();
  ASSERT_EQ(next.kind, WorkerStep::Kind::exit);
  EXPECT_EQ(next.exit_code, exit_code::ok);
  EXPECT_THAT(kinds(), ElementsAre(EventKind::registered, EventKind::shutdown_seen, EventKind::left));
  EXPECT_EQ(state(), word(ListenerState::exited));
}

// The loop's state is a value: a loop resumed from a copy (over a core resumed from a copy of its
// state and a copy of the segment) goes on exactly as the original, and a change shows in its hash.
TEST_F(WorkerTest, ALoopResumedFromACopyGoesOnAsTheOriginal) {
  start_worker({.work_ms = 10, .units = 0, .idle_ms = 5});
  ASSERT_EQ(drive().kind, WorkerStep::Kind::work_until);
  const WorkerLoopState copy = worker->state();
  EXPECT_EQ(copy, worker->state());
  EXPECT_EQ(hash_value(copy), hash_value(worker->state()));
  WorkerLoopState woken = copy;
  woken.woken = true;
  EXPECT_NE(woken, copy);
  EXPECT_NE(hash_value(woken), hash_value(copy));

  fakes::FakeSegment fork_segment;
  for (std::size_t index = 0; index < field_count; ++index) {
    fork_segment.poke(static_cast<Field>(index), segment.peek(static_cast<Field>(index)));
  }
  ListenerCore fork_core(fork_segment, identities, core->state());
  WorkerLoop fork(fork_core, {.work_ms = 10, .units = 0, .idle_ms = 5}, copy);
  // Both end the unit, idle, then see the request and leave: step by step alike.
  segment.poke(Field::shutdown_request, 1);
  fork_segment.poke(Field::shutdown_request, 1);
  for (std::uint64_t at_ns = now_ns + 10 * ns_per_ms; at_ns <= now_ns + 20 * ns_per_ms; at_ns += ns_per_ms) {
    for (std::uint32_t i = 0; i < drive_steps_max; ++i) {
      const WorkerStep original_step = worker->step(at_ns);
      const WorkerStep fork_step = fork.step(at_ns);
      ASSERT_EQ(original_step.kind, fork_step.kind);
      ASSERT_EQ(original_step.deadline_ns, fork_step.deadline_ns);
      ASSERT_EQ(worker->state(), fork.state());
      if (original_step.kind != WorkerStep::Kind::progressed) break;
    }
  }
  EXPECT_EQ(fork.state().phase, WorkerPhase::exited);
  EXPECT_EQ(fork.units_done(), 1u);
  EXPECT_EQ(fork_core.state(), core->state());
}

}  // namespace
}  // namespace tether::test
