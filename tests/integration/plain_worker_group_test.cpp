// Goal: a worker and everything it started form one unit (issue 8): stopping or killing a shell script
// also ends the children it started in the background, even children that ignore SIGTERM, and even
// after the worker was adopted by a new controller — nothing is orphaned. Method: a real script
// (workers/two_children.sh) that reports its children's pids and exits on SIGTERM without stopping
// them; every pid is then checked in /proc, along with its process group and the test's descendants.
#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <memory>
#include <sstream>
#include <unistd.h>

#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

struct ScriptPids {
  pid_t script = 0;
  pid_t first_child = 0;
  pid_t second_child = 0;
};

// The pids two_children.sh wrote (all zero until it has written them).
ScriptPids read_pids(const std::string& pid_file) {
  std::istringstream text(read_text(pid_file));
  ScriptPids pids;
  text >> pids.script >> pids.first_child >> pids.second_child;
  return pids;
}

bool any_alive(const ScriptPids& pids) {
  return process_alive(pids.script) || process_alive(pids.first_child) || process_alive(pids.second_child);
}

// Waits for the script of a launch to report, and checks the three share the script's process group.
ScriptPids started_script(const Process& pair, const std::string& pid_file) {
  ScriptPids pids;
  EXPECT_TRUE(wait_until([&] {
    pids = read_pids(pid_file);
    return pids.second_child != 0;
  })) << pair.log();
  // The controller logs the launch after the spawn returns; the script may have reported first.
  EXPECT_TRUE(wait_until([&] { return pid_after(pair.log(), "launched listener_pid=") == pids.script; })) << pair.log();
  EXPECT_EQ(process_group_of(pids.script), pids.script);
  EXPECT_EQ(process_group_of(pids.first_child), pids.script);
  EXPECT_EQ(process_group_of(pids.second_child), pids.script);
  // The script's `mv` of the pid file may still be exiting: wait for the group to settle at three.
  EXPECT_TRUE(wait_until([&] { return live_group_members(pids.script).size() == 3u; }))
      << live_group_members(pids.script).size();
  return pids;
}

std::vector<std::string> script_command(const std::string& pid_file, bool children_ignore_term) {
  std::vector<std::string> command = {"/bin/sh", worker_script("two_children.sh"), pid_file};
  if (children_ignore_term) command.push_back("ignore-term");
  return command;
}

TEST(PlainWorkerGroup, ShutdownEndsTheScriptAndBothChildren) {
  Cleanup cleanup;
  const auto name = cleanup.name("group");
  const TempDir files("group");
  const std::string pid_file = files.file("pids");
  Process pair(controller_argv(name, {"--ready-timeout-ms", "200"}, script_command(pid_file, false)));
  const ScriptPids pids = started_script(pair, pid_file);
  ASSERT_NE(pids.second_child, 0);
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("stop_signalled listener_pid=" + std::to_string(pids.script))) << pair.log();
  EXPECT_EQ(read_text(pid_file + ".term"), "term\n") << "the script handled SIGTERM itself";
  EXPECT_TRUE(wait_until([&] { return !any_alive(pids); }, 5s));
  EXPECT_TRUE(wait_until([&] { return live_group_members(pids.script).empty(); }, 5s));
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerGroup, ChildrenThatIgnoreTheStopSignalAreKilledWhenTheScriptExits) {
  Cleanup cleanup;
  const auto name = cleanup.name("group-stubborn");
  const TempDir files("group-stubborn");
  const std::string pid_file = files.file("pids");
  // A kill timeout far beyond the test's waits: the children must go when the script goes, not later.
  Process pair(controller_argv(name, {"--ready-timeout-ms", "200", "--kill-timeout-ms", "600000"},
                               script_command(pid_file, true)));
  const ScriptPids pids = started_script(pair, pid_file);
  ASSERT_NE(pids.second_child, 0);
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(pids.script) + " code=0")) << pair.log();
  EXPECT_FALSE(pair.log_contains("escalated")) << "the script obeyed SIGTERM; no escalation was due";
  EXPECT_TRUE(wait_until([&] { return !any_alive(pids); }, 5s)) << "leftovers in the worker's group are killed with it";
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerGroup, KilledScriptTakesItsChildrenAlongAndIsRestarted) {
  Cleanup cleanup;
  const auto name = cleanup.name("group-crash");
  const TempDir files("group-crash");
  const std::string pid_file = files.file("pids");
  Process pair(controller_argv(name, {"--ready-timeout-ms", "200", "--restart-delay-ms", "10"},
                               script_command(pid_file, false)));
  const ScriptPids first = started_script(pair, pid_file);
  ASSERT_NE(first.second_child, 0);

  ASSERT_EQ(kill(first.script, SIGKILL), 0);
  ScriptPids second;
  ASSERT_TRUE(wait_until([&] {
    second = read_pids(pid_file);
    return second.script != first.script && second.second_child != 0;
  })) << pair.log();
  EXPECT_TRUE(wait_until([&] { return pid_after(pair.log(), "launched listener_pid=", 1) == second.script; }))
      << pair.log();
  EXPECT_TRUE(wait_until([&] { return !any_alive(first); }, 5s)) << "the killed script's children must not outlive it";
  EXPECT_TRUE(wait_until([&] { return live_group_members(first.script).empty(); }, 5s));
  EXPECT_TRUE(wait_until([&] { return live_group_members(second.script).size() == 3u; }))
      << live_group_members(second.script).size();

  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(wait_until([&] { return !any_alive(second); }, 5s));
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
}

// Adoption goes through the launched identity the first controller recorded: same pid, no launch.
void adopt_and_shut_down(bool children_ignore_term) {
  Cleanup cleanup;
  const auto name = cleanup.name(children_ignore_term ? "group-adopt-stubborn" : "group-adopt");
  const TempDir files("group-adopt");
  const std::string pid_file = files.file("pids");
  const std::vector<std::string> options = {"--ready-timeout-ms", "200", "--kill-timeout-ms", "600000"};
  auto first =
      std::make_unique<Process>(controller_argv(name, options, script_command(pid_file, children_ignore_term)));
  const ScriptPids pids = started_script(*first, pid_file);
  ASSERT_NE(pids.second_child, 0);
  ASSERT_TRUE(wait_until([&] { return first->log_contains("treated_as=plain worker"); })) << first->log();
  first->signal(SIGKILL);
  ASSERT_EQ(first->wait_exit(), 128 + SIGKILL);
  first.reset();
  ASSERT_TRUE(process_alive(pids.script)) << "the worker runs on without its controller";

  Process second(controller_argv(name, options, script_command(pid_file, children_ignore_term)));
  ASSERT_TRUE(wait_until([&] { return second.log_contains("adopted listener_pid=" + std::to_string(pids.script)); }))
      << second.log();
  ASSERT_TRUE(wait_until([&] { return second.log_contains("treated_as=plain worker"); })) << second.log();
  EXPECT_FALSE(second.log_contains("launched")) << "adoption must not launch a second worker";
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["state"], "unregistered");
  EXPECT_EQ((*status)["listener_pid"], pids.script);
  EXPECT_EQ((*status)["controller_pid"], second.pid());

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_TRUE(second.log_contains("stop_signalled listener_pid=" + std::to_string(pids.script))) << second.log();
  EXPECT_EQ(read_text(pid_file + ".term"), "term\n");
  EXPECT_TRUE(wait_until([&] { return !any_alive(pids); }, 5s)) << "the adopted worker's whole group is stopped";
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerGroup, AdoptedScriptIsStoppedWithItsChildren) { adopt_and_shut_down(false); }

// The adopted worker's zombie (unreaped: here the test is the subreaper) still pins its pid, so its
// leftover group — children that ignored the stop signal — is killed with it.
TEST(PlainWorkerGroup, AdoptedScriptsChildrenThatIgnoreTheStopSignalAreKilled) { adopt_and_shut_down(true); }

}  // namespace
}  // namespace tether::testing
