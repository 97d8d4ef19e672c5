// Goal: what a worker says through the notify protocols (WorkerNotice: READY=1, STOPPING=1, WATCHDOG=1,
// EXTEND_TIMEOUT_USEC) changes the controller core as documented, and only for the worker it watches.
// Method: drive ControllerCore over the fake ports, hand it notices as the driver would, and inspect its
// deadlines, signals and events.
#include "controller_fixture.hpp"

namespace tether::test {
namespace {

using Kind = ControllerEvent::Kind;
using NoticeKind = WorkerNotice::Kind;

class ControllerNoticeTest : public ControllerTest {
 protected:
  // Starts the controller and lets it launch a worker that never registers.
  ProcessIdentity launch_plain() {
    start();
    EXPECT_EQ(settle(), StepOutcome::waiting);
    return core->listener();
  }
  void say(NoticeKind kind, ProcessIdentity worker, std::uint64_t extend_us = 0) {
    core->handle_worker_notice({kind, worker, now_ns, extend_us});
  }
};

TEST_F(ControllerNoticeTest, ReadyEndsTheReadyTimeoutAndIsReportedOnce) {
  const ProcessIdentity worker = launch_plain();
  ASSERT_EQ(core->deadline_ns(), now_ns + config.ready_timeout_ms * ns_per_ms);
  say(NoticeKind::ready, worker);
  say(NoticeKind::ready, worker);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::worker_ready), 1u) << "a repeated READY=1 is no news";
  EXPECT_TRUE(core->state().worker_notices.ready);
  EXPECT_FALSE(core->deadline_ns().has_value()) << "a ready worker has no ready timeout left";
  EXPECT_EQ(count(Kind::unregistered), 0u);
}

TEST_F(ControllerNoticeTest, NoticesAboutAnotherProcessChangeNothing) {
  const ProcessIdentity worker = launch_plain();
  const ControllerState before = core->state();
  const ProcessIdentity stranger{worker.pid + 1, worker.start_time_ticks};
  for (const NoticeKind kind : {NoticeKind::ready, NoticeKind::stopping, NoticeKind::watchdog}) say(kind, stranger);
  const ProcessIdentity recycled{worker.pid, worker.start_time_ticks + 1};  // same pid, another process
  say(NoticeKind::ready, recycled);
  EXPECT_EQ(core->state(), before);
}

TEST_F(ControllerNoticeTest, ANewLaunchForgetsWhatThePreviousWorkerSaid) {
  const ProcessIdentity first = launch_plain();
  say(NoticeKind::ready, first);
  say(NoticeKind::watchdog, first);
  ASSERT_EQ(settle(), StepOutcome::waiting);
  fail_and_expect_restart(first, ExitStatus::code(1));
  ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.spawned().size(), 2u);
  EXPECT_EQ(core->state().worker_notices, WorkerNoticeState{});
  EXPECT_EQ(core->deadline_ns(), now_ns + config.ready_timeout_ms * ns_per_ms);
}

TEST_F(ControllerNoticeTest, StoppingIsReportedOnceAndChangesNoDeadline) {
  const ProcessIdentity worker = launch_plain();
  const auto deadline = core->deadline_ns();
  say(NoticeKind::stopping, worker);
  say(NoticeKind::stopping, worker);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(count(Kind::worker_stopping), 1u);
  EXPECT_EQ(core->deadline_ns(), deadline);
  EXPECT_TRUE(processes.signals().empty());
}

TEST_F(ControllerNoticeTest, TheWatchdogAppliesToAWorkerThatSendsWatchdog) {
  config.watchdog_ms = 300;
  const ProcessIdentity worker = launch_plain();
  say(NoticeKind::ready, worker);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_FALSE(core->deadline_ns().has_value()) << "ready, no heartbeat yet: nothing to watch";
  say(NoticeKind::watchdog, worker);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->deadline_ns(), now_ns + 300 * ns_per_ms);
  // A heartbeat in time moves the deadline; no segment is read for it.
  const std::size_t ops_before = segment.log().size();
  now_ns += 200 * ns_per_ms;
  say(NoticeKind::watchdog, worker);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(core->deadline_ns(), now_ns + 300 * ns_per_ms);
  EXPECT_TRUE(processes.signals().empty());
  // Then silence: killed at the deadline, and restarted through the exit.
  ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  EXPECT_EQ(segment.log().size(), ops_before) << "WATCHDOG=1 is judged without the segment";
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0], std::make_pair(worker, Signal::kill));
  const auto fired = last(Kind::watchdog_fired);
  ASSERT_TRUE(fired.has_value());
  EXPECT_EQ(fired->value, 300u);
}

TEST_F(ControllerNoticeTest, AWatchdogHeartbeatOutlivesTheReadyTimeout) {
  config.watchdog_ms = 300;
  const ProcessIdentity worker = launch_plain();
  // Heartbeats without READY=1: the ready timeout still passes (unregistered), the watchdog stays.
  for (std::uint64_t elapsed_ms = 0; elapsed_ms <= config.ready_timeout_ms; elapsed_ms += 200) {
    say(NoticeKind::watchdog, worker);
    EXPECT_EQ(settle_at(now_ns + 200 * ns_per_ms), StepOutcome::waiting);
  }
  EXPECT_EQ(count(Kind::unregistered), 1u);
  EXPECT_TRUE(processes.signals().empty()) << "heartbeats kept it alive";
  ASSERT_TRUE(core->deadline_ns().has_value()) << "the watchdog still watches it";
  ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u);
  EXPECT_EQ(processes.signals()[0].second, Signal::kill);
}

TEST_F(ControllerNoticeTest, ANoticeBetweenTheWatchdogLookAndTheRegistrationCheckEndsTheLooks) {
  config.watchdog_ms = 300;
  const ProcessIdentity worker = launch_plain();
  // The watchdog period paces looks at the registration of a worker that has not registered yet.
  ASSERT_EQ(core->deadline_ns(), now_ns + 300 * ns_per_ms);
  now_ns += 300 * ns_per_ms;
  ASSERT_EQ(step(), StepOutcome::progressed);
  ASSERT_EQ(core->phase(), ControllerPhase::check_ready);
  say(NoticeKind::ready, worker);  // arrives before the look is made
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_FALSE(core->deadline_ns().has_value()) << "a ready worker without heartbeats is not looked at again";

  // The same with a heartbeat: its own deadline stays, not the look's.
  now_ns += 1000 * ns_per_ms;
  fail_and_expect_restart(worker, ExitStatus::code(1));
  ASSERT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  const ProcessIdentity second = core->listener();
  ASSERT_NE(second, worker);
  now_ns += 300 * ns_per_ms;
  ASSERT_EQ(step(), StepOutcome::progressed);
  ASSERT_EQ(core->phase(), ControllerPhase::check_ready);
  say(NoticeKind::watchdog, second);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(core->deadline_ns(), now_ns + 300 * ns_per_ms) << "the heartbeat's deadline";
}

TEST_F(ControllerNoticeTest, WithoutTheWatchdogOptionWatchdogNoticesSetNoDeadline) {
  const ProcessIdentity worker = launch_plain();
  say(NoticeKind::ready, worker);
  say(NoticeKind::watchdog, worker);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_FALSE(core->deadline_ns().has_value());
}

TEST_F(ControllerNoticeTest, ExtendTimeoutOutsideAStopIsIgnored) {
  const ProcessIdentity worker = launch_plain();
  say(NoticeKind::ready, worker);
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const ControllerState before = core->state();
  say(NoticeKind::extend_timeout, worker, 60'000'000);
  EXPECT_EQ(core->state(), before);
}

TEST_F(ControllerNoticeTest, ExtendTimeoutDuringAStopMovesTheKillDeadlineUpToTheCap) {
  config.stop_timeout_ms_max = 20'000;
  const ProcessIdentity worker = launch_plain();
  say(NoticeKind::ready, worker);
  ASSERT_EQ(settle(), StepOutcome::waiting);
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 1u) << "a plain worker gets the stop signal at once";
  const std::uint64_t requested_ns = now_ns;
  ASSERT_EQ(core->deadline_ns(), requested_ns + config.kill_timeout_ms * ns_per_ms);

  // Shorter than what is left: nothing moves, nothing is logged.
  say(NoticeKind::extend_timeout, worker, 1'000'000);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(core->deadline_ns(), requested_ns + config.kill_timeout_ms * ns_per_ms);
  EXPECT_EQ(count(Kind::stop_extended), 0u);

  // Longer: the kill waits, and one line says so however many notices came.
  say(NoticeKind::extend_timeout, worker, 8'000'000);
  say(NoticeKind::extend_timeout, worker, 9'000'000);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(core->deadline_ns(), requested_ns + 9'000 * ns_per_ms);
  EXPECT_EQ(count(Kind::stop_extended), 1u);
  EXPECT_EQ(last(Kind::stop_extended)->value, 9'000u);

  // Past the cap: held at --stop-timeout-max-ms after the request, then SIGKILL.
  say(NoticeKind::extend_timeout, worker, UINT64_MAX);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  ASSERT_EQ(core->deadline_ns(), requested_ns + config.stop_timeout_ms_max * ns_per_ms);
  EXPECT_EQ(settle_at(*core->deadline_ns()), StepOutcome::waiting);
  ASSERT_EQ(processes.signals().size(), 2u);
  EXPECT_EQ(processes.signals()[1], std::make_pair(worker, Signal::kill));
}

TEST_F(ControllerNoticeTest, ExtendTimeoutMovesARegisteredListenersStopDeadline) {
  const ProcessIdentity listener = start_and_launch();
  core->handle_shutdown_signal();
  ASSERT_EQ(settle(), StepOutcome::waiting);
  const std::uint64_t requested_ns = now_ns;
  ASSERT_EQ(core->deadline_ns(), requested_ns + config.stop_timeout_ms * ns_per_ms);
  say(NoticeKind::extend_timeout, listener, 30'000'000);
  EXPECT_EQ(settle(), StepOutcome::waiting);
  EXPECT_EQ(core->deadline_ns(), requested_ns + 30'000 * ns_per_ms);
  EXPECT_TRUE(processes.signals().empty());
}

}  // namespace
}  // namespace tether::test
