// Goal: the real binaries, as separate processes, do what the seed promised without its races:
// launch and register, restart after a crash, graceful shutdown after the unit in progress, adoption by a
// new controller, one controller per name. Method: start tether-controller, steer and observe it only
// from outside (signals, `tether status --json`, /proc, /dev/shm), with bounded waits.
#include <csignal>
#include <gtest/gtest.h>

#include "harness.hpp"

namespace tether::testing {
namespace {

std::vector<std::string> controller(const std::string& name, const std::vector<std::string>& listener_args = {},
                                    const std::vector<std::string>& controller_args = {}) {
  std::vector<std::string> argv = {binary("tether-controller"), "--name", name};
  argv.insert(argv.end(), controller_args.begin(), controller_args.end());
  argv.push_back("--");
  argv.push_back(binary("tether-listener"));
  argv.insert(argv.end(), listener_args.begin(), listener_args.end());
  return argv;
}

TEST(PairLifecycle, LaunchesAndRegistersAListener) {
  Cleanup cleanup;
  const auto name = cleanup.name("launch");
  Process pair(controller(name, {"--work-ms", "50"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  EXPECT_EQ(parent_of(listener), pair.pid());
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["controller_pid"], pair.pid());
  EXPECT_EQ((*status)["generation"], 1);
  EXPECT_EQ((*status)["restarts"], 0);
  EXPECT_EQ((*status)["shutdown_requested"], false);
  EXPECT_EQ((*status)["name"], name);
  EXPECT_EQ(run({binary("tether"), "status", name}).exit_code, 0);
  EXPECT_TRUE(pair.log_contains("launched listener_pid=" + std::to_string(listener)));
}

TEST(PairLifecycle, KilledListenerIsRestartedWithANewIdentity) {
  Cleanup cleanup;
  const auto name = cleanup.name("restart");
  Process pair(controller(name, {"--work-ms", "50"}, {"--restart-delay-ms", "10"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t first = listener_pid(name);
  ASSERT_EQ(kill(first, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] {
    const pid_t current = listener_pid(name);
    return current != 0 && current != first;
  })) << pair.log();
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["restarts"], 1);
  EXPECT_EQ((*status)["generation"], 2);
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(first) + " signal=SIGKILL")) << pair.log();
  EXPECT_TRUE(pair.log_contains("restarting delay_ms=10")) << pair.log();
  EXPECT_FALSE(process_alive(first));
}

TEST(PairLifecycle, ShutdownDuringAUnitLetsTheUnitFinish) {
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown");
  Process pair(controller(name, {"--work-ms", "1500"}));
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("unit_started unit=1"); })) << pair.log();
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ((*status)["state"], "working");
  const pid_t listener = listener_pid(name);

  const auto shutdown = run({binary("tether"), "shutdown", name});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();

  const std::string log = pair.log();
  const auto requested = log.find("shutdown_requested");
  const auto finished = log.find("unit_finished unit=1");
  const auto left = log.find("left units=1 reason=shutdown requested");
  ASSERT_NE(requested, std::string::npos) << log;
  ASSERT_NE(finished, std::string::npos) << log;
  ASSERT_NE(left, std::string::npos) << log;
  EXPECT_LT(requested, finished) << "the request must arrive during the unit";
  EXPECT_LT(finished, left);
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(listener) + " code=0")) << log;
  EXPECT_EQ(pair.log_count("unit_started"), 1) << "no unit may start after the request";
  EXPECT_EQ(pair.log_count("launched"), 1) << "no relaunch after a shutdown";
  EXPECT_FALSE(process_alive(listener));
  EXPECT_FALSE(segment_exists(name));
}

TEST(PairLifecycle, SigtermToTheControllerIsAGracefulShutdown) {
  Cleanup cleanup;
  const auto name = cleanup.name("sigterm");
  Process pair(controller(name, {"--work-ms", "100"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(listener) + " code=0")) << pair.log();
  EXPECT_FALSE(process_alive(listener));
  EXPECT_FALSE(segment_exists(name));
}

TEST(PairLifecycle, KilledControllerLeavesTheListenerToBeAdopted) {
  Cleanup cleanup;
  const auto name = cleanup.name("adopt");
  auto first = std::make_unique<Process>(controller(name, {"--work-ms", "100"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << first->log();
  const pid_t listener = listener_pid(name);
  first->signal(SIGKILL);
  ASSERT_EQ(first->wait_exit(), 128 + SIGKILL);
  first.reset();
  ASSERT_TRUE(process_alive(listener)) << "the listener runs on without its controller";
  EXPECT_EQ(listener_pid(name), listener);

  Process second(controller(name, {"--work-ms", "100"}));
  ASSERT_TRUE(wait_until([&] { return second.log_contains("adopted listener_pid=" + std::to_string(listener)); }))
      << second.log();
  EXPECT_FALSE(second.log_contains("launched")) << "adoption must not launch a second listener";
  EXPECT_EQ(listener_pid(name), listener);

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_TRUE(second.log_contains("exited listener_pid=" + std::to_string(listener) + " code=0")) << second.log();
  EXPECT_FALSE(process_alive(listener));
  EXPECT_FALSE(segment_exists(name));
}

TEST(PairLifecycle, SecondControllerForTheSameNameIsRefused) {
  Cleanup cleanup;
  const auto name = cleanup.name("single");
  Process first(controller(name, {"--work-ms", "100"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << first.log();
  const pid_t listener = listener_pid(name);
  Process second(controller(name, {"--work-ms", "100"}));
  EXPECT_EQ(second.wait_exit(), 73) << second.log();
  EXPECT_TRUE(second.log_contains("held by another running controller")) << second.log();
  EXPECT_EQ(listener_pid(name), listener) << "the refused controller must not disturb the pair";
  EXPECT_FALSE(first.wait_exit(0ms).has_value());
}

TEST(PairLifecycle, PairsWithDifferentNamesAreIndependent) {
  Cleanup cleanup;
  const auto name_a = cleanup.name("pair-a");
  const auto name_b = cleanup.name("pair-b");
  Process pair_a(controller(name_a, {"--work-ms", "50"}, {"--restart-delay-ms", "10"}));
  Process pair_b(controller(name_b, {"--work-ms", "50"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name_a) != 0 && listener_pid(name_b) != 0; }));
  const pid_t listener_a = listener_pid(name_a);
  const pid_t listener_b = listener_pid(name_b);
  ASSERT_EQ(kill(listener_a, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return listener_pid(name_a) != 0 && listener_pid(name_a) != listener_a; }));
  EXPECT_EQ(listener_pid(name_b), listener_b);
  EXPECT_EQ(run({binary("tether"), "shutdown", name_a, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair_a.wait_exit(), 0);
  EXPECT_TRUE(process_alive(listener_b));
  EXPECT_EQ(listener_pid(name_b), listener_b);
}

}  // namespace
}  // namespace tether::testing
