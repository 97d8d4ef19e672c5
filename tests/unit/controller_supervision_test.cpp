// Goal: the controller's supervision beyond restarts: plain workers (never register), the watchdog, and
// a stop deadline that heartbeats extend up to a cap. Method: drive ControllerCore over the fake ports,
// moving the fake clock to each deadline the core announces, and inspect signals and events.
#include "controller_fixture.hpp"

namespace tether::test {
namespace {

using Kind = ControllerEvent::Kind;

TEST_F(ControllerTest, AWorkerThatNeverRegistersIsAPlainWorker) {
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  ASSERT_EQ(core->deadline_ns(), now_ns + config.ready_timeout_ms * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  const auto unregistered = last(Kind::unregistered);
  ASSERT_TRUE(unregistered.has_value());
  EXPECT_EQ(unregistered->process, worker);
  EXPECT_FALSE(core->deadline_ns().has_value()) << "a plain worker is asked only once";
  EXPECT_EQ(segment.peek(Field::launched_identity), worker.pack()) << "its identity is on record";
  EXPECT_EQ(count(Kind::registered), 0u);
}

TEST_F(ControllerTest, AWorkerThatRegistersIsReportedRegisteredOnceWhateverProgramItIs) {
  config.watchdog_ms = 300;
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  segment.poke(Field::listener_identity, worker.pack());
  ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  const auto registered = last(Kind::registered);
  ASSERT_TRUE(registered.has_value()) << "the controller looked at the segment at its first deadline";
  EXPECT_EQ(registered->process, worker);
  for (int beat = 1; beat <= 3; ++beat) {
    segment.poke(Field::heartbeat_ns, now_ns);
    ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  }
  EXPECT_EQ(count(Kind::registered), 1u) << "heartbeat checks do not report it again";
  EXPECT_EQ(count(Kind::unregistered), 0u);
}

TEST_F(ControllerTest, APlainWorkerGetsTheStopSignalAtOnceThenSigkill) {
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u) << "the request is posted all the same";
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(worker, Signal::terminate));
  EXPECT_EQ(count(Kind::stop_signalled), 1u);
  ASSERT_EQ(core->deadline_ns(), now_ns + config.kill_timeout_ms * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 2u);
  EXPECT_EQ(processes.signals()[1], std::make_pair(worker, Signal::kill));
  end_listener(worker, ExitStatus::signal(9));
  EXPECT_EQ(settle(), StepOutcome::finished);
  EXPECT_EQ(core->exit_code(), exit_code::ok);
  EXPECT_EQ(processes.spawned().size(), 1u);
}

TEST_F(ControllerTest, AWorkerThatRegisteredBeforeTheReadyCheckIsStoppedGracefully) {
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  segment.poke(Field::listener_identity, worker.pack());
  core->handle_shutdown_signal();
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(processes.signals().empty()) << "a registered worker gets the request, not a signal";
  EXPECT_EQ(core->deadline_ns(), now_ns + config.stop_timeout_ms * ns_per_ms);
  const auto registered = last(Kind::registered);
  ASSERT_TRUE(registered.has_value()) << "first seen registered by the stop";
  EXPECT_EQ(registered->process, worker);
  EXPECT_EQ(count(Kind::registered), 1u);
}

TEST_F(ControllerTest, TheWatchdogKillsARegisteredListenerWithAStaleHeartbeat) {
  config.watchdog_ms = 300;
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity listener = core->listener();
  // The watchdog period paces the first look, long before the ready timeout.
  ASSERT_EQ(core->deadline_ns(), now_ns + config.watchdog_ms * ns_per_ms);
  segment.poke(Field::listener_identity, listener.pack());
  // A fresh heartbeat moves the next check to heartbeat + watchdog.
  const std::uint64_t heartbeat_ns = now_ns + 200 * ns_per_ms;
  segment.poke(Field::heartbeat_ns, heartbeat_ns);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  EXPECT_TRUE(processes.signals().empty());
  EXPECT_EQ(count(Kind::unregistered), 0u);
  ASSERT_EQ(core->deadline_ns(), heartbeat_ns + config.watchdog_ms * ns_per_ms);
  // No heartbeat since: hung (or SIGSTOPped). Killed, and its exit takes the restart path.
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(listener, Signal::kill));
  const auto fired = last(Kind::watchdog_fired);
  ASSERT_TRUE(fired.has_value());
  EXPECT_EQ(fired->value, config.watchdog_ms);
  fail_and_expect_restart(listener, ExitStatus::signal(9));
}

TEST_F(ControllerTest, TheWatchdogNeverWatchesAPlainWorker) {
  config.watchdog_ms = 100;
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  // Looks at the registration every watchdog period until the ready timeout makes it a plain worker.
  const std::uint64_t ready_ns = now_ns + config.ready_timeout_ms * ns_per_ms;
  for (int look = 0; look < 100 && count(Kind::unregistered) == 0; ++look) {
    ASSERT_TRUE(core->deadline_ns().has_value());
    ASSERT_LE(*core->deadline_ns(), ready_ns);
    ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  }
  ASSERT_EQ(count(Kind::unregistered), 1u);
  EXPECT_EQ(now_ns, ready_ns);
  EXPECT_FALSE(core->deadline_ns().has_value());
  EXPECT_EQ(settle_at(now_ns + 10 * config.watchdog_ms * ns_per_ms), StepOutcome::waiting);
  EXPECT_TRUE(processes.signals().empty());
  EXPECT_EQ(count(Kind::watchdog_fired), 0u);
}

TEST_F(ControllerTest, HeartbeatsDuringAStopExtendItUpToTheCap) {
  config.stop_timeout_ms = 1000;
  config.stop_timeout_ms_max = 2500;
  const ProcessIdentity listener = start_and_launch();
  const std::uint64_t requested_ns = now_ns;
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->deadline_ns(), requested_ns + 1000 * ns_per_ms);
  // A heartbeat at +900 ms: the unit is progressing; the deadline moves to heartbeat + stop timeout.
  segment.poke(Field::heartbeat_ns, requested_ns + 900 * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  EXPECT_TRUE(processes.signals().empty());
  EXPECT_EQ(count(Kind::stop_extended), 1u);
  ASSERT_EQ(core->deadline_ns(), requested_ns + 1900 * ns_per_ms);
  // Another at +1800 ms would reach +2800 ms: capped at +2500 ms.
  segment.poke(Field::heartbeat_ns, requested_ns + 1800 * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(core->deadline_ns(), requested_ns + 2500 * ns_per_ms);
  // At the cap, even a fresh heartbeat earns nothing more: SIGTERM.
  segment.poke(Field::heartbeat_ns, requested_ns + 2400 * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(listener, Signal::terminate));
  EXPECT_EQ(count(Kind::stop_extended), 2u);
}

TEST_F(ControllerTest, AHeartbeatFromBeforeTheRequestEarnsNoExtension) {
  config.stop_timeout_ms = 1000;
  const ProcessIdentity listener = start_and_launch();
  segment.poke(Field::heartbeat_ns, now_ns - 1);
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(listener, Signal::terminate));
  EXPECT_EQ(count(Kind::stop_extended), 0u);
}

}  // namespace
}  // namespace tether::test

namespace tether::test {
namespace {

using Kind = ControllerEvent::Kind;

// A stop inside the ready window: the request is posted first, and only then is the registration read;
// a worker not registered at that read is not in a unit and never starts one, so it is signalled in the
// same step, without waiting for the ready timeout.
TEST_F(ControllerTest, AShutdownInTheReadyWindowPostsTheRequestThenSignalsTheUnregisteredWorkerAtOnce) {
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  core->handle_shutdown_signal();
  EXPECT_TRUE(request_visible_before_first_signal());
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(worker, Signal::terminate));
  EXPECT_EQ(count(Kind::stop_signalled), 1u);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(core->deadline_ns(), now_ns + config.kill_timeout_ms * ns_per_ms) << "SIGKILL follows";
}

TEST_F(ControllerTest, AWorkerThatRegisteredBeforeTheStopLooksGetsTheRequestAndTheStopTimeout) {
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  segment.poke(Field::listener_identity, worker.pack());  // registered; the controller has not looked yet
  const std::uint64_t requested_ns = now_ns;
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  EXPECT_TRUE(processes.signals().empty()) << "a registered worker gets the request, not a signal";
  EXPECT_EQ(core->deadline_ns(), requested_ns + config.stop_timeout_ms * ns_per_ms);
  EXPECT_EQ(count(Kind::stop_signalled), 0u);
}

TEST_F(ControllerTest, AToolRequestInTheReadyWindowAlsoSignalsTheUnregisteredWorkerAtOnce) {
  start();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ProcessIdentity worker = core->listener();
  segment.poke(Field::shutdown_request, 1);  // `tether shutdown` posts, then nudges
  core->handle_shutdown_notice();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(worker, Signal::terminate));
}

}  // namespace
}  // namespace tether::test
