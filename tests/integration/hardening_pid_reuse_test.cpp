// Goal: a dead listener's PID, now held by an unrelated process, is neither adopted nor signalled, and
// a fresh listener is launched. Method: for real, in a private PID namespace where nothing else forks:
// scripts/pid_reuse.sh kills a pair, hands the listener's PID to a `sleep` through ns_last_pid, starts
// a new controller and reports what happened; this test judges the report.
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <unistd.h>

#include "hardening_support.hpp"

namespace tether::testing {
namespace {

std::string script_path() {
  return (std::filesystem::path(__FILE__).parent_path() / "scripts" / "pid_reuse.sh").string();
}

std::map<std::string, std::string> facts(const std::string& output) {
  std::map<std::string, std::string> parsed;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) parsed[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return parsed;
}

TEST(HardeningPidReuse, ControllerNeitherAdoptsNorSignalsTheNewOwnerOfADeadListenersPid) {
  if (geteuid() != 0) GTEST_SKIP() << "PID reuse needs root: a PID namespace and ns_last_pid";
  const auto probe = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/true"});
  if (probe.exit_code != 0) {
    GTEST_SKIP() << "PID namespaces are unavailable here (unshare exit " << probe.exit_code << "): " << probe.errors;
  }
  Cleanup cleanup;
  const auto name = cleanup.name("pid-reuse");
  // --kill-child: the namespace (and every process in it) dies with unshare, even if the run times out.
  const auto result = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/bash",
                           script_path(), std::filesystem::path(binary("tether")).parent_path().string(), name});
  auto fact = facts(result.output);
  ASSERT_EQ(result.exit_code, 0) << result.output << result.errors;
  ASSERT_EQ(fact["stranger"], fact["old_listener"]) << "the scenario needs the PID reused: " << result.output;
  ASSERT_EQ(fact["start_times_differ"], "yes") << result.output;
  EXPECT_EQ(fact["adopted_lines"], "0") << "the stranger was adopted: " << result.errors;
  EXPECT_EQ(fact["stale_cleared_lines"], "1") << result.errors;
  EXPECT_EQ(fact["launched_lines"], "1") << result.errors;
  EXPECT_NE(fact["fresh_listener"], "none") << result.errors;
  EXPECT_NE(fact["fresh_listener"], fact["stranger"]) << result.errors;
  EXPECT_EQ(fact["shutdown_exit"], "0") << result.errors;
  EXPECT_EQ(fact["controller_exit"], "0") << result.errors;
  // Neither the controller nor `tether shutdown` may have signalled it: still sleeping, same process.
  EXPECT_EQ(fact["stranger_state"], "S") << result.output;
  EXPECT_EQ(fact["stranger_same_start"], "yes") << result.output;
  EXPECT_EQ(fact["segment_left"], "no") << result.output;
}

}  // namespace
}  // namespace tether::testing
