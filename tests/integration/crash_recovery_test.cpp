// Goal: a controller or listener killed at any protocol step never leads to two listeners, a lost
// listener, or a segment nobody can use: the next controller adopts what lives, clears what is dead
// and re-initialises what a dying creator left half-written. Method: TETHER_FAILPOINTS crash the real
// processes at the simulator's crash points (mid_init, after_spawn, after_record, after_register, in_unit,
// between_check_and_unit); SIGKILL does the rest; /proc, the logs and `tether status` judge.
#include <csignal>
#include <gtest/gtest.h>
#include <memory>
#include <set>

#include "harness_extras.hpp"
#include "pair_processes.hpp"

namespace tether::testing {
namespace {

constexpr int killed = 128 + SIGKILL;

std::vector<std::string> json_listener(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--work-ms", "50", "--log-format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return listener_command(args);
}

pid_t launched_pid(const Process& controller) {
  const auto launched = json_events(controller.log(), "launched");
  return launched.empty() ? 0 : launched.front()["listener_pid"].get<pid_t>();
}

// A launch is held at its gate until the segment records it: a controller killed in between (at
// after_spawn, or after_record) leaves a process that exits at its gate without ever running the
// command, and the next controller launches the only worker.
void expect_abandoned_launch_never_runs(const std::string& point, const std::vector<std::string>& worker,
                                        const std::string& started_marker) {
  Cleanup cleanup;
  const auto name = cleanup.name(point == "after_spawn" ? "after-spawn" : "after-record");
  Process first(
      controller_command(name, {"--log-format", "json", "--ready-timeout-ms", "300"}, worker, point + "=crash"));
  EXPECT_EQ(first.wait_exit(), killed) << first.log();
  const pid_t held = launched_pid(first);
  ASSERT_NE(held, 0) << first.log();
  ASSERT_TRUE(wait_until([&] { return !process_alive(held); })) << "the held launch outlived its controller";
  EXPECT_EQ(listener_pid(name), 0);
  EXPECT_EQ(first.log().find(started_marker), std::string::npos) << "the command ran: " << first.log();

  Process second(controller_command(name, {"--log-format", "json", "--ready-timeout-ms", "300"}, worker));
  ASSERT_TRUE(wait_until([&] { return second.log().find(started_marker) != std::string::npos; })) << second.log();
  const pid_t launched = launched_pid(second);
  EXPECT_NE(launched, held);
  EXPECT_TRUE(json_events(second.log(), "adopted").empty()) << second.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_FALSE(process_alive(launched));
  EXPECT_TRUE(nothing_left_behind());
}

TEST(CrashRecovery, ListenerLaunchedByAControllerKilledAfterSpawnNeverRuns) {
  expect_abandoned_launch_never_runs("after_spawn", json_listener(), "\"registered\"");
}

TEST(CrashRecovery, ListenerWhoseReleaseWasCutShortNeverRuns) {
  expect_abandoned_launch_never_runs("after_record", json_listener(), "\"registered\"");
}

// The case the gate exists for: a plain worker cannot withdraw by itself, so before the gate one
// launched by a controller that died before recording it ran on next to the next controller's worker.
TEST(CrashRecovery, PlainWorkerLaunchedByAControllerKilledAfterSpawnNeverRuns) {
  expect_abandoned_launch_never_runs("after_spawn", {"/bin/sh", "-c", "echo plain-worker-started >&2; exec sleep 60"},
                                     "plain-worker-started");
}

TEST(CrashRecovery, ControllerKilledBeforeAnUnregisteredListenerRegistersNeverYieldsTwo) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("after-spawn-slow");
  // A listener that takes a second to start, from a controller killed right after spawning it: the gate
  // keeps it from ever starting, and should it start anyway (a gate that failed), the next controller's
  // newer generation makes it withdraw. Either way there is one listener.
  std::string slow = "sleep 1; exec";
  for (const auto& word : json_listener()) slow += " '" + word + "'";
  Process first(controller_command(name, {"--log-format", "json"}, {"/bin/sh", "-c", slow}, "after_spawn=crash"));
  EXPECT_EQ(first.wait_exit(), killed) << first.log();
  const pid_t slow_pid = launched_pid(first);
  ASSERT_NE(slow_pid, 0) << first.log();

  Process second(controller_command(name, {"--log-format", "json"}, json_listener()));
  // Settled: the slow process has either been adopted or has ended, and one listener is registered.
  ASSERT_TRUE(wait_until([&] {
    const bool adopted = !json_events(second.log(), "adopted", {{"listener_pid", std::to_string(slow_pid)}}).empty();
    return listener_pid(name) != 0 && (adopted || !process_alive(slow_pid));
  })) << first.log()
      << second.log();
  const pid_t registered = listener_pid(name);
  EXPECT_EQ(listener_processes(name), std::vector<pid_t>{registered}) << first.log() << second.log();
  if (registered == slow_pid) {
    EXPECT_TRUE(json_events(second.log(), "launched").empty()) << second.log();
  } else {
    // The slow listener logs to the dead controller's stderr: it must never have started a unit.
    EXPECT_TRUE(json_events(first.log(), "unit_started").empty()) << first.log();
    EXPECT_FALSE(process_alive(slow_pid));
  }
  // Wait for a few units of the survivor, then check that units were only ever done by one process.
  ASSERT_TRUE(wait_until([&] {
    return json_events(second.log(), "unit_finished").size() + json_events(first.log(), "unit_finished").size() >= 3;
  }));
  std::set<long long> working;
  for (const auto* log_owner : {&first, &second}) {
    for (const auto& unit : json_events(log_owner->log(), "unit_started")) working.insert(unit["pid"].get<long long>());
  }
  EXPECT_EQ(working, std::set<long long>{registered});

  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_TRUE(listener_processes(name).empty());
  EXPECT_FALSE(segment_exists(name));
}

TEST(CrashRecovery, SegmentHalfInitialisedByADeadCreatorIsRecovered) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("mid-init");
  Process first(controller_command(name, {"--log-format", "json"}, json_listener(), "mid_init=crash"));
  EXPECT_EQ(first.wait_exit(), killed) << first.log();
  ASSERT_TRUE(segment_exists(name)) << "the failpoint should leave a half-written segment";
  EXPECT_TRUE(json_events(first.log(), "launched").empty()) << first.log();
  EXPECT_TRUE(json_events(first.log(), "segment_initialised").empty()) << first.log();
  // Readers see no pair; a listener refuses to register into it (temporary failure, try later).
  const auto status = run({binary("tether"), "status", name, "--json"});
  EXPECT_EQ(status.exit_code, 3) << status.output << status.errors;
  EXPECT_NE(status.output.find("\"state\":\"none\""), std::string::npos) << status.output;
  EXPECT_EQ(run({binary("tether-listener"), "--name", name, "--units", "1", "--work-ms", "1"}).exit_code, 75);

  Process second(controller_command(name, {"--log-format", "json"}, json_listener()));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << second.log();
  EXPECT_EQ(json_events(second.log(), "segment_initialised").size(), 1u) << second.log();
  const auto recovered = status_json(name);
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ((*recovered)["generation"], 1);
  EXPECT_EQ((*recovered)["restarts"], 0);
  EXPECT_EQ((*recovered)["shutdown_requested"], false);
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_FALSE(segment_exists(name));
}

TEST(CrashRecovery, StaleSegmentOfTwoDeadProcessesIsClearedAndAFreshListenerLaunched) {
  Cleanup cleanup;
  const auto name = cleanup.name("stale");
  auto first = std::make_unique<Process>(controller_command(name, {"--log-format", "json"}, json_listener()));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << first->log();
  const pid_t dead_listener = listener_pid(name);
  first->signal(SIGKILL);
  ASSERT_EQ(first->wait_exit(), killed);
  first.reset();
  ASSERT_EQ(kill(dead_listener, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return !process_alive(dead_listener); }));

  const auto stale = status_json(name);
  ASSERT_TRUE(stale.has_value());
  EXPECT_TRUE((*stale)["listener_pid"].is_null()) << stale->dump();
  EXPECT_TRUE((*stale)["controller_pid"].is_null()) << stale->dump();
  EXPECT_EQ(run({binary("tether"), "status", name}).exit_code, 3);

  Process second(controller_command(name, {"--log-format", "json"}, json_listener()));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << second.log();
  const std::string log = second.log();
  EXPECT_EQ(json_events(log, "stale_listener_cleared", {{"listener_pid", std::to_string(dead_listener)}}).size(), 1u)
      << log;
  EXPECT_TRUE(json_events(log, "adopted").empty()) << log;
  EXPECT_EQ(json_events(log, "launched", {{"generation", "2"}}).size(), 1u) << log;
  EXPECT_NE(listener_pid(name), dead_listener);
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
}

TEST(CrashRecovery, ListenerCrashingAtEachOfItsPointsIsRestartedUntilTheStartLimit) {
  TETHER_REQUIRE_FAILPOINTS();
  for (const std::string point : {"after_register", "between_check_and_unit", "in_unit"}) {
    SCOPED_TRACE(point);
    Cleanup cleanup;
    const auto name = cleanup.name("listener-crash");
    Process pair(
        controller_command(name, {"--log-format", "json", "--restart-delay-ms", "5", "--start-limit", "3"},
                           listener_with_failpoints(point + "=crash", {"--work-ms", "5", "--log-format", "json"})));
    // Only a crash at the named point can end these listeners, so reaching the limit proves it fired.
    EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
    const std::string log = pair.log();
    EXPECT_EQ(json_events(log, "exited", {{"signal", "SIGKILL"}}).size(), 3u) << log;
    EXPECT_TRUE(json_events(log, "unit_finished").empty()) << log;
    EXPECT_FALSE(segment_exists(name));
  }
}

TEST(CrashRecovery, PausedListenerIsStillTheOnlyOneAfterTheControllerDies) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("paused");
  // The listener pauses for 1.5 s inside its first unit; meanwhile its controller dies and another
  // takes over, which must adopt the registered (if silent) listener instead of launching a second.
  auto first = std::make_unique<Process>(
      controller_command(name, {"--log-format", "json"},
                         listener_with_failpoints("in_unit=pause(1500)", {"--work-ms", "10", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << first->log();
  const pid_t listener = listener_pid(name);
  first->signal(SIGKILL);
  ASSERT_EQ(first->wait_exit(), killed);
  Process second(controller_command(name, {"--log-format", "json"}, json_listener()));
  ASSERT_TRUE(wait_until([&] {
    return !json_events(second.log(), "adopted", {{"listener_pid", std::to_string(listener)}}).empty();
  })) << second.log();
  EXPECT_TRUE(json_events(second.log(), "launched").empty()) << second.log();
  EXPECT_EQ(listener_processes(name), std::vector<pid_t>{listener});
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_FALSE(process_alive(listener));
}

}  // namespace
}  // namespace tether::testing
