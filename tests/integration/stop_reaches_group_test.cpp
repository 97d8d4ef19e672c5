// Goal: the stop signal reaches a plain worker's whole process group, not only its leader, whether the
// controller launched the worker or adopted it: a wrapper script that ignores SIGTERM and waits for its
// child ends as soon as the child handles the signal, with no SIGKILL at the kill timeout. Method: a real
// script (workers/term_in_child.sh) whose child writes a marker file from its SIGTERM handler; the
// marker, not a stopwatch, proves the child got the signal.
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>

#include "pair_processes.hpp"
#include "harness_extras.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

class StopSignalReachesTheGroup : public ::testing::TestWithParam<bool> {};  // adopted?

TEST_P(StopSignalReachesTheGroup, ChildOfAPlainWorkerHandlesTheStopSignal) {
  Cleanup cleanup;
  TempDir dir("term-in-child");
  const auto name = cleanup.name("stop-group");
  const auto argv = controller_command(name, {"--ready-timeout-ms", "200", "--kill-timeout-ms", "5000"},
                                       {"/bin/sh", worker_script("term_in_child.sh"), dir.path()});
  auto pair = std::make_unique<Process>(argv);
  ASSERT_TRUE(wait_until([&] { return pair->log_contains("treated_as=plain worker"); })) << pair->log();
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir.file("child.pid")); })) << pair->log();
  if (GetParam()) {
    // The script lives on, an orphan of this (subreaper) test; the next controller adopts it.
    const pid_t script = pid_after(pair->log(), "launched listener_pid=");
    pair->signal(SIGKILL);
    ASSERT_EQ(pair->wait_exit(), 128 + SIGKILL);
    pair = std::make_unique<Process>(argv);
    ASSERT_TRUE(wait_until([&] { return pair->log_contains("adopted listener_pid=" + std::to_string(script)); }))
        << pair->log();
  }

  const auto shutdown = run({binary("tether"), "shutdown", name});
  ASSERT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(pair->wait_exit(), 0) << pair->log();
  EXPECT_EQ(read_text(dir.file("child.term")), "term\n") << "the child never got the stop signal: " << pair->log();
  EXPECT_EQ(pair->log_count("escalated"), 0) << "the pair ended by SIGKILL: " << pair->log();
  EXPECT_TRUE(pair->log_contains("stop_signalled")) << pair->log();
  EXPECT_TRUE(nothing_left_behind());
}

INSTANTIATE_TEST_SUITE_P(LaunchedOrAdopted, StopSignalReachesTheGroup, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& adopted) {
                           return adopted.param ? "Adopted" : "Launched";
                         });

}  // namespace
}  // namespace tether::testing
