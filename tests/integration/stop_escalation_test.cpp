// Goal: a shutdown always ends the pair, however the listener behaves: a listener that overstays its
// stop timeout gets SIGTERM, one that ignores SIGTERM gets SIGKILL, and nothing but the listener is ever
// signalled; heartbeats during a long unit earn more time, never beyond --stop-timeout-max-ms.
// Method: real controller and listener with JSON logs; post `tether shutdown` during a long unit and
// read the escalation steps and their spacing from the controller's log timestamps.
#include <csignal>
#include <gtest/gtest.h>

#include "pair_processes.hpp"

namespace tether::testing {
namespace {

// Log timestamps have millisecond resolution and are taken a moment after the deadline that caused
// them: a measured gap may fall short of the configured one by rounding, never by more.
constexpr long long clock_tolerance_ms = 20;

// Posts a shutdown once the first unit has started, so that the request arrives during that unit.
void shutdown_during_first_unit(const Process& pair, const std::string& name) {
  ASSERT_TRUE(wait_until([&] { return !json_events(pair.log(), "unit_started").empty(); })) << pair.log();
  const auto shutdown = run({binary("tether"), "shutdown", name});
  ASSERT_EQ(shutdown.exit_code, 0) << shutdown.errors;
}

TEST(StopEscalation, ListenerIgnoringSigtermIsKilledAndNothingElseIsSignalled) {
  Cleanup cleanup;
  const auto name = cleanup.name("escalate");
  // A bystander in the controller's process group that even carries the pair's name in its environment:
  // signalling a group, or processes by name, would hit it.
  Process bystander({"/usr/bin/env", "TETHER_NAME=" + name, "/bin/sleep", "600"});
  // Heartbeats cannot extend the stop: the cap equals the stop timeout.
  Process pair(controller_command(
      name,
      {"--log-format", "json", "--stop-timeout-ms", "300", "--kill-timeout-ms", "300", "--stop-timeout-max-ms", "300"},
      sigterm_ignoring_listener({"--work-ms", "600000", "--heartbeat-ms", "50", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  shutdown_during_first_unit(pair, name);

  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  const std::string log = pair.log();
  const std::string pid = std::to_string(listener);
  const auto requested = json_event_time_ms(log, "shutdown_requested");
  const auto sigterm = json_event_time_ms(log, "escalated", {{"listener_pid", pid}, {"signal", "SIGTERM"}});
  const auto sigkill = json_event_time_ms(log, "escalated", {{"listener_pid", pid}, {"signal", "SIGKILL"}});
  ASSERT_TRUE(requested && sigterm && sigkill) << log;
  EXPECT_GE(*sigterm - *requested, 300 - clock_tolerance_ms) << "SIGTERM before --stop-timeout-ms";
  EXPECT_GE(*sigkill - *sigterm, 300 - clock_tolerance_ms) << "SIGKILL before --kill-timeout-ms";
  EXPECT_EQ(json_events(log, "exited", {{"listener_pid", pid}, {"signal", "SIGKILL"}}).size(), 1u) << log;
  EXPECT_EQ(json_events(log, "escalated").size(), 2u) << "one SIGTERM, one SIGKILL: " << log;
  EXPECT_EQ(json_events(log, "launched").size(), 1u) << "no relaunch after a shutdown: " << log;
  EXPECT_FALSE(process_alive(listener));
  EXPECT_TRUE(process_alive(bystander.pid())) << "a process other than the listener was signalled";
  EXPECT_FALSE(bystander.wait_exit(0ms).has_value());
  EXPECT_FALSE(segment_exists(name));
}

TEST(StopEscalation, SigtermEndsAListenerThatDoesNotIgnoreIt) {
  Cleanup cleanup;
  const auto name = cleanup.name("sigterm-honoured");
  Process pair(
      controller_command(name,
                         {"--log-format", "json", "--stop-timeout-ms", "200", "--kill-timeout-ms", "60000",
                          "--stop-timeout-max-ms", "200"},
                         listener_command({"--work-ms", "600000", "--heartbeat-ms", "50", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const std::string pid = std::to_string(listener_pid(name));
  shutdown_during_first_unit(pair, name);
  // The kill timeout is a minute: ending within the harness's wait proves SIGTERM alone sufficed.
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  const std::string log = pair.log();
  EXPECT_EQ(json_events(log, "escalated", {{"listener_pid", pid}, {"signal", "SIGTERM"}}).size(), 1u) << log;
  EXPECT_TRUE(json_events(log, "escalated", {{"signal", "SIGKILL"}}).empty()) << log;
  EXPECT_EQ(json_events(log, "exited", {{"listener_pid", pid}, {"signal", "SIGTERM"}}).size(), 1u) << log;
  EXPECT_FALSE(segment_exists(name));
}

TEST(StopEscalation, HeartbeatsDuringALongUnitExtendTheStopUntilTheUnitEnds) {
  Cleanup cleanup;
  const auto name = cleanup.name("extend");
  Process pair(
      controller_command(name,
                         {"--log-format", "json", "--stop-timeout-ms", "800", "--kill-timeout-ms", "500",
                          "--stop-timeout-max-ms", "60000"},
                         listener_command({"--work-ms", "3000", "--heartbeat-ms", "50", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const std::string pid = std::to_string(listener_pid(name));
  shutdown_during_first_unit(pair, name);

  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  const std::string log = pair.log();
  const auto requested = json_event_time_ms(log, "shutdown_requested");
  const auto exited = json_event_time_ms(log, "exited", {{"listener_pid", pid}, {"code", "0"}});
  ASSERT_TRUE(requested && exited) << log;
  // The unit outlived the plain stop timeout, and was still left to finish: that took extensions.
  EXPECT_GT(*exited - *requested, 800) << log;
  EXPECT_FALSE(json_events(log, "stop_extended", {{"listener_pid", pid}}).empty()) << log;
  EXPECT_TRUE(json_events(log, "escalated").empty()) << "a progressing unit must not be signalled: " << log;
  EXPECT_EQ(json_events(log, "unit_finished", {{"unit", "1"}}).size(), 1u) << log;
  EXPECT_EQ(json_events(log, "left", {{"reason", "shutdown requested"}}).size(), 1u) << log;
  EXPECT_TRUE(json_events(log, "unit_started", {{"unit", "2"}}).empty()) << "a unit began after the request";
  EXPECT_FALSE(segment_exists(name));
}

TEST(StopEscalation, ExtensionsNeverPassTheCap) {
  Cleanup cleanup;
  const auto name = cleanup.name("cap");
  constexpr long long cap_ms = 1200;
  Process pair(
      controller_command(name,
                         {"--log-format", "json", "--stop-timeout-ms", "200", "--kill-timeout-ms", "500",
                          "--stop-timeout-max-ms", std::to_string(cap_ms)},
                         listener_command({"--work-ms", "600000", "--heartbeat-ms", "50", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const std::string pid = std::to_string(listener_pid(name));
  shutdown_during_first_unit(pair, name);

  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  const std::string log = pair.log();
  const auto requested = json_event_time_ms(log, "shutdown_requested");
  const auto sigterm = json_event_time_ms(log, "escalated", {{"listener_pid", pid}, {"signal", "SIGTERM"}});
  ASSERT_TRUE(requested && sigterm) << log;
  EXPECT_FALSE(json_events(log, "stop_extended").empty()) << "the heartbeats earned no extension: " << log;
  EXPECT_GE(*sigterm - *requested, cap_ms - clock_tolerance_ms) << "escalated before the cap: " << log;
  // A ten-minute unit heartbeating all along: only the cap can explain SIGTERM within seconds.
  EXPECT_LT(*sigterm - *requested, cap_ms + 5000) << "extended past the cap: " << log;
  for (const auto& extension : json_events(log, "stop_extended")) {
    EXPECT_LE(log_time_ms(extension) - *requested + extension["deadline_in_ms"].get<long long>(),
              cap_ms + clock_tolerance_ms)
        << "an extension's deadline lies beyond the cap: " << extension.dump();
  }
  EXPECT_EQ(json_events(log, "exited", {{"listener_pid", pid}, {"signal", "SIGTERM"}}).size(), 1u) << log;
  EXPECT_FALSE(segment_exists(name));
}

}  // namespace
}  // namespace tether::testing
