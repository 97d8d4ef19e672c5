// Goal: the defaults a deployment meets (issue 15): a stop reaches a worker that has not registered yet
// at once, without waiting out the ready timeout, and a worker that runs healthily between crashes is
// restarted after the first delay each time and never given up on. Method: real controllers over
// `sleep` and a shell worker; bounded waits on the log and on exits, never a timed assertion.
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

// A ready timeout far longer than any wait of this file: a stop that waited for it could not pass.
const std::string ready_timeout_ms_long = "600000";

TEST(DeploymentDefaults, AToolStopInTheReadyWindowSignalsTheWorkerAtOnce) {
  Cleanup cleanup;
  const auto name = cleanup.name("ready-window-stop");
  Process pair(controller_argv(name, {"--ready-timeout-ms", ready_timeout_ms_long}, {"sleep", "1000"}));
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("launched"); })) << pair.log();
  const pid_t worker = pid_after(pair.log(), "launched listener_pid=");
  ASSERT_GT(worker, 0);
  EXPECT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  const std::string log = pair.log();
  EXPECT_NE(log.find("stop_signalled listener_pid=" + std::to_string(worker)), std::string::npos) << log;
  EXPECT_EQ(log.find("unregistered"), std::string::npos) << "stopped before the ready timeout: " << log;
  EXPECT_FALSE(process_alive(worker));
  EXPECT_FALSE(segment_exists(name));
}

TEST(DeploymentDefaults, SigintInTheReadyWindowStopsTheWorkerAtOnce) {
  Cleanup cleanup;
  const auto name = cleanup.name("ready-window-sigint");
  Process pair(controller_argv(name, {"--ready-timeout-ms", ready_timeout_ms_long}, {"sleep", "1000"}));
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("launched"); })) << pair.log();
  pair.signal(SIGINT);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("stop_signalled")) << pair.log();
  EXPECT_FALSE(pair.log_contains("escalated")) << pair.log();
}

TEST(DeploymentDefaults, AWorkerThatRunsHealthilyKeepsTheFirstRestartDelay) {
  Cleanup cleanup;
  const auto name = cleanup.name("healthy-runs");
  // Lives 1.2 s, longer than the default healthy run (1 s), then fails: five rounds take about 7 s.
  Process pair(controller_argv(name, {}, {"sh", "-c", "sleep 1.2; exit 1"}));
  constexpr int rounds = 5;  // one more than the default start limit allows for a crash loop
  ASSERT_TRUE(wait_until([&] { return pair.log_count("restarting") >= rounds; }, wait_timeout * 2)) << pair.log();
  EXPECT_EQ(pair.log_count("restarting delay_ms=100"), pair.log_count("restarting")) << pair.log();
  EXPECT_FALSE(pair.log_contains("gave_up")) << pair.log();
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

TEST(DeploymentDefaults, ACrashLoopOfShortRunsStillBacksOffAndGivesUp) {
  Cleanup cleanup;
  const auto name = cleanup.name("crash-loop");
  Process pair(controller_argv(name, {}, {"sh", "-c", "exit 1"}));
  EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
  EXPECT_TRUE(pair.log_contains("restarting delay_ms=200")) << pair.log();
  EXPECT_TRUE(pair.log_contains("gave_up")) << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

}  // namespace
}  // namespace tether::testing
