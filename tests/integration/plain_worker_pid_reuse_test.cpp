// Goal: a plain worker is known only by the identity the controller recorded when it launched it
// (issue 8); when that worker is dead and its PID belongs to an unrelated process, a new controller
// must neither adopt nor signal that process, `tether status` must not show it, and a fresh worker is
// launched. Method: for real, in a private PID namespace where nothing else forks:
// workers/plain_pid_reuse.sh hands the dead worker's PID to a `sleep` through ns_last_pid and reports
// what happened; this test judges the report.
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <unistd.h>

#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

std::map<std::string, std::string> facts(const std::string& output) {
  std::map<std::string, std::string> parsed;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) parsed[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return parsed;
}

TEST(PlainWorkerPidReuse, NewControllerNeitherAdoptsNorSignalsTheNewOwnerOfADeadPlainWorkersPid) {
  if (geteuid() != 0) GTEST_SKIP() << "PID reuse needs root: a PID namespace and ns_last_pid";
  const auto probe = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/true"});
  if (probe.exit_code != 0) {
    GTEST_SKIP() << "PID namespaces are unavailable here (unshare exit " << probe.exit_code << "): " << probe.errors;
  }
  Cleanup cleanup;
  const auto name = cleanup.name("plain-pid-reuse");
  // --kill-child: the namespace (and every process in it) dies with unshare, even if the run times out.
  const auto result = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/bash",
                           worker_script("plain_pid_reuse.sh"),
                           std::filesystem::path(binary("tether")).parent_path().string(), name});
  auto fact = facts(result.output);
  ASSERT_EQ(result.exit_code, 0) << result.output << result.errors;
  ASSERT_EQ(fact.count("setup_failed"), 0u) << result.output << result.errors;
  ASSERT_EQ(fact["stranger"], fact["old_worker"]) << "the scenario needs the PID to be reused";
  EXPECT_EQ(fact["start_times_differ"], "yes");
  EXPECT_EQ(fact["stale_status_pid"], "none") << "status must not present the stranger as the worker";
  EXPECT_EQ(fact["adopted_lines"], "0") << result.errors;
  EXPECT_EQ(fact["launched_lines"], "1") << result.errors;
  EXPECT_NE(fact["fresh_worker"], "none") << result.errors;
  EXPECT_NE(fact["fresh_worker"], fact["stranger"]) << result.errors;
  EXPECT_EQ(fact["shutdown_exit"], "0");
  EXPECT_EQ(fact["controller_exit"], "0") << result.errors;
  EXPECT_EQ(fact["stop_signalled_stranger"], "0") << result.errors;
  EXPECT_EQ(fact["stranger_state"], "S") << "the stranger must be neither stopped nor killed";
  EXPECT_EQ(fact["stranger_same_start"], "yes");
  EXPECT_EQ(fact["segment_left"], "no");
}

}  // namespace
}  // namespace tether::testing
