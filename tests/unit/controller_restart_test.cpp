// Goal: what a controller does when its listener exits — restart after the backoff delay with the
// restart counted, double the delay on quick failures, give up on a crash loop, honour the restart
// modes, and never retry a command that does not exist. Method: launch with the fakes, end the listener
// process, report the exit, and move the clock exactly to (and just before) each deadline.
#include "controller_fixture.hpp"

namespace tether::test {
namespace {

using Kind = ControllerEvent::Kind;

TEST_F(ControllerTest, ListenerExitRestartsAfterTheBackoffDelay) {
  const ProcessIdentity first = start_and_launch();
  segment.poke(Field::listener_identity, first.pack());  // it registered
  now_ns += 2000 * ns_per_ms;
  end_listener(first, ExitStatus::code(1));
  EXPECT_EQ(settle(), StepOutcome::waiting);
  const auto exited = last(Kind::exited);
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->process, first);
  EXPECT_EQ(exited->status.kind, ExitStatus::Kind::exited);
  EXPECT_EQ(exited->status.value, 1);
  const auto restarting = last(Kind::restarting);
  ASSERT_TRUE(restarting.has_value());
  EXPECT_EQ(restarting->value, config.restart_delay_ms);
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);  // the dead listener's registration is gone
  ASSERT_TRUE(core->deadline_ns().has_value());
  const std::uint64_t deadline_ns = *core->deadline_ns();
  EXPECT_EQ(deadline_ns, now_ns + config.restart_delay_ms * ns_per_ms);

  EXPECT_EQ(settle_at(deadline_ns - 1), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 1u);

  EXPECT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
  ASSERT_EQ(processes.spawned().size(), 2u);
  const ProcessIdentity second = processes.spawned().back();
  EXPECT_EQ(core->listener(), second);
  EXPECT_EQ(processes.spawn_generations(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(segment.peek(Field::generation), 2u);
  EXPECT_EQ(segment.peek(Field::restarts), 1u);
  EXPECT_EQ(segment.peek(Field::launched_identity), second.pack());
  EXPECT_EQ(core->deadline_ns(), now_ns + config.ready_timeout_ms * ns_per_ms);  // until it registers
}

TEST_F(ControllerTest, BackoffDoublesOnQuickFailures) {
  config.start_limit = 10;
  ProcessIdentity listener = start_and_launch();
  for (const std::uint64_t expected_delay_ms : {100u, 200u, 400u, 800u, 1600u, 3200u, 5000u, 5000u}) {
    const std::uint64_t deadline_ns = fail_and_expect_restart(listener, ExitStatus::signal(9));
    EXPECT_EQ(deadline_ns, now_ns + expected_delay_ms * ns_per_ms);
    ASSERT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
    listener = core->listener();
  }
  EXPECT_EQ(segment.peek(Field::restarts), 8u);
}

TEST_F(ControllerTest, BackoffStartsAgainAfterAHealthyRun) {
  ProcessIdentity listener = start_and_launch();
  for (std::uint32_t i = 0; i < 2; ++i) {
    ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::code(1))), StepOutcome::waiting);
    listener = core->listener();
  }
  // One nanosecond short of a healthy run: the delay keeps doubling.
  now_ns += config.healthy_run_ms * ns_per_ms - 1;
  std::uint64_t deadline_ns = fail_and_expect_restart(listener, ExitStatus::code(1));
  EXPECT_EQ(deadline_ns, now_ns + 4 * config.restart_delay_ms * ns_per_ms);
  ASSERT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
  listener = core->listener();
  // Up for exactly healthy_run_ms: the next failure is a first failure again.
  now_ns += config.healthy_run_ms * ns_per_ms;
  deadline_ns = fail_and_expect_restart(listener, ExitStatus::code(1));
  EXPECT_EQ(deadline_ns, now_ns + config.restart_delay_ms * ns_per_ms);
}

// Tried as a user would: a worker killed every 2 s. runit and s6 restart it for ever after a short
// pause; so do we (the healthy run forgets the counted starts), always after the first delay.
TEST_F(ControllerTest, AWorkerThatRunsHealthilyBetweenCrashesIsNeverGivenUpOn) {
  ProcessIdentity listener = start_and_launch();
  for (std::uint32_t crash = 0; crash < 3 * config.start_limit; ++crash) {
    now_ns += 2000 * ns_per_ms;
    const std::uint64_t deadline_ns = fail_and_expect_restart(listener, ExitStatus::signal(9));
    EXPECT_EQ(deadline_ns, now_ns + config.restart_delay_ms * ns_per_ms) << "crash " << crash;
    ASSERT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
    listener = core->listener();
  }
  EXPECT_EQ(count(Kind::gave_up), 0u);
  EXPECT_EQ(processes.spawned().size(), 3 * config.start_limit + 1);
}

TEST_F(ControllerTest, ShortRunsStillReachTheStartLimitAfterAHealthyOne) {
  ProcessIdentity listener = start_and_launch();  // a healthy first run (up to the ready timeout)
  for (std::uint32_t start = 1; start <= config.start_limit; ++start) {
    ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::code(2))), StepOutcome::waiting);
    listener = core->listener();
  }
  // The healthy run forgot the first start: start_limit quick starts since, the next would be one too many.
  end_listener(listener, ExitStatus::code(2));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::unavailable);
  EXPECT_EQ(processes.spawned().size(), config.start_limit + 1);
}

TEST_F(ControllerTest, CrashLoopGivesUpWithUnavailable) {
  // Default: 5 starts in 10 s. Start 6 would fall inside the interval, so it never happens. The first
  // run lasts the ready timeout; it must not count as healthy here.
  config.healthy_run_ms = 2 * config.ready_timeout_ms;
  ProcessIdentity listener = start_and_launch();
  for (std::uint32_t start = 1; start < config.start_limit; ++start) {
    ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::code(2))), StepOutcome::waiting);
    listener = core->listener();
  }
  EXPECT_EQ(processes.spawned().size(), config.start_limit);
  end_listener(listener, ExitStatus::code(2));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::unavailable);
  EXPECT_TRUE(core->remove_segment());
  EXPECT_EQ(count(Kind::gave_up), 1u);
  EXPECT_EQ(processes.spawned().size(), config.start_limit);
}

TEST_F(ControllerTest, BackoffDoublesAcrossFailedSpawns) {
  // A failed spawn is a run of zero length: the failure after it is a consecutive one, even when the
  // listener before ran for long (its start time must not be taken for the failed attempt's).
  const ProcessIdentity first = start_and_launch();
  now_ns += 2 * config.start_limit_interval_ms * ns_per_ms;
  const std::uint64_t deadline_ns = fail_and_expect_restart(first, ExitStatus::code(1));
  EXPECT_EQ(deadline_ns, now_ns + config.restart_delay_ms * ns_per_ms);  // after a healthy run
  processes.fail_next_spawn(SpawnError::resources);
  EXPECT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::launch_failed), 1u);
  EXPECT_EQ(processes.spawned().size(), 1u);
  ASSERT_TRUE(core->deadline_ns().has_value());
  EXPECT_EQ(*core->deadline_ns(), now_ns + 2 * config.restart_delay_ms * ns_per_ms);
}

TEST_F(ControllerTest, StartsOlderThanTheIntervalDoNotCount) {
  config.start_limit = 2;
  config.restart_delay_ms_max = config.restart_delay_ms;
  config.healthy_run_ms = config.start_limit_interval_ms;  // no run here is healthy
  const std::uint64_t first_start_ns = now_ns;
  ProcessIdentity listener = start_and_launch();  // takes the clock to the ready timeout (5 s)
  now_ns += 1000 * ns_per_ms;
  ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::code(1))), StepOutcome::waiting);
  listener = core->listener();
  // The first start is exactly one interval back: outside the window, so start 3 is allowed.
  now_ns = first_start_ns + config.start_limit_interval_ms * ns_per_ms;
  ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::code(1))), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 3u);
  // Starts 2 and 3 lie 4 s apart: start 4 would be the third inside 10 s.
  end_listener(core->listener(), ExitStatus::code(1));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::unavailable);
  EXPECT_EQ(processes.spawned().size(), 3u);
}

TEST_F(ControllerTest, RestartNeverFinishesWithOkAfterACleanExit) {
  config.restart = RestartMode::never;
  end_listener(start_and_launch(), ExitStatus::code(0));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_TRUE(core->remove_segment());
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, RestartNeverFinishesWithFailureAfterAFailedExit) {
  config.restart = RestartMode::never;
  end_listener(start_and_launch(), ExitStatus::code(3));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::failure);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, RestartNeverFinishesWithFailureAfterAKill) {
  config.restart = RestartMode::never;
  end_listener(start_and_launch(), ExitStatus::signal(9));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::failure);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, OnFailureDoesNotRestartACleanExit) {
  config.restart = RestartMode::on_failure;
  end_listener(start_and_launch(), ExitStatus::code(0));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(count(Kind::restarting), 0u);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, OnFailureRestartsAFailedExitAndAKill) {
  config.restart = RestartMode::on_failure;
  ProcessIdentity listener = start_and_launch();
  ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::code(2))), StepOutcome::waiting);
  listener = core->listener();
  ASSERT_EQ(settle_at(fail_and_expect_restart(listener, ExitStatus::signal(15))), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 3u);
}

TEST_F(ControllerTest, AlwaysRestartsACleanExit) {
  const std::uint64_t deadline_ns = fail_and_expect_restart(start_and_launch(), ExitStatus::code(0));
  EXPECT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 2u);
}

TEST_F(ControllerTest, AnAdoptedListenerThatSaidGoodbyeExitedCleanly) {
  // Not our child: the exit status is unknown, only its own identity in departed_identity tells it was
  // clean.
  config.restart = RestartMode::on_failure;
  const ProcessIdentity listener{321, 9000};
  leave_live_process(listener, Field::listener_identity);
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  segment.poke(Field::listener_state, static_cast<std::uint64_t>(ListenerState::exited));
  segment.poke(Field::departed_identity, listener.pack());
  end_listener(listener, ExitStatus::unknown_status());
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_TRUE(processes.spawn_generations().empty());
}

TEST_F(ControllerTest, AnAdoptedListenerThatVanishedIsRestartedAndCounted) {
  config.restart = RestartMode::on_failure;
  const ProcessIdentity listener{321, 9000};
  leave_live_process(listener, Field::listener_identity);
  segment.poke(Field::listener_state, static_cast<std::uint64_t>(ListenerState::working));
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const std::uint64_t deadline_ns = fail_and_expect_restart(listener, ExitStatus::unknown_status());
  EXPECT_EQ(segment.peek(Field::listener_identity), 0u);
  EXPECT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 1u);
  EXPECT_EQ(segment.peek(Field::restarts), 1u);  // it replaced a listener: a restart, not a first launch
}

// An earlier listener's goodbye (state `exited`, its identity in departed_identity) must not make the
// crash of an adopted process that never registered (found through launched_identity) look clean.
TEST_F(ControllerTest, AnAdoptedUnregisteredListenerIsNotJudgedByAnEarlierGoodbye) {
  config.restart = RestartMode::never;
  const ProcessIdentity launched{654, 7000};
  const ProcessIdentity predecessor{653, 6000};
  leave_live_process(launched, Field::launched_identity);
  segment.poke(Field::listener_state, static_cast<std::uint64_t>(ListenerState::exited));
  segment.poke(Field::departed_identity, predecessor.pack());
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->listener(), launched);
  end_listener(launched, ExitStatus::unknown_status());  // crashed before registering
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::failure);
}

TEST_F(ControllerTest, AnAdoptedListenerThatLeftGracefullyIsJudgedClean) {
  config.restart = RestartMode::never;
  const ProcessIdentity registered{655, 7100};
  leave_live_process(registered, Field::listener_identity);
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->listener(), registered);
  segment.poke(Field::departed_identity, registered.pack());  // its own goodbye
  end_listener(registered, ExitStatus::unknown_status());
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
}

TEST_F(ControllerTest, ALateExitReportOfAnEarlierListenerIsIgnored) {
  const ProcessIdentity first = start_and_launch();
  ASSERT_EQ(settle_at(fail_and_expect_restart(first, ExitStatus::code(1))), StepOutcome::waiting);
  const std::size_t exits = count(Kind::exited);
  core->handle_listener_exit(first, ExitStatus::code(1));
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::exited), exits);
  EXPECT_EQ(core->listener(), processes.spawned().back());
  EXPECT_EQ(core->deadline_ns(), now_ns + config.ready_timeout_ms * ns_per_ms);  // until it registers
}

TEST_F(ControllerTest, ClearingADeadListenerNeverErasesAnotherRegistration) {
  // The word holds someone else by the time our listener's exit is handled (a worker started by hand):
  // the controller clears only the identity that died, and adopts the other instead of launching.
  const ProcessIdentity first = start_and_launch();
  const ProcessIdentity other{888, 4321};
  processes.add_live(other);
  segment.poke(Field::listener_identity, other.pack());
  const std::uint64_t deadline_ns = fail_and_expect_restart(first, ExitStatus::code(1));
  EXPECT_EQ(segment.peek(Field::listener_identity), other.pack());
  EXPECT_EQ(settle_at(deadline_ns), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 1u);
  EXPECT_EQ(core->listener(), other);
  EXPECT_EQ(count(Kind::adopted), 1u);
}

TEST_F(ControllerTest, MissingCommandExitsUnavailableWithoutRetry) {
  processes.fail_next_spawn(SpawnError::not_found);
  start();
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::unavailable);
  EXPECT_TRUE(core->remove_segment());
  EXPECT_EQ(processes.spawn_generations().size(), 1u);
  EXPECT_EQ(count(Kind::launch_failed), 1u);
  EXPECT_EQ(count(Kind::restarting), 0u);
}

TEST_F(ControllerTest, CommandMissingAtARestartExitsUnavailableWithoutRetry) {
  const ProcessIdentity first = start_and_launch();
  processes.fail_next_spawn(SpawnError::not_found);
  EXPECT_EQ(settle_at(fail_and_expect_restart(first, ExitStatus::code(1))), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::unavailable);
  EXPECT_EQ(processes.spawn_generations().size(), 2u);
}

TEST_F(ControllerTest, AListenerThatDiesBeforeItsIdentityIsKnownIsRetried) {
  processes.fail_next_spawn(SpawnError::identity_unknown);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::restarting), 1u);
  ASSERT_TRUE(core->deadline_ns().has_value());
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, OutOfResourcesIsRetriedAfterTheDelay) {
  processes.fail_next_spawn(SpawnError::resources);
  start();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(processes.spawned().empty());
  EXPECT_EQ(count(Kind::launch_failed), 1u);
  ASSERT_TRUE(core->deadline_ns().has_value());
  EXPECT_EQ(*core->deadline_ns(), now_ns + config.restart_delay_ms * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  EXPECT_EQ(processes.spawned().size(), 1u);
  EXPECT_EQ(processes.spawn_generations().size(), 2u);
}

}  // namespace
}  // namespace tether::test
