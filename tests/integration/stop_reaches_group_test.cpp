// Goal: the stop signal reaches a plain worker's whole process group, not only its leader: a wrapper
// script that ignores SIGTERM and waits for its child ends as soon as the child handles the signal, with
// no SIGKILL at the kill timeout. Method: a real script (workers/term_in_child.sh) whose child writes a
// marker file from its SIGTERM handler; the marker, not a stopwatch, proves the child got the signal.
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>

#include "hardening_support.hpp"
#include "harness_extras.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

TEST(StopSignalReachesTheGroup, ChildOfAPlainWorkerHandlesTheStopSignal) {
  Cleanup cleanup;
  TempDir dir("term-in-child");
  const auto name = cleanup.name("stop-group");
  Process pair(controller_command(name, {"--ready-timeout-ms", "200", "--kill-timeout-ms", "5000"},
                                  {"/bin/sh", worker_script("term_in_child.sh"), dir.path()}));
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(dir.file("child.pid")); })) << pair.log();

  const auto shutdown = run({binary("tether"), "shutdown", name});
  ASSERT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_EQ(read_text(dir.file("child.term")), "term\n") << "the child never got the stop signal: " << pair.log();
  EXPECT_EQ(pair.log_count("escalated"), 0) << "the pair ended by SIGKILL: " << pair.log();
  EXPECT_TRUE(pair.log_contains("stop_signalled")) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

}  // namespace
}  // namespace tether::testing
