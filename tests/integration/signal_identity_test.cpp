// Goal: no path by which tether signals a recorded process (the SIGUSR1 nudge of `tether shutdown`, the
// group kill after an exit, the stop signal, the SIGTERM and SIGKILL escalations, the watchdog) reaches a
// stranger that now holds the recorded pid with another start time. Method: for real, in a private PID
// namespace: scripts/signal_identity.sh brings the controller to each signal with the recorded process
// dead and its pid handed to a `setsid sleep` (a group leader, so a signal to the group reaches it too),
// and reports; this test judges the report: the path ran, and the stranger lives on untouched.
#include <gtest/gtest.h>
#include <map>
#include <ostream>
#include <string>

#include "harness.hpp"
#include "pid_namespace_support.hpp"

namespace tether::testing {
namespace {

struct SignalPath {
  std::string mode;      // the script's mode
  std::string expected;  // how many stop_signalled/escalated/watchdog_fired lines name the dead worker
};

// gtest names a failing case by its parameter: the mode, not the struct's bytes.
void PrintTo(const SignalPath& path, std::ostream* out) { *out << path.mode; }

class SignalIdentity : public ::testing::TestWithParam<SignalPath> {};

TEST_P(SignalIdentity, StrangerHoldingTheRecordedPidIsNotSignalled) {
  TETHER_REQUIRE_FAILPOINTS();
  std::string why;
  if (!pid_namespaces_available(why)) GTEST_SKIP() << why;
  Cleanup cleanup;
  auto run = run_in_pid_namespace("signal_identity.sh", cleanup.name("signal-" + GetParam().mode), GetParam().mode);
  auto& fact = run.facts;
  ASSERT_EQ(fact.count("setup_failed"), 0u) << run.report;
  ASSERT_EQ(fact["stranger"], fact["old"]) << "the scenario needs the pid reused: " << run.report;
  ASSERT_EQ(fact["start_times_differ"], "yes") << run.report;
  ASSERT_EQ(fact["stranger_group"], fact["stranger"]) << "the stranger leads its own group: " << run.report;
  EXPECT_EQ(fact["stranger_state"], "S") << "the stranger must be neither stopped nor killed: " << run.report;
  EXPECT_EQ(fact["stranger_same_start"], "yes") << run.report;
  EXPECT_EQ(fact["segment_left"], "no") << run.report;
  if (GetParam().mode == "nudge") {
    EXPECT_EQ(fact["shutdown_exit"], "0") << run.report;
    EXPECT_EQ(fact["no_live_controller"], "1") << "the dead controller is not told: " << run.report;
    EXPECT_EQ(fact["stale_status_controller_pid"], "none") << "status shows the stranger: " << run.report;
  } else {
    EXPECT_EQ(fact["controller_exit"], "0") << run.report;
    EXPECT_EQ(fact["signal_lines"], GetParam().expected) << "the path under test must have run: " << run.report;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPath, SignalIdentity,
                         ::testing::Values(SignalPath{"nudge", ""}, SignalPath{"collect", "0"},
                                           SignalPath{"stop_signal", "1"}, SignalPath{"sigterm", "1"},
                                           SignalPath{"sigkill", "2"}, SignalPath{"watchdog", "1"}),
                         [](const ::testing::TestParamInfo<SignalPath>& path) { return path.param.mode; });

}  // namespace
}  // namespace tether::testing
