// Goal: a dead worker's PID (a registered listener's, or a plain worker's), now held by an unrelated
// process, is neither adopted nor signalled, and a fresh worker is launched. Method: for real, in a private PID namespace where nothing else forks:
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

// Runs scripts/pid_reuse.sh in a PID namespace for `mode` (listener or plain) and returns its facts;
// skips where PID namespaces are unavailable.
std::map<std::string, std::string> run_pid_reuse(const std::string& mode, std::string& report) {
  Cleanup cleanup;
  const auto name = cleanup.name("pid-reuse-" + mode);
  // --kill-child: the namespace (and every process in it) dies with unshare, even if the run times out.
  const auto result = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/bash",
                           script_path(), std::filesystem::path(binary("tether")).parent_path().string(), name,
                           mode});
  report = result.output + result.errors;
  EXPECT_EQ(result.exit_code, 0) << report;
  return facts(result.output);
}

bool pid_namespaces_available(std::string& why) {
  if (geteuid() != 0) {
    why = "PID reuse needs root: a PID namespace and ns_last_pid";
    return false;
  }
  const auto probe = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/true"});
  why = "PID namespaces are unavailable here (unshare exit " + std::to_string(probe.exit_code) + "): " + probe.errors;
  return probe.exit_code == 0;
}

// What holds for both kinds of worker: the stranger with the dead worker's PID is neither adopted, nor
// shown by status, nor signalled (not even by `tether shutdown`), and a fresh worker is launched.
void expect_stranger_untouched(std::map<std::string, std::string>& fact, const std::string& report) {
  ASSERT_EQ(fact.count("setup_failed"), 0u) << report;
  ASSERT_EQ(fact["stranger"], fact["old"]) << "the scenario needs the PID reused: " << report;
  ASSERT_EQ(fact["start_times_differ"], "yes") << report;
  EXPECT_EQ(fact["stale_status_pid"], "none") << "status must not present the stranger as the worker";
  EXPECT_EQ(fact["adopted_lines"], "0") << "the stranger was adopted: " << report;
  EXPECT_EQ(fact["launched_lines"], "1") << report;
  EXPECT_NE(fact["fresh"], "none") << report;
  EXPECT_NE(fact["fresh"], fact["stranger"]) << report;
  EXPECT_EQ(fact["shutdown_exit"], "0") << report;
  EXPECT_EQ(fact["controller_exit"], "0") << report;
  EXPECT_EQ(fact["signalled_stranger_lines"], "0") << report;
  EXPECT_EQ(fact["stranger_state"], "S") << "the stranger must be neither stopped nor killed: " << report;
  EXPECT_EQ(fact["stranger_same_start"], "yes") << report;
  EXPECT_EQ(fact["segment_left"], "no") << report;
}

TEST(HardeningPidReuse, ControllerNeitherAdoptsNorSignalsTheNewOwnerOfADeadListenersPid) {
  std::string why;
  if (!pid_namespaces_available(why)) GTEST_SKIP() << why;
  std::string report;
  auto fact = run_pid_reuse("listener", report);
  expect_stranger_untouched(fact, report);
  EXPECT_EQ(fact["stale_cleared_lines"], "1") << "the dead registration is recognised and cleared: " << report;
}

TEST(HardeningPidReuse, ControllerNeitherAdoptsNorSignalsTheNewOwnerOfADeadPlainWorkersPid) {
  // A plain worker never registers: only the controller's launched identity records it.
  std::string why;
  if (!pid_namespaces_available(why)) GTEST_SKIP() << why;
  std::string report;
  auto fact = run_pid_reuse("plain", report);
  expect_stranger_untouched(fact, report);
}

}  // namespace
}  // namespace tether::testing
