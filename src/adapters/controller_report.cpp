#include "adapters/controller_report.hpp"

#include <algorithm>

#include "adapters/seqlock.hpp"
#include "core/units.hpp"

namespace tether {

std::uint64_t pack_exit_status(std::optional<ExitStatus> status) {
  if (!status.has_value()) return 0;
  const auto kind = static_cast<std::uint64_t>(status->kind) + 1;
  return kind << 32 | static_cast<std::uint32_t>(status->value);
}

std::optional<ExitStatus> unpack_exit_status(std::uint64_t word) {
  const std::uint64_t kind = word >> 32;
  const auto value = static_cast<int>(static_cast<std::uint32_t>(word));
  switch (kind) {
    case 1 + static_cast<std::uint64_t>(ExitStatus::Kind::exited): return ExitStatus::code(value);
    case 1 + static_cast<std::uint64_t>(ExitStatus::Kind::killed): return ExitStatus::signal(value);
    case 1 + static_cast<std::uint64_t>(ExitStatus::Kind::unknown): return ExitStatus::unknown_status();
    default: return std::nullopt;  // none, or a word no controller writes
  }
}

void publish_controller_report(ControllerReportArea& area, const ControllerReport& report) {
  seqlock_write(area.sequence, [&] {
    area.last_exit.store(pack_exit_status(report.last_exit));
    area.last_exit_ns.store(report.last_exit_ns);
    area.restart_at_ns.store(report.restart_at_ns);
    area.consecutive_failures.store(report.consecutive_failures);
    area.starts_left.store(report.starts_left);
    area.worker_started_ns.store(report.worker_started_ns);
    area.stop_deadline_ns.store(report.stop_deadline_ns);
  });
}

std::optional<ControllerReport> read_controller_report(const ControllerReportArea& area) {
  ControllerReport report;
  const auto sequence = seqlock_read(area.sequence, [&] {
    report.last_exit = unpack_exit_status(area.last_exit.load());
    report.last_exit_ns = area.last_exit_ns.load();
    report.restart_at_ns = area.restart_at_ns.load();
    report.consecutive_failures = area.consecutive_failures.load();
    report.starts_left = area.starts_left.load();
    report.worker_started_ns = area.worker_started_ns.load();
    report.stop_deadline_ns = area.stop_deadline_ns.load();
  });
  if (!sequence.has_value() || *sequence == 0) return std::nullopt;
  return report;
}

ControllerReport report_from_state(const ControllerState& state, const ControllerConfig& config, std::uint64_t now_ns) {
  ControllerReport report;
  report.restart_at_ns = state.restart_deadline_ns.value_or(0);
  report.consecutive_failures = state.consecutive_failures;
  report.starts_left = state.start_limiter.starts_left(now_ns);
  report.worker_started_ns = state.listener.valid() ? state.listener_started_ns : 0;
  if (state.shutdown_requested && state.listener.valid() && state.stop_requested_ns != 0) {
    // The signal deadlines known so far, else the furthest the stop can go: its extension cap, then
    // the kill timeout. A later extension moves it; readers read it again.
    const std::uint64_t kill_ns = ms_to_ns(config.kill_timeout_ms);
    if (state.kill_deadline_ns.has_value()) {
      report.stop_deadline_ns = *state.kill_deadline_ns;
    } else if (state.stop_deadline_ns.has_value()) {
      report.stop_deadline_ns = saturating_sum(*state.stop_deadline_ns, kill_ns);
    } else {
      const std::uint64_t stop_ns = ms_to_ns(std::max(config.stop_timeout_ms_max, config.stop_timeout_ms));
      report.stop_deadline_ns = saturating_sum(saturating_sum(state.stop_requested_ns, stop_ns), kill_ns);
    }
  }
  return report;
}

void ControllerReporter::on_event(const ControllerEvent& event, std::uint64_t now_ns) {
  if (event.kind != ControllerEvent::Kind::exited) return;
  last_exit_ = event.status;
  last_exit_ns_ = now_ns;
}

void ControllerReporter::after_steps(const ControllerCore& core, std::uint64_t now_ns) {
  ControllerReport report = report_from_state(core.state(), config_, now_ns);
  report.last_exit = last_exit_;
  report.last_exit_ns = last_exit_ns_;
  if (published_ == report) return;
  publish_controller_report(area_, report);
  published_ = report;
}

}  // namespace tether
