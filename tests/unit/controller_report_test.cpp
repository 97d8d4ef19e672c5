// Goal: the controller report area says what the controller knows (the last exit, a pending restart,
// the start limit's budget, the worker's start, how long a stop can last), and a reader never takes a
// torn or unpublished area for a report. Method: the publisher and reader over an area in memory, and
// the report derived from hand-made controller states, as the driver derives it after each batch of steps.
#include <gtest/gtest.h>

#include <csignal>

#include "adapters/controller_report.hpp"
#include "core/units.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace tether {
namespace {

ControllerState state_with(std::uint32_t start_limit = 5) {
  return ControllerState(ProcessIdentity{100, 1}, StartLimiter(start_limit, ms_to_ns(10000)));
}

TEST(ControllerReport, ExitStatusesPackIntoOneWordAndBack) {
  EXPECT_EQ(pack_exit_status(std::nullopt), 0u) << "0 is none";
  EXPECT_EQ(unpack_exit_status(0), std::nullopt);
  for (const ExitStatus status :
       {ExitStatus::code(0), ExitStatus::code(3), ExitStatus::code(255), ExitStatus::signal(SIGKILL),
        ExitStatus::signal(SIGTERM), ExitStatus::unknown_status()}) {
    const std::uint64_t word = pack_exit_status(status);
    EXPECT_NE(word, 0u);
    EXPECT_EQ(unpack_exit_status(word), status);
  }
  EXPECT_NE(pack_exit_status(ExitStatus::code(9)), pack_exit_status(ExitStatus::signal(9)));
  EXPECT_EQ(unpack_exit_status(std::uint64_t{7} << 32), std::nullopt) << "a kind no controller writes";
}

TEST(ControllerReport, WhatIsPublishedIsReadBackWhole) {
  ControllerReportArea area{};
  EXPECT_EQ(read_controller_report(area), std::nullopt) << "nothing published: no report";
  ControllerReport report;
  report.last_exit = ExitStatus::signal(SIGSEGV);
  report.last_exit_ns = 11;
  report.restart_at_ns = 22;
  report.consecutive_failures = 3;
  report.starts_left = 2;
  report.worker_started_ns = 44;
  report.stop_deadline_ns = 55;
  publish_controller_report(area, report);
  EXPECT_EQ(area.sequence.load() % 2, 0u);
  EXPECT_EQ(read_controller_report(area), report);
  report.last_exit.reset();
  report.restart_at_ns = 0;
  publish_controller_report(area, report);
  EXPECT_EQ(read_controller_report(area), report);
}

TEST(ControllerReport, AReaderGivesUpOnARewriteThatNeverEnds) {
  ControllerReportArea area{};
  publish_controller_report(area, ControllerReport{});
  area.sequence.fetch_add(1);  // a writer that died mid-rewrite: odd for ever
  EXPECT_EQ(read_controller_report(area), std::nullopt);
}

TEST(ControllerReport, TheStateGivesTheRestartTheBudgetAndTheWorkersStart) {
  ControllerConfig config;
  ControllerState state = state_with(3);
  state.start_limiter.record_start(ms_to_ns(1));
  state.listener = ProcessIdentity{2000, 7};
  state.listener_started_ns = ms_to_ns(1);
  state.consecutive_failures = 2;
  const ControllerReport running = report_from_state(state, config, ms_to_ns(5));
  EXPECT_EQ(running.worker_started_ns, ms_to_ns(1));
  EXPECT_EQ(running.consecutive_failures, 2u);
  EXPECT_EQ(running.starts_left, 2u);
  EXPECT_EQ(running.restart_at_ns, 0u);
  EXPECT_EQ(running.stop_deadline_ns, 0u) << "no stop without a request";

  state.listener = ProcessIdentity{};
  state.restart_deadline_ns = ms_to_ns(900);
  const ControllerReport waiting = report_from_state(state, config, ms_to_ns(5));
  EXPECT_EQ(waiting.worker_started_ns, 0u) << "no worker between runs";
  EXPECT_EQ(waiting.restart_at_ns, ms_to_ns(900));
}

TEST(ControllerReport, AStopEndsByItsNextDeadlinePlusTheKillTimeoutAndNeverLater) {
  ControllerConfig config;
  config.stop_timeout_ms = 1000;
  config.stop_timeout_ms_max = 4000;
  config.kill_timeout_ms = 500;
  ControllerState state = state_with();
  state.listener = ProcessIdentity{2000, 7};
  state.shutdown_requested = true;
  state.stop_requested_ns = ms_to_ns(100);
  // Requested, no signal deadline yet (the worker may still register): the furthest it can go.
  EXPECT_EQ(report_from_state(state, config, ms_to_ns(100)).stop_deadline_ns, ms_to_ns(100 + 4000 + 500));
  state.stop_deadline_ns = ms_to_ns(1100);
  EXPECT_EQ(report_from_state(state, config, ms_to_ns(100)).stop_deadline_ns, ms_to_ns(1100 + 500));
  state.kill_deadline_ns = ms_to_ns(1600);
  EXPECT_EQ(report_from_state(state, config, ms_to_ns(1200)).stop_deadline_ns, ms_to_ns(1600));
  // A huge configuration saturates instead of wrapping into the past.
  state.kill_deadline_ns.reset();
  state.stop_deadline_ns = UINT64_MAX - 1;
  EXPECT_EQ(report_from_state(state, config, 0).stop_deadline_ns, UINT64_MAX);
  // The worker gone, nothing is left to stop.
  state.listener = ProcessIdentity{};
  EXPECT_EQ(report_from_state(state, config, 0).stop_deadline_ns, 0u);
}

TEST(ControllerReport, TheDriverKeepsTheLastExitAndRewritesOnlyOnNews) {
  ControllerConfig config;
  fakes::FakeSegment segment;
  fakes::ScriptedProcesses processes;
  ControllerState state = state_with();
  state.restart_deadline_ns = ms_to_ns(50);
  ControllerCore core(config, segment, processes, state);
  ControllerReportArea area{};
  ControllerReporter reporter(area, config);
  reporter.on_event({ControllerEvent::Kind::launched, ProcessIdentity{2000, 7}}, ms_to_ns(1));
  reporter.on_event({ControllerEvent::Kind::exited, ProcessIdentity{2000, 7}, ExitStatus::code(3)}, ms_to_ns(9));
  reporter.after_steps(core, ms_to_ns(10));
  const auto first = read_controller_report(area);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->last_exit, ExitStatus::code(3));
  EXPECT_EQ(first->last_exit_ns, ms_to_ns(9));
  EXPECT_EQ(first->restart_at_ns, ms_to_ns(50));
  const std::uint64_t sequence = area.sequence.load();
  reporter.after_steps(core, ms_to_ns(11));
  EXPECT_EQ(area.sequence.load(), sequence) << "nothing new: no rewrite for readers to retry around";
  reporter.on_event({ControllerEvent::Kind::exited, ProcessIdentity{2001, 8}, ExitStatus::signal(SIGKILL)},
                    ms_to_ns(20));
  reporter.after_steps(core, ms_to_ns(20));
  EXPECT_EQ(area.sequence.load(), sequence + 2);
  EXPECT_EQ(read_controller_report(area)->last_exit, ExitStatus::signal(SIGKILL));
}

}  // namespace
}  // namespace tether
