// Goal: the shutdown protocol on the controller side — the request is stored in its own word and
// waiters are woken; the controller finishes (exit 0, segment removed) once the listener is gone; it
// never spawns after a shutdown, whoever posted it and whenever it arrives; it escalates to SIGTERM and
// SIGKILL at the configured times and only ever signals the listener's identity. Method: drive the
// core with the fakes and inject the request at every step of a restart.
#include "controller_fixture.hpp"

namespace tether::test {
namespace {

using Kind = ControllerEvent::Kind;

TEST_F(ControllerTest, ShutdownSignalStoresTheRequestAndWakesWaiters) {
  const ProcessIdentity listener = start_and_launch();
  const std::uint32_t wakes_before = segment.wakes();
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
  EXPECT_EQ(segment.wakes(), wakes_before + 1);
  EXPECT_TRUE(core->shutdown_requested());
  EXPECT_EQ(count(Kind::shutdown_requested), 1u);
  ASSERT_TRUE(core->deadline_ns().has_value());
  EXPECT_EQ(*core->deadline_ns(), now_ns + config.stop_timeout_ms * ns_per_ms);
  EXPECT_TRUE(processes.signals().empty());  // the listener gets its chance to finish the unit

  now_ns += 50 * ns_per_ms;
  end_listener(listener, ExitStatus::code(0));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_TRUE(core->remove_segment());
  EXPECT_EQ(processes.spawned().size(), 1u);
  EXPECT_EQ(count(Kind::restarting), 0u);
  const auto finished = last(Kind::finished);
  ASSERT_TRUE(finished.has_value());
  EXPECT_EQ(finished->value, 0u);
  // The request is never withdrawn while the segment lives.
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
}

TEST_F(ControllerTest, ASecondShutdownSignalChangesNothing) {
  start_and_launch();
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const auto deadline_ns = core->deadline_ns();
  now_ns += 10 * ns_per_ms;
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(stores_of(Field::shutdown_request), 2u);  // one at initialisation, one request
  EXPECT_EQ(core->deadline_ns(), deadline_ns);        // the stop timeout does not start again
}

TEST_F(ControllerTest, ShutdownBeforeTheFirstLaunchSpawnsNothing) {
  start();
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_TRUE(processes.spawn_generations().empty());
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
}

TEST_F(ControllerTest, ANoticeOfARequestPostedBySomeoneElseStartsTheStop) {
  const ProcessIdentity listener = start_and_launch();
  segment.poke(Field::shutdown_request, 1);  // `tether shutdown NAME`
  core->handle_shutdown_notice();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(core->shutdown_requested());
  EXPECT_EQ(stores_of(Field::shutdown_request), 1u);  // only the initialisation: it reads, not writes
  ASSERT_TRUE(core->deadline_ns().has_value());
  EXPECT_EQ(*core->deadline_ns(), now_ns + config.stop_timeout_ms * ns_per_ms);
  end_listener(listener, ExitStatus::code(0));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, ANoticeWithoutARequestIsIgnored) {
  start_and_launch();
  core->handle_shutdown_notice();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_FALSE(core->shutdown_requested());
  EXPECT_FALSE(core->deadline_ns().has_value());
}

TEST_F(ControllerTest, ARequestPostedWithoutNoticeStillPreventsTheRestart) {
  // The notice (a signal) can be lost; the word in the segment is what counts.
  const ProcessIdentity listener = start_and_launch();
  segment.poke(Field::shutdown_request, 1);
  end_listener(listener, ExitStatus::code(0));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, ShutdownSignalWhileWaitingForARestartFinishes) {
  const ProcessIdentity listener = start_and_launch();
  const std::uint64_t deadline_ns = fail_and_expect_restart(listener, ExitStatus::code(1));
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
  EXPECT_EQ(step(), StepOutcome::finished);
  now_ns = deadline_ns;
  EXPECT_EQ(step(), StepOutcome::finished);
  EXPECT_EQ(processes.spawn_generations().size(), 1u);
}

TEST_F(ControllerTest, ANoticeWhileWaitingForARestartFinishes) {
  const ProcessIdentity listener = start_and_launch();
  fail_and_expect_restart(listener, ExitStatus::code(1));
  segment.poke(Field::shutdown_request, 1);
  core->handle_shutdown_notice();
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(processes.spawn_generations().size(), 1u);
}

TEST_F(ControllerTest, ARequestPostedSilentlyWhileWaitingForARestartPreventsIt) {
  const ProcessIdentity listener = start_and_launch();
  const std::uint64_t deadline_ns = fail_and_expect_restart(listener, ExitStatus::code(1));
  segment.poke(Field::shutdown_request, 1);
  EXPECT_EQ(settle_at(deadline_ns), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(processes.spawn_generations().size(), 1u);
}

// Injects a shutdown after `steps` steps of a restart (from the moment its delay ended) and checks
// that no spawn happens after the injection. `by_signal`: SIGTERM to the controller; otherwise someone
// else posts the request in the segment without any notice.
class ShutdownDuringRestart : public ControllerTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ShutdownDuringRestart, NoSpawnAfterTheRequestAtAnyStep) {
  const bool by_signal = GetParam();
  // A restart takes: leave the wait, bump the generation, recheck, check-and-spawn, record, count.
  constexpr std::uint32_t restart_steps = 8;
  for (std::uint32_t steps = 0; steps <= restart_steps; ++steps) {
    SCOPED_TRACE(testing::Message() << "shutdown after " << steps << " steps of the restart");
    fakes::FakeSegment world_segment;
    fakes::ScriptedProcesses world_processes;
    ControllerCore controller(config, world_segment, world_processes, self);
    std::uint64_t time_ns = now_ns;
    ControllerEvent event{};
    const auto step_once = [&] {
      world_segment.begin_step();
      const StepOutcome outcome = controller.step(time_ns);
      EXPECT_LE(world_segment.ops_in_step(), 1u);
      while (controller.pop_event(event)) {
      }
      return outcome;
    };
    const auto settle_world = [&] {
      StepOutcome outcome = StepOutcome::progressed;
      for (std::uint32_t i = 0; i < settle_steps_max && outcome == StepOutcome::progressed; ++i) outcome = step_once();
      return outcome;
    };
    ASSERT_EQ(settle_world(), StepOutcome::waiting);
    ASSERT_EQ(world_processes.spawned().size(), 1u);
    const ProcessIdentity first = world_processes.spawned().front();
    world_processes.end(first);
    controller.handle_listener_exit(first, ExitStatus::code(1));
    ASSERT_EQ(settle_world(), StepOutcome::waiting);
    ASSERT_TRUE(controller.deadline_ns().has_value());
    time_ns = *controller.deadline_ns();
    for (std::uint32_t i = 0; i < steps; ++i) step_once();

    const std::size_t spawns_at_request = world_processes.spawn_generations().size();
    if (by_signal) {
      controller.handle_shutdown_signal();
    } else {
      world_segment.poke(Field::shutdown_request, 1);
    }
    const bool spawned_before_request = spawns_at_request == 2;
    const StepOutcome outcome = settle_world();
    EXPECT_EQ(world_processes.spawn_generations().size(), spawns_at_request);
    if (!spawned_before_request) {
      EXPECT_EQ(outcome, StepOutcome::finished);
      EXPECT_EQ(controller.exit_code(), exit_code::ok);
    } else if (by_signal) {
      // The new listener is told; the controller waits for it to leave.
      EXPECT_EQ(outcome, StepOutcome::waiting);
      EXPECT_EQ(world_segment.peek(Field::shutdown_request), 1u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Controller, ShutdownDuringRestart, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "BySignal" : "PostedInSegment";
                         });

TEST_F(ControllerTest, StopEscalatesToSigtermThenSigkillOnlyToTheListener) {
  config.stop_timeout_ms = 300;
  config.kill_timeout_ms = 200;
  const ProcessIdentity listener = start_and_launch();
  // A stranger with the listener's pid but another start time must never be signalled.
  processes.add_live(ProcessIdentity{listener.pid, listener.start_time_ticks + 1});
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const std::uint64_t stop_deadline_ns = now_ns + 300 * ns_per_ms;
  ASSERT_EQ(core->deadline_ns(), stop_deadline_ns);

  EXPECT_EQ(settle_at(stop_deadline_ns - 1), StepOutcome::waiting);
  EXPECT_TRUE(processes.signals().empty());

  EXPECT_EQ(settle_at(stop_deadline_ns), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0].first, listener);
  EXPECT_EQ(processes.signals()[0].second, Signal::terminate);
  EXPECT_EQ(count(Kind::escalated_sigterm), 1u);
  const std::uint64_t kill_deadline_ns = stop_deadline_ns + 200 * ns_per_ms;
  ASSERT_EQ(core->deadline_ns(), kill_deadline_ns);

  EXPECT_EQ(settle_at(kill_deadline_ns - 1), StepOutcome::waiting);
  EXPECT_EQ(processes.signals().size(), 1u);

  EXPECT_EQ(settle_at(kill_deadline_ns), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 2u);
  EXPECT_EQ(processes.signals()[1].first, listener);
  EXPECT_EQ(processes.signals()[1].second, Signal::kill);
  EXPECT_EQ(count(Kind::escalated_sigkill), 1u);
  EXPECT_FALSE(core->deadline_ns().has_value());  // nothing left to escalate: wait for the exit

  EXPECT_EQ(settle_at(kill_deadline_ns + 60'000 * ns_per_ms), StepOutcome::waiting);
  EXPECT_EQ(processes.signals().size(), 2u);
  end_listener(listener, ExitStatus::signal(9));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, AListenerThatLeavesInTimeIsNeverSignalled) {
  const ProcessIdentity listener = start_and_launch();
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  now_ns += config.stop_timeout_ms * ns_per_ms - 1;
  end_listener(listener, ExitStatus::code(0));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_TRUE(processes.signals().empty());
}

TEST_F(ControllerTest, ZeroStopTimeoutSignalsAtOnce) {
  config.stop_timeout_ms = 0;
  const ProcessIdentity listener = start_and_launch();
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0].first, listener);
}

TEST_F(ControllerTest, EveryStepPerformsAtMostOneSegmentOperation) {
  // A whole life: initialise, launch, crash, restart, shutdown, escalation, finish. The fixture checks
  // each step; this also checks that the steps did perform segment work (the bound is not vacuous).
  config.stop_timeout_ms = 10;
  config.kill_timeout_ms = 10;
  const ProcessIdentity first = start_and_launch();
  ASSERT_EQ(settle_at(fail_and_expect_restart(first, ExitStatus::signal(9))), StepOutcome::waiting);
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(settle_at(now_ns + 10 * ns_per_ms), StepOutcome::waiting);
  ASSERT_EQ(settle_at(now_ns + 10 * ns_per_ms), StepOutcome::waiting);
  end_listener(core->listener(), ExitStatus::signal(9));
  ASSERT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(segment.ops_in_step_max(), 1u);
  EXPECT_GE(segment.log().size(), 20u);
  EXPECT_LE(segment.log().size(), steps_taken);
}

}  // namespace
}  // namespace tether::test
