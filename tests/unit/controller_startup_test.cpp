// Goal: how a controller takes over a segment — initialising a fresh one (magic last), launching, and
// adopting instead of launching whenever a live listener (registered or only launched) exists, while
// never trusting a dead or reused identity and never writing into a foreign segment. Method: prepare
// the fake segment and process table as a previous run left them, then step the core with the fixture.
#include <algorithm>
#include <set>
#include <string_view>

#include "controller_fixture.hpp"

namespace tether::test {
namespace {

using Kind = ControllerEvent::Kind;

// The simulator's trace names events by these: each kind its own name, none the fallback.
TEST(ControllerEventNames, EveryKindHasItsOwnName) {
  std::set<std::string_view> names;
  const auto last = static_cast<std::uint8_t>(Kind::finished);
  for (std::uint8_t value = 0; value <= last; ++value) {
    const std::string_view name = controller_event_name(static_cast<Kind>(value));
    EXPECT_NE(name, "unknown") << int{value};
    names.insert(name);
  }
  EXPECT_EQ(names.size(), std::size_t{last} + 1);
  EXPECT_EQ(controller_event_name(Kind::launched), "launched");
  EXPECT_EQ(controller_event_name(Kind::gave_up), "gave_up");
}

TEST_F(ControllerTest, FreshSegmentIsInitialisedWithTheMagicLast) {
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  const auto& log = segment.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().kind, fakes::SegmentAccess::Kind::load);
  EXPECT_EQ(log.front().field, Field::magic);
  const auto is_magic_store = [](const fakes::SegmentAccess& op) {
    return op.kind == fakes::SegmentAccess::Kind::store && op.field == Field::magic;
  };
  const auto magic_store = std::find_if(log.begin(), log.end(), is_magic_store);
  ASSERT_NE(magic_store, log.end());
  EXPECT_EQ(magic_store->value, segment_magic);
  EXPECT_EQ(std::count_if(log.begin(), log.end(), is_magic_store), 1);
  // Every other header field was written before the magic published them.
  for (std::size_t i = 0; i < field_count; ++i) {
    const auto field = static_cast<Field>(i);
    if (field == Field::magic) continue;
    const auto before = std::find_if(log.begin(), magic_store, [field](const fakes::SegmentAccess& op) {
      return op.kind == fakes::SegmentAccess::Kind::store && op.field == field;
    });
    EXPECT_NE(before, magic_store) << field_name(field) << " is not initialised before the magic";
  }
  EXPECT_EQ(segment.peek(Field::layout_version), segment_layout_version);
  EXPECT_EQ(segment.peek(Field::size_bytes), segment_size_bytes);
  EXPECT_EQ(segment.peek(Field::controller_identity), self.pack());
  EXPECT_EQ(count(Kind::segment_initialised), 1u);
  // The creator's identity names this segment among all segments the name will ever have, and every
  // launch carries it.
  EXPECT_EQ(segment.peek(Field::incarnation), self.pack());
  ASSERT_EQ(processes.spawn_tickets().size(), 1u);
  EXPECT_EQ(processes.spawn_tickets().front(), (LaunchTicket{self.pack(), 1}));
}

TEST_F(ControllerTest, InitialisationWipesLeftoversOfADeadCreator) {
  // Magic 0 means nobody finished initialising: whatever else is there is junk, not a listener.
  const ProcessIdentity leftover{555, 1};
  processes.add_live(leftover);
  segment.poke(Field::listener_identity, leftover.pack());
  segment.poke(Field::shutdown_request, 1);
  segment.poke(Field::generation, 40);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 1u);
  EXPECT_EQ(count(Kind::adopted), 0u);
  EXPECT_EQ(segment.peek(Field::generation), 1u);
  EXPECT_EQ(segment.peek(Field::shutdown_request), 0u);
}

TEST_F(ControllerTest, ACreatorThatDiesHalfWayLeavesTheMagicZero) {
  // Stop stepping (a crash) at every point of initialisation: the magic is 0 until the last header write,
  // which is store number field_count (the other fields first).
  for (std::uint32_t stores = 0; stores <= field_count; ++stores) {
    fakes::FakeSegment half;
    fakes::ScriptedProcesses none;
    ControllerCore creator(config, half, none, self);
    for (std::uint32_t i = 0; i < stores + 1; ++i) creator.step(now_ns);  // the magic load, then stores
    EXPECT_EQ(half.writes(), stores);
    EXPECT_EQ(half.peek(Field::magic), stores == field_count ? segment_magic : 0u) << "after " << stores;
  }
}

TEST_F(ControllerTest, LaunchRecordsLaunchedIdentityAndBumpsGeneration) {
  segment.poke_initialised_header();
  segment.poke(Field::generation, 4);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(processes.spawned().size(), 1u);
  const ProcessIdentity listener = processes.spawned().front();
  // A segment another controller created keeps its incarnation; our launches carry that one.
  EXPECT_EQ(processes.spawn_tickets(),
            std::vector<LaunchTicket>{(LaunchTicket{fakes::FakeSegment::earlier_incarnation, 5})});
  EXPECT_EQ(segment.peek(Field::incarnation), fakes::FakeSegment::earlier_incarnation);
  EXPECT_EQ(segment.peek(Field::generation), 5u);
  EXPECT_EQ(segment.peek(Field::launched_identity), listener.pack());
  EXPECT_EQ(segment.peek(Field::restarts), 0u);  // a first launch is not a restart
  EXPECT_EQ(core->listener(), listener);
  const auto launched = last(Kind::launched);
  ASSERT_TRUE(launched.has_value());
  EXPECT_EQ(launched->process, listener);
  EXPECT_EQ(launched->value, 5u);
  EXPECT_EQ(count(Kind::segment_initialised), 0u);  // an initialised segment is kept as it is
  EXPECT_EQ(core->deadline_ns(), now_ns + config.ready_timeout_ms * ns_per_ms);  // until it registers
}

// The launched process is held at its gate until the segment records it: a controller killed before
// that leaves nothing running that no later controller could know of.
TEST_F(ControllerTest, LaunchIsReleasedOnlyOnceTheSegmentRecordsIt) {
  segment.poke_initialised_header();
  start();
  for (std::uint32_t i = 0; i < settle_steps_max && processes.spawned().empty(); ++i) step();
  ASSERT_EQ(processes.spawned().size(), 1u);
  const ProcessIdentity listener = processes.spawned().front();
  EXPECT_EQ(core->passed_point(), CrashPoint::after_spawn);
  EXPECT_TRUE(processes.released().empty());
  EXPECT_EQ(segment.peek(Field::launched_identity), 0u);

  step();  // the record
  EXPECT_EQ(segment.peek(Field::launched_identity), listener.pack());
  EXPECT_EQ(core->passed_point(), CrashPoint::after_record);
  EXPECT_TRUE(processes.released().empty());

  step();  // the release
  EXPECT_EQ(processes.released(), std::vector<ProcessIdentity>{listener});
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(processes.released().size(), 1u);
}

TEST_F(ControllerTest, AdoptsALiveRegisteredListenerAndLaunchesNothing) {
  const ProcessIdentity listener{321, 9000};
  leave_live_process(listener, Field::listener_identity);
  segment.poke(Field::generation, 3);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(processes.spawn_generations().empty());
  EXPECT_EQ(core->listener(), listener);
  EXPECT_EQ(count(Kind::adopted), 1u);
  EXPECT_NE(std::find(processes.watched().begin(), processes.watched().end(), listener), processes.watched().end());
  EXPECT_EQ(segment.peek(Field::generation), 3u);
  EXPECT_EQ(segment.peek(Field::listener_identity), listener.pack());
  EXPECT_EQ(segment.peek(Field::controller_identity), self.pack());
}

TEST_F(ControllerTest, StaleRegisteredIdentityIsClearedAndANewListenerLaunched) {
  const ProcessIdentity dead{321, 9000};
  segment.poke_initialised_header();
  segment.poke(Field::listener_identity, dead.pack());
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::adopted), 0u);
  const auto cleared = last(Kind::stale_listener_cleared);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->process, dead);
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  ASSERT_EQ(processes.spawned().size(), 1u);
  EXPECT_EQ(core->listener(), processes.spawned().front());
}

TEST_F(ControllerTest, AReusedPidIsAStrangerNotTheListener) {
  // The registered pid exists again, but with another start time: a stranger got the pid.
  const ProcessIdentity registered{321, 9000};
  const ProcessIdentity stranger{321, 9500};
  processes.add_live(stranger);
  segment.poke_initialised_header();
  segment.poke(Field::listener_identity, registered.pack());
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::adopted), 0u);
  EXPECT_EQ(count(Kind::stale_listener_cleared), 1u);
  EXPECT_EQ(processes.spawned().size(), 1u);
  EXPECT_NE(core->listener(), stranger);
}

TEST_F(ControllerTest, ALaunchedButUnregisteredLiveProcessIsAdoptedNotRelaunched) {
  // The previous controller died between spawning and the listener's registration.
  const ProcessIdentity launched{654, 7000};
  leave_live_process(launched, Field::launched_identity);
  segment.poke(Field::generation, 2);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(processes.spawn_generations().empty());
  EXPECT_EQ(core->listener(), launched);
  EXPECT_EQ(count(Kind::adopted), 1u);
  // The generation stays, so the adopted process still registers for the generation it was given.
  EXPECT_EQ(segment.peek(Field::generation), 2u);
}

// The stop-at-once rule on the adoption path: an adopted process that never registered cannot be in a
// unit, so a stop posts the request and signals it in the same run of steps, without a ready timeout.
TEST_F(ControllerTest, AnAdoptedUnregisteredWorkerIsSignalledAtOnceAfterTheRequestIsPosted) {
  const ProcessIdentity launched{654, 7000};
  leave_live_process(launched, Field::launched_identity);
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->listener(), launched);
  core->handle_shutdown_signal();
  EXPECT_TRUE(request_visible_before_first_signal());
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(launched, Signal::terminate));
  EXPECT_EQ(count(Kind::stop_signalled), 1u);
  EXPECT_EQ(count(Kind::registered), 0u);
}

TEST_F(ControllerTest, AnAdoptedRegisteredListenerGetsTheRequestNotASignal) {
  const ProcessIdentity listener{321, 9000};
  leave_live_process(listener, Field::listener_identity);
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->listener(), listener);
  const std::uint64_t requested_ns = now_ns;
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
  EXPECT_TRUE(processes.signals().empty()) << "a registered listener finishes its unit";
  EXPECT_EQ(core->deadline_ns(), requested_ns + config.stop_timeout_ms * ns_per_ms);
  EXPECT_EQ(count(Kind::stop_signalled), 0u);
}

TEST_F(ControllerTest, ADeadLaunchedIdentityIsNotAdopted) {
  segment.poke_initialised_header();
  segment.poke(Field::launched_identity, ProcessIdentity{654, 7000}.pack());
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::adopted), 0u);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, AListenerThatRegistersDuringTheLaunchIsAdopted) {
  // The listener of an earlier launch registers between our read and our generation bump: the recheck
  // after the bump must see it, otherwise two listeners would run.
  segment.poke_initialised_header();
  start();
  const ProcessIdentity late{777, 1234};
  processes.add_live(late);
  bool registered_after_bump = false;
  for (std::uint32_t i = 0; i < settle_steps_max && processes.spawn_generations().empty(); ++i) {
    const auto& log = segment.log();
    if (!log.empty() && log.back().kind == fakes::SegmentAccess::Kind::fetch_add &&
        log.back().field == Field::generation) {
      segment.poke(Field::listener_identity, late.pack());
      registered_after_bump = true;
      break;
    }
    step();
  }
  ASSERT_TRUE(registered_after_bump);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(processes.spawn_generations().empty());
  EXPECT_EQ(core->listener(), late);
}

TEST_F(ControllerTest, ForeignMagicExitsWithDataErrorAndWritesNothing) {
  segment.poke(Field::magic, 0x0123456789abcdef);
  start();
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::data_error);
  EXPECT_FALSE(core->remove_segment());
  EXPECT_EQ(segment.writes(), 0u);
  EXPECT_TRUE(processes.spawn_generations().empty());
  EXPECT_EQ(step(), StepOutcome::finished);  // finished is final
  EXPECT_EQ(segment.writes(), 0u);
}

TEST_F(ControllerTest, ALeftoverShutdownRequestIsFinishedNotRelaunched) {
  segment.poke_initialised_header();
  segment.poke(Field::shutdown_request, 1);
  start();
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_TRUE(core->remove_segment());
  EXPECT_TRUE(processes.spawn_generations().empty());
  // Said, or a controller that exits at once would not say why: once, marked as found at start.
  ASSERT_EQ(count(Kind::shutdown_requested), 1u);
  const auto found = std::find_if(events.begin(), events.end(),
                                  [](const ControllerEvent& event) { return event.kind == Kind::shutdown_requested; });
  EXPECT_EQ(found->value, 1u);
}

TEST_F(ControllerTest, ALeftoverShutdownRequestStopsAnAdoptedListener) {
  const ProcessIdentity listener{321, 9000};
  leave_live_process(listener, Field::listener_identity);
  segment.poke(Field::shutdown_request, 1);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(core->shutdown_requested());
  ASSERT_TRUE(core->deadline_ns().has_value());
  EXPECT_EQ(*core->deadline_ns(), now_ns + config.stop_timeout_ms * ns_per_ms);
  end_listener(listener, ExitStatus::unknown_status());
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_TRUE(processes.spawn_generations().empty());
}

}  // namespace
}  // namespace tether::test
