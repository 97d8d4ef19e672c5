// Goal: the trace rules of `tether-sim validate` accept every kind of real run the integration suite
// drives, not only the lifecycle of validate_test.cpp: a plain worker detected and stopped, a stop
// escalated to SIGKILL, a crash loop that gives up, a SIGTERM to the controller. Method: the real
// binaries with JSON logs, each run brought to its end, its log validated (a rejection names the line).
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "harness.hpp"
#include "validate.hpp"

namespace tether::sim {
namespace {

using testing::binary;
using testing::Cleanup;
using testing::Process;

std::vector<std::string> controller_argv(const std::string& name, const std::vector<std::string>& options,
                                         const std::vector<std::string>& command) {
  std::vector<std::string> argv = {binary("tether-controller"), "--name", name, "--log-format", "json"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

// Validates the logs of a finished run (one process's stderr each), written to files of their own.
void expect_valid(const std::vector<std::string>& logs, const std::string& stem) {
  std::vector<std::string> paths;
  for (const std::string& log : logs) {
    paths.push_back(std::filesystem::temp_directory_path() / testing::unique_name(stem));
    std::ofstream(paths.back()) << log;
  }
  const ValidationReport report = validate_logs(paths);
  for (const std::string& path : paths) std::filesystem::remove(path);
  std::string all;
  for (const std::string& log : logs) all += log + "----\n";
  EXPECT_EQ(report.exit_code, 0) << report.message << "\n" << all;
}

std::vector<std::string> with_failpoints(const std::string& failpoints, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/env", "TETHER_FAILPOINTS=" + failpoints});
  return argv;
}

void shut_down(const std::string& name) {
  EXPECT_EQ(testing::run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
}

// A plain worker (it never registers) taken for one at its ready timeout, then stopped by
// `tether shutdown`; the log must show `expected` and validate.
void stop_plain_worker(const std::string& stem, std::vector<std::string> options,
                       const std::vector<std::string>& command, const std::string& expected) {
  Cleanup cleanup;
  const auto name = cleanup.name(stem);
  options.insert(options.begin(), {"--ready-timeout-ms", "100"});
  Process pair(controller_argv(name, options, command));
  ASSERT_TRUE(testing::wait_until([&] { return pair.log_contains("\"unregistered\""); })) << pair.log();
  shut_down(name);
  ASSERT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains(expected)) << pair.log();
  expect_valid({pair.log()}, stem);
}

TEST(ValidateRuns, PlainWorkerDetectedAndStopped) {
  stop_plain_worker("validate-plain", {}, {"sleep", "infinity"}, "\"stop_signalled\"");
}

TEST(ValidateRuns, StopEscalatedToSigkill) {
  stop_plain_worker("validate-escalate", {"--kill-timeout-ms", "200"}, {"sh", "-c", "trap '' TERM; sleep 1000"},
                    "\"SIGKILL\"");
}

TEST(ValidateRuns, CrashLoopGivesUp) {
  Cleanup cleanup;
  const auto name = cleanup.name("validate-give-up");
  Process pair(
      controller_argv(name, {"--restart", "always", "--restart-delay-ms", "10", "--start-limit", "3"}, {"false"}));
  ASSERT_TRUE(pair.wait_exit().has_value()) << pair.log();
  EXPECT_TRUE(pair.log_contains("\"gave_up\"")) << pair.log();
  expect_valid({pair.log()}, "validate-give-up");
}

TEST(ValidateRuns, SigtermToTheControllerStopsTheListener) {
  Cleanup cleanup;
  const auto name = cleanup.name("validate-sigterm");
  Process pair(controller_argv(
      name, {}, {binary("tether-listener"), "--log-format", "json", "--work-ms", "30", "--idle-ms", "5"}));
  ASSERT_TRUE(testing::wait_until([&] { return pair.log_contains("\"unit_finished\""); })) << pair.log();
  pair.signal(SIGTERM);
  ASSERT_EQ(pair.wait_exit(), 0) << pair.log();
  // Not necessarily `left`: a listener that leaves between the controller's post and its read of the
  // registration is taken for one that never registered and gets the stop signal (stop_signalled).
  EXPECT_TRUE(pair.log_contains("\"shutdown_requested\"")) << pair.log();
  expect_valid({pair.log()}, "validate-sigterm");
}

// A controller dies between recording its launch and releasing it (its held listener never runs); the
// next controller finds the recorded launch dead and launches anew. Two logs, one history.
TEST(ValidateRuns, ControllerCrashBeforeTheReleaseThenANewController) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("validate-crash");
  const std::vector<std::string> listener = {binary("tether-listener"), "--log-format", "json", "--work-ms", "20"};
  Process crashed(with_failpoints("after_record=crash", controller_argv(name, {}, listener)));
  ASSERT_TRUE(crashed.wait_exit().has_value()) << crashed.log();
  Process second(controller_argv(name, {}, listener));
  ASSERT_TRUE(testing::wait_until([&] { return second.log_contains("\"unit_finished\""); })) << second.log();
  shut_down(name);
  ASSERT_EQ(second.wait_exit(), 0) << second.log();
  expect_valid({crashed.log(), second.log()}, "validate-crash");
}

// A listener killed by its own failpoint inside a unit: the exit is a signal, so no torn unit.
TEST(ValidateRuns, ListenerCrashInsideAUnitIsRestarted) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("validate-unit-crash");
  Process pair(controller_argv(
      name, {"--restart-delay-ms", "10", "--start-limit", "3"},
      with_failpoints("in_unit=crash", {binary("tether-listener"), "--log-format", "json", "--work-ms", "20"})));
  ASSERT_TRUE(pair.wait_exit().has_value()) << pair.log();
  EXPECT_TRUE(pair.log_contains("\"gave_up\"")) << pair.log();
  expect_valid({pair.log()}, "validate-unit-crash");
}

}  // namespace
}  // namespace tether::sim
