// Goal: a worker whose command name (field 2 of /proc/PID/stat) holds ')' and spaces keeps its identity:
// `tether status` shows it, and a restarted controller adopts it instead of launching a second one (a
// start time parsed from the first ')' reads another field, and the worker looks dead). Method: `sleep`
// run through a symlink named "w) 1 2 3 4" as a plain worker, observed with the real binaries.
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>

#include "pair_processes.hpp"
#include "harness_extras.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

TEST(OddCommandName, WorkerWithParenthesesAndSpacesInItsNameKeepsItsIdentity) {
  Cleanup cleanup;
  TempDir dir("odd-name");
  const auto name = cleanup.name("odd-name");
  // The kernel names a process after the file it executes (15 bytes at most): this one, whole.
  const std::string odd = dir.file("w) 1 2 3 4");
  std::filesystem::create_symlink("/bin/sleep", odd);
  const auto arguments = std::vector<std::string>{"--ready-timeout-ms", "100"};
  const std::vector<std::string> command = {odd, "600"};
  pid_t worker = 0;
  {
    Process first(controller_argv(name, arguments, command));
    ASSERT_TRUE(wait_until([&] { return first.log_contains("treated_as=plain worker"); })) << first.log();
    worker = pid_after(first.log(), "launched listener_pid=");
    ASSERT_EQ(read_text("/proc/" + std::to_string(worker) + "/comm"), "w) 1 2 3 4\n");
    const auto status = status_json(name);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ((*status)["state"], "unregistered") << status->dump();
    EXPECT_EQ((*status)["listener_pid"], worker) << status->dump();
    first.signal(SIGKILL);
    ASSERT_EQ(first.wait_exit(), 128 + SIGKILL);
  }
  Process second(controller_argv(name, arguments, command));
  ASSERT_TRUE(wait_until([&] { return second.log_contains("adopted") || second.log_contains("launched"); }))
      << second.log();
  EXPECT_TRUE(second.log_contains("adopted listener_pid=" + std::to_string(worker))) << second.log();
  EXPECT_FALSE(second.log_contains("launched")) << "a second worker beside the first: " << second.log();
  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_FALSE(process_alive(worker));
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
}

}  // namespace
}  // namespace tether::testing
