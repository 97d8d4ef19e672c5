// Goal: a program we did not write — Python's http.server — runs under the controller as a plain worker
// (issue 8): it never registers, yet it is shown, restarted after SIGKILL and stopped on shutdown, with
// its port freed and nothing left behind. Method: a real controller and a real server on a free loopback
// port, observed from outside only: HTTP over a socket, `tether status --json`, /proc and /dev/shm.
#include <csignal>
#include <gtest/gtest.h>
#include <unistd.h>

#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

TEST(PlainWorkerHttp, ServesIsRestartedAfterSigkillAndStopsOnShutdown) {
  Cleanup cleanup;
  const auto name = cleanup.name("http");
  const TempDir site("http-site");
  // The page proves that the server runs in --cwd and that this server, not a stranger, answers.
  const std::string marker = "served-for-" + name;
  write_text(site.file("index.html"), marker + "\n");
  const int port = free_loopback_port();
  Process pair(controller_argv(name, {"--ready-timeout-ms", "200", "--restart-delay-ms", "10", "--cwd", site.path()},
                               {python3(), "-m", "http.server", std::to_string(port), "--bind", "127.0.0.1"}));

  const auto serves_marker = [&] {
    const auto response = http_get(port);
    return response.has_value() && response->find(marker) != std::string::npos;
  };
  ASSERT_TRUE(wait_until(serves_marker)) << pair.log();
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();
  const pid_t first = pid_after(pair.log(), "launched listener_pid=");
  ASSERT_GT(first, 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("unregistered listener_pid=" + std::to_string(first))) << pair.log();
  EXPECT_EQ(process_group_of(first), first) << "the worker leads a process group of its own";
  auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["state"], "unregistered");
  EXPECT_EQ((*status)["listener_pid"], first);
  EXPECT_EQ((*status)["generation"], 1);
  EXPECT_EQ(run({binary("tether"), "status", name}).exit_code, 0) << "a live plain worker is running";

  ASSERT_EQ(kill(first, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return pid_after(pair.log(), "launched listener_pid=", 1) != 0; })) << pair.log();
  const pid_t second = pid_after(pair.log(), "launched listener_pid=", 1);
  EXPECT_NE(second, first);
  ASSERT_TRUE(wait_until(serves_marker)) << "the restarted server serves again\n" << pair.log();
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(first) + " signal=SIGKILL")) << pair.log();
  ASSERT_TRUE(wait_until([&] { return worker_pid(name) == second; })) << pair.log();
  status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["restarts"], 1);
  EXPECT_EQ((*status)["generation"], 2);

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.output << shutdown.errors;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("stop_signalled listener_pid=" + std::to_string(second))) << pair.log();
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(second) + " signal=SIGTERM")) << pair.log();
  EXPECT_EQ(pair.log_count("launched"), 2) << "no relaunch after the shutdown";
  EXPECT_FALSE(process_alive(second));
  EXPECT_TRUE(loopback_port_free(port)) << "nothing may still listen on the server's port";
  EXPECT_FALSE(http_get(port).has_value());
  EXPECT_FALSE(segment_exists(name));
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
}

}  // namespace
}  // namespace tether::testing
