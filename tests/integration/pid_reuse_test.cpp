// Goal: a dead worker's PID (a registered listener's, or a plain worker's), now held by an unrelated
// process, is neither adopted nor signalled, and a fresh worker is launched. Method: for real, in a private PID
// namespace where nothing else forks: scripts/pid_reuse.sh kills a pair, hands the listener's PID to a `sleep` through
// ns_last_pid, starts a new controller and reports what happened; this test judges the report.
#include <gtest/gtest.h>
#include <map>

#include "harness.hpp"
#include "pid_namespace_support.hpp"

namespace tether::testing {
namespace {

// Runs scripts/pid_reuse.sh for `mode` (listener or plain) and returns its facts.
std::map<std::string, std::string> run_pid_reuse(const std::string& mode, std::string& report) {
  Cleanup cleanup;
  auto outcome = run_in_pid_namespace("pid_reuse.sh", cleanup.name("pid-reuse-" + mode), mode);
  report = outcome.report;
  return outcome.facts;
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

TEST(PidReuse, ControllerNeitherAdoptsNorSignalsTheNewOwnerOfADeadListenersPid) {
  std::string why;
  if (!pid_namespaces_available(why)) GTEST_SKIP() << why;
  std::string report;
  auto fact = run_pid_reuse("listener", report);
  expect_stranger_untouched(fact, report);
  EXPECT_EQ(fact["stale_cleared_lines"], "1") << "the dead registration is recognised and cleared: " << report;
}

TEST(PidReuse, ControllerNeitherAdoptsNorSignalsTheNewOwnerOfADeadPlainWorkersPid) {
  // A plain worker never registers: only the controller's launched identity records it.
  std::string why;
  if (!pid_namespaces_available(why)) GTEST_SKIP() << why;
  std::string report;
  auto fact = run_pid_reuse("plain", report);
  expect_stranger_untouched(fact, report);
}

}  // namespace
}  // namespace tether::testing
