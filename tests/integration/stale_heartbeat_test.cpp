// Goal: --watchdog-ms kills a listener whose heartbeat went stale (here: stopped with SIGSTOP, the
// hung process that a pidfd never reports) and restarts it, and leaves a heartbeating one alone.
// Method: real pair with JSON logs; SIGSTOP the registered listener and watch the controller from
// outside through its log, `tether status --json` and /proc.
#include <chrono>
#include <csignal>
#include <gtest/gtest.h>

#include "pair_processes.hpp"

namespace tether::testing {
namespace {

constexpr int watchdog_ms = 1000;
constexpr int heartbeat_ms = 50;

std::vector<std::string> watched_pair(const std::string& name) {
  return controller_command(
      name, {"--log-format", "json", "--watchdog-ms", std::to_string(watchdog_ms), "--restart-delay-ms", "10"},
      listener_command({"--work-ms", "100", "--heartbeat-ms", std::to_string(heartbeat_ms), "--log-format", "json"}));
}

long long system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(StaleHeartbeat, HeartbeatingListenerIsLeftAlone) {
  Cleanup cleanup;
  const auto name = cleanup.name("watchdog-quiet");
  Process pair(watched_pair(name));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  // Twelve units of 100 ms outlast the watchdog period once over.
  ASSERT_TRUE(wait_until([&] { return json_events(pair.log(), "unit_finished").size() >= 12; })) << pair.log();
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  ASSERT_FALSE((*status)["heartbeat_age_ms"].is_null()) << status->dump();
  EXPECT_LT((*status)["heartbeat_age_ms"].get<long long>(), watchdog_ms) << status->dump();
  EXPECT_TRUE(json_events(pair.log(), "watchdog_fired").empty()) << pair.log();
  EXPECT_EQ(listener_pid(name), listener);
  EXPECT_EQ((*status)["restarts"], 0);
}

TEST(StaleHeartbeat, StoppedListenerIsKilledAndRestarted) {
  Cleanup cleanup;
  const auto name = cleanup.name("watchdog-stopped");
  Process pair(watched_pair(name));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t stopped = listener_pid(name);
  const auto stopped_at_ms = system_now_ms();
  ASSERT_EQ(kill(stopped, SIGSTOP), 0);

  ASSERT_TRUE(wait_until([&] {
    const pid_t current = listener_pid(name);
    return current != 0 && current != stopped;
  })) << pair.log();
  const pid_t replacement = listener_pid(name);
  const std::string log = pair.log();
  const std::string pid = std::to_string(stopped);
  const auto fired = json_events(log, "watchdog_fired", {{"listener_pid", pid}});
  ASSERT_EQ(fired.size(), 1u) << log;
  // The last heartbeat came at most one period before the stop.
  EXPECT_GE(log_time_ms(fired.front()) - stopped_at_ms, watchdog_ms - heartbeat_ms - 20) << log;
  EXPECT_GE(fired.front()["heartbeat_age_ms"].get<long long>(), watchdog_ms) << log;
  EXPECT_EQ(json_events(log, "exited", {{"listener_pid", pid}, {"signal", "SIGKILL"}}).size(), 1u) << log;
  EXPECT_EQ(json_events(log, "launched", {{"listener_pid", std::to_string(replacement)}}).size(), 1u) << log;
  EXPECT_FALSE(process_alive(stopped));
  EXPECT_EQ(listener_processes(name), std::vector<pid_t>{replacement}) << "exactly one listener after the restart";
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["restarts"], 1);
  EXPECT_EQ((*status)["generation"], 2);

  // The replacement is healthy and the pair still shuts down gracefully.
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_EQ(json_events(pair.log(), "watchdog_fired").size(), 1u) << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

// A listener that hangs in its first moments, long before the ready timeout, is still caught within
// about one watchdog period: the watchdog period paces the controller's early looks at the registration.
TEST(StaleHeartbeat, ListenerHungRightAfterRegisteringIsKilledWithinTheWatchdogPeriod) {
  Cleanup cleanup;
  const auto name = cleanup.name("watchdog-early");
  Process pair(watched_pair(name));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t stopped = listener_pid(name);
  const auto stopped_at_ms = system_now_ms();
  ASSERT_EQ(kill(stopped, SIGSTOP), 0);
  ASSERT_TRUE(wait_until([&] { return !json_events(pair.log(), "watchdog_fired").empty(); })) << pair.log();
  const auto fired_ms = log_time_ms(json_events(pair.log(), "watchdog_fired").front());
  // Two seconds of slack for a loaded machine; the defect shows as about five.
  EXPECT_LE(fired_ms - stopped_at_ms, watchdog_ms + 2000) << pair.log();
}

}  // namespace
}  // namespace tether::testing
