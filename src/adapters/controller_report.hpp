#pragma once
// The controller report area of the segment (segment_layout.hpp, ControllerReportArea): what the
// controller's driver says about its supervision, read by `tether status` and `tether shutdown --wait`.
// One writer, the controller holding the name; readers retry around a rewrite (seqlock.hpp).
#include <cstdint>
#include <optional>

#include "core/controller_config.hpp"
#include "core/controller_core.hpp"
#include "core/controller_event.hpp"
#include "core/exit_status.hpp"
#include "core/segment_layout.hpp"

namespace tether {

struct ControllerReport {
  std::optional<ExitStatus> last_exit;  // the last worker exit the controller saw
  std::uint64_t last_exit_ns = 0;       // when, CLOCK_MONOTONIC
  std::uint64_t restart_at_ns = 0;      // when the pending restart is due; 0: none pending
  std::uint64_t consecutive_failures = 0;
  std::uint64_t starts_left = 0;        // launches the start limit allows now
  std::uint64_t worker_started_ns = 0;  // when the current worker was launched or adopted; 0: none
  std::uint64_t stop_deadline_ns = 0;   // the latest a stop under way can end; 0: no stop
  friend bool operator==(const ControllerReport&, const ControllerReport&) = default;
};

// ExitStatus in one word, 0 for none: the kind (plus one) above the value's 32 bits.
std::uint64_t pack_exit_status(std::optional<ExitStatus> status);
std::optional<ExitStatus> unpack_exit_status(std::uint64_t word);

void publish_controller_report(ControllerReportArea& area, const ControllerReport& report);
// A consistent copy, or nullopt when no controller reported or a rewrite kept overlapping the read.
std::optional<ControllerReport> read_controller_report(const ControllerReportArea& area);

// What the core's state says, as the report (the last exit is the caller's: the core does not keep it).
ControllerReport report_from_state(const ControllerState& state, const ControllerConfig& config, std::uint64_t now_ns);

// The driver's side: keeps the last exit from the core's events and publishes the report when it
// changed, so that the sequence moves only on news.
class ControllerReporter {
 public:
  ControllerReporter(ControllerReportArea& area, const ControllerConfig& config) : area_(area), config_(config) {}
  void on_event(const ControllerEvent& event, std::uint64_t now_ns);
  void after_steps(const ControllerCore& core, std::uint64_t now_ns);

 private:
  ControllerReportArea& area_;
  ControllerConfig config_;
  std::optional<ExitStatus> last_exit_;
  std::uint64_t last_exit_ns_ = 0;
  std::optional<ControllerReport> published_;
};

}  // namespace tether
