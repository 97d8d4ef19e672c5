// Goal: how a plain worker is stopped (issue 8). It cannot read a shutdown request, so it gets
// --stop-signal (default SIGTERM) at once, with no grace first; one that ignores it is SIGKILLed after
// --kill-timeout-ms; the signal can be chosen; and the crash-loop limit and the absence of a watchdog
// hold for it. Method: `sleep infinity` and a shell that ignores SIGTERM under a real controller, timed
// from outside, and the controller's log lines.
#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <unistd.h>

#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

using Clock = std::chrono::steady_clock;

long long elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// Starts the pair and waits until the controller has classified its worker as plain.
pid_t plain_worker_of(const Process& pair) {
  EXPECT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();
  return pid_after(pair.log(), "unregistered listener_pid=");
}

TEST(PlainWorkerStop, SleepInfinityGetsSigtermAtOnceOnShutdown) {
  Cleanup cleanup;
  const auto name = cleanup.name("sleep");
  // Long stop and kill timeouts: a plain worker must not wait out either before its stop signal.
  Process pair(
      controller_argv(name, {"--ready-timeout-ms", "200", "--stop-timeout-ms", "600000", "--kill-timeout-ms", "600000"},
                      {"sleep", "infinity"}));
  const pid_t worker = plain_worker_of(pair);
  ASSERT_GT(worker, 0);
  EXPECT_EQ(process_group_of(worker), worker);
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["state"], "unregistered");
  EXPECT_EQ((*status)["listener_pid"], worker);

  const auto started = Clock::now();
  EXPECT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_LT(elapsed_ms(started), 10'000) << "no grace period may precede the stop signal";
  const std::string log = pair.log();
  const auto requested = log.find("shutdown_requested");
  const auto signalled = log.find("stop_signalled listener_pid=" + std::to_string(worker));
  const auto exited = log.find("exited listener_pid=" + std::to_string(worker) + " signal=SIGTERM");
  ASSERT_NE(requested, std::string::npos) << log;
  ASSERT_NE(signalled, std::string::npos) << log;
  ASSERT_NE(exited, std::string::npos) << log;
  EXPECT_LT(requested, signalled);
  EXPECT_LT(signalled, exited);
  EXPECT_FALSE(pair.log_contains("escalated")) << log;
  EXPECT_FALSE(process_alive(worker));
  EXPECT_FALSE(segment_exists(name));
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
}

TEST(PlainWorkerStop, ControllerSigtermStopsAPlainWorkerToo) {
  Cleanup cleanup;
  const auto name = cleanup.name("sleep-sigterm");
  Process pair(controller_argv(name, {"--ready-timeout-ms", "200"}, {"sleep", "infinity"}));
  const pid_t worker = plain_worker_of(pair);
  ASSERT_GT(worker, 0);
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("stop_signalled listener_pid=" + std::to_string(worker))) << pair.log();
  EXPECT_FALSE(process_alive(worker));
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerStop, StopSignalOptionChoosesTheSignal) {
  for (const std::string spelling : {"INT", "SIGINT", "2"}) {
    Cleanup cleanup;
    const auto name = cleanup.name("stop-signal");
    Process pair(
        controller_argv(name, {"--ready-timeout-ms", "100", "--stop-signal", spelling}, {"sleep", "infinity"}));
    const pid_t worker = plain_worker_of(pair);
    ASSERT_GT(worker, 0) << spelling;
    EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0) << spelling;
    EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
    EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(worker) + " signal=SIGINT"))
        << spelling << "\n"
        << pair.log();
  }
}

TEST(PlainWorkerStop, UnknownStopSignalIsAUsageError) {
  for (const std::string spelling : {"BOGUS", "SIGBOGUS", "0", "-15", "999", ""}) {
    Cleanup cleanup;
    const auto name = cleanup.name("bad-signal");
    const auto result = run(controller_argv(name, {"--stop-signal", spelling}, {"sleep", "infinity"}));
    EXPECT_EQ(result.exit_code, 64) << "'" << spelling << "': " << result.errors;
    EXPECT_FALSE(segment_exists(name)) << spelling;
  }
}

TEST(PlainWorkerStop, WorkerIgnoringSigtermIsKilledAfterTheKillTimeout) {
  Cleanup cleanup;
  const auto name = cleanup.name("stubborn");
  constexpr int kill_timeout_ms = 400;
  Process pair(controller_argv(name,
                               {"--ready-timeout-ms", "200", "--kill-timeout-ms", std::to_string(kill_timeout_ms)},
                               {"/bin/sh", "-c", "trap '' TERM; exec sleep infinity"}));
  const pid_t worker = plain_worker_of(pair);
  ASSERT_GT(worker, 0);

  const auto started = Clock::now();
  EXPECT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_GE(elapsed_ms(started), kill_timeout_ms) << "SIGKILL must wait for the kill timeout\n" << pair.log();
  const std::string log = pair.log();
  const auto signalled = log.find("stop_signalled listener_pid=" + std::to_string(worker));
  const auto escalated = log.find("escalated listener_pid=" + std::to_string(worker) + " signal=SIGKILL");
  const auto exited = log.find("exited listener_pid=" + std::to_string(worker) + " signal=SIGKILL");
  ASSERT_NE(signalled, std::string::npos) << log;
  ASSERT_NE(escalated, std::string::npos) << log;
  ASSERT_NE(exited, std::string::npos) << log;
  EXPECT_LT(signalled, escalated);
  EXPECT_LT(escalated, exited);
  EXPECT_FALSE(process_alive(worker));
  EXPECT_FALSE(segment_exists(name));
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
}

TEST(PlainWorkerStop, PlainWorkerIsNeverWatchdogged) {
  Cleanup cleanup;
  const auto name = cleanup.name("no-watchdog");
  // A plain worker never heartbeats: with the watchdog on it would be killed within 100 ms.
  Process pair(controller_argv(name, {"--ready-timeout-ms", "100", "--watchdog-ms", "100"}, {"sleep", "infinity"}));
  const pid_t worker = plain_worker_of(pair);
  ASSERT_GT(worker, 0);
  EXPECT_FALSE(wait_until([&] { return pair.log_contains("watchdog_fired"); }, 1000ms)) << pair.log();
  EXPECT_TRUE(process_alive(worker));
  EXPECT_EQ(worker_pid(name), worker);
  EXPECT_EQ(pair.log_count("launched"), 1);
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

TEST(PlainWorkerStop, CrashLoopingPlainWorkerHitsTheStartLimit) {
  Cleanup cleanup;
  const auto name = cleanup.name("crash-loop");
  // Runs past the ready timeout (so it is a plain worker), then fails.
  Process pair(controller_argv(name,
                               {"--ready-timeout-ms", "50", "--restart-delay-ms", "10", "--start-limit", "3",
                                "--start-limit-interval-ms", "600000"},
                               {"/bin/sh", "-c", "sleep 0.2; exit 3"}));
  EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
  EXPECT_EQ(pair.log_count("launched"), 3) << pair.log();
  EXPECT_EQ(pair.log_count("treated_as=plain worker"), 3) << pair.log();
  EXPECT_EQ(pair.log_count(" code=3"), 3) << pair.log();
  EXPECT_TRUE(pair.log_contains("gave_up")) << pair.log();
  EXPECT_TRUE(pair.log_contains("restarting delay_ms=10")) << pair.log();
  EXPECT_TRUE(pair.log_contains("restarting delay_ms=20")) << "the delay doubles per failure\n" << pair.log();
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
}

}  // namespace
}  // namespace tether::testing
