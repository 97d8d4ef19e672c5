// Goal: restart policy on real processes: a crash loop backs off with growing delays and is given up at
// the start limit (exit 69, "gave_up"); --restart on-failure restarts failures only; never restarts
// nothing. Method: listeners that exit at once (`sh -c 'exit 3'`), exit through a failpoint inside a
// unit, finish their units, or are SIGKILLed; the controller's JSON log and exit code tell the rest.
#include <csignal>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pair_processes.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

constexpr long long clock_tolerance_ms = 20;

TEST(CrashLoopBackoff, CrashLoopBacksOffWithGrowingDelaysThenGivesUp) {
  Cleanup cleanup;
  const auto name = cleanup.name("crash-loop");
  Process pair(controller_command(name,
                                  {"--log-format", "json", "--restart-delay-ms", "20", "--restart-delay-max-ms", "100",
                                   "--start-limit", "5", "--start-limit-interval-ms", "60000"},
                                  {"/bin/sh", "-c", "exit 3"}));
  EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
  const std::string log = pair.log();
  const auto launches = json_events(log, "launched");
  const auto exits = json_events(log, "exited", {{"code", "3"}});
  const auto restarts = json_events(log, "restarting");
  ASSERT_EQ(launches.size(), 5u) << "the start limit counts starts: " << log;
  ASSERT_EQ(exits.size(), 5u) << log;
  ASSERT_EQ(restarts.size(), 4u) << log;
  // Doubling from --restart-delay-ms, capped at --restart-delay-max-ms.
  const std::vector<long long> expected_delays_ms = {20, 40, 80, 100};
  for (std::size_t index = 0; index < restarts.size(); ++index) {
    const long long delay_ms = restarts[index]["delay_ms"].get<long long>();
    EXPECT_EQ(delay_ms, expected_delays_ms[index]) << log;
    // The next launch waited the announced delay after the exit.
    EXPECT_GE(log_time_ms(launches[index + 1]) - log_time_ms(exits[index]), delay_ms - clock_tolerance_ms) << log;
  }
  const auto gave_up = json_events(log, "gave_up");
  ASSERT_EQ(gave_up.size(), 1u) << log;
  EXPECT_NE(gave_up.front().value("reason", std::string()).find("--start-limit"), std::string::npos)
      << "the message should name the limit: " << log;
  EXPECT_EQ(json_events(log, "finished", {{"exit_code", "69"}}).size(), 1u) << log;
  EXPECT_FALSE(segment_exists(name));
}

// A program that exists and is executable but cannot be run (its interpreter line names nothing): the
// exec fails after the launch was recorded, so it counts as a crash (127, as a shell says) and the start
// limit ends the loop; the worker's output says why, as a shell would.
TEST(CrashLoopBackoff, ProgramThatCannotBeRunSaysWhyAndGivesUp) {
  Cleanup cleanup;
  const auto name = cleanup.name("bad-interpreter");
  const TempDir files("bad-interpreter");
  const std::string script = files.file("worker.sh");
  write_text(script, "#!/nonexistent/interpreter\n");
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);
  Process pair(
      controller_command(name, {"--log-format", "json", "--restart-delay-ms", "10", "--start-limit", "2"}, {script}));
  EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
  const std::string log = pair.log();
  EXPECT_EQ(json_events(log, "exited", {{"code", "127"}}).size(), 2u) << log;
  EXPECT_NE(log.find("cannot run '" + script + "': No such file or directory"), std::string::npos) << log;
  EXPECT_FALSE(segment_exists(name));
}

TEST(CrashLoopBackoff, OnFailureDoesNotRestartACleanExit) {
  Cleanup cleanup;
  const auto name = cleanup.name("on-failure-clean");
  Process pair(controller_command(name, {"--log-format", "json", "--restart", "on-failure"},
                                  listener_command({"--units", "2", "--work-ms", "10", "--log-format", "json"})));
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  const std::string log = pair.log();
  EXPECT_EQ(json_events(log, "left", {{"reason", "units done"}}).size(), 1u) << log;
  EXPECT_EQ(json_events(log, "exited", {{"code", "0"}}).size(), 1u) << log;
  EXPECT_EQ(json_events(log, "launched").size(), 1u) << log;
  EXPECT_TRUE(json_events(log, "restarting").empty()) << log;
  EXPECT_FALSE(segment_exists(name));
}

TEST(CrashLoopBackoff, OnFailureRestartsAFailingListener) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("on-failure-fails");
  // Every listener exits with 7 inside its first unit; the start limit ends the loop after two starts.
  Process pair(controller_command(
      name, {"--log-format", "json", "--restart", "on-failure", "--restart-delay-ms", "10", "--start-limit", "2"},
      listener_with_failpoints("in_unit=exit(7)", {"--work-ms", "10", "--log-format", "json"})));
  EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
  const std::string log = pair.log();
  EXPECT_EQ(json_events(log, "exited", {{"code", "7"}}).size(), 2u) << log;
  EXPECT_EQ(json_events(log, "restarting").size(), 1u) << log;
  EXPECT_EQ(json_events(log, "gave_up").size(), 1u) << log;
  EXPECT_TRUE(json_events(log, "unit_finished").empty()) << "the failpoint fires inside the unit: " << log;
}

TEST(CrashLoopBackoff, NeverRestartsNothing) {
  Cleanup cleanup;
  const auto name = cleanup.name("never");
  Process pair(controller_command(name, {"--log-format", "json", "--restart", "never", "--restart-delay-ms", "0"},
                                  listener_command({"--work-ms", "50", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  ASSERT_EQ(kill(listener, SIGKILL), 0);
  EXPECT_EQ(pair.wait_exit(), 1) << "a failed listener that is not restarted is a failure: " << pair.log();
  const std::string log = pair.log();
  EXPECT_EQ(json_events(log, "exited", {{"listener_pid", std::to_string(listener)}, {"signal", "SIGKILL"}}).size(), 1u)
      << log;
  EXPECT_EQ(json_events(log, "launched").size(), 1u) << log;
  EXPECT_TRUE(json_events(log, "restarting").empty()) << log;
  EXPECT_TRUE(listener_processes(name).empty());
  EXPECT_FALSE(segment_exists(name));
}

TEST(CrashLoopBackoff, AlwaysRestartsEvenACleanExit) {
  Cleanup cleanup;
  const auto name = cleanup.name("always");
  // A high start limit: a listener that ends after one short unit would otherwise reach the default one.
  Process pair(controller_command(name, {"--log-format", "json", "--restart-delay-ms", "10", "--start-limit", "1000"},
                                  listener_command({"--units", "1", "--work-ms", "10", "--log-format", "json"})));
  ASSERT_TRUE(wait_until([&] { return json_events(pair.log(), "launched").size() >= 3; })) << pair.log();
  EXPECT_GE(json_events(pair.log(), "exited", {{"code", "0"}}).size(), 2u) << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

}  // namespace
}  // namespace tether::testing
