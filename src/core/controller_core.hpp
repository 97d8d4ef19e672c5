#pragma once
// The controller protocol as a deterministic state machine (sans-IO). Inputs: handle_* for what the
// driver observed, step(now_ns) to make progress. Outputs: calls on the ports, queued events, the next
// deadline, and finally an exit code. Each step performs at most one segment operation, so the
// simulator can interleave it with a listener at every segment operation and crash it between any two.
#include <array>
#include <cstdint>
#include <optional>

#include "core/checked_segment.hpp"
#include "core/controller_config.hpp"
#include "core/controller_event.hpp"
#include "core/controller_phases.hpp"
#include "core/controller_state.hpp"
#include "core/crash_points.hpp"
#include "core/exit_status.hpp"
#include "core/ports.hpp"
#include "core/restart_policy.hpp"

namespace tether {

enum class StepOutcome : std::uint8_t {
  progressed,  // call step again
  waiting,     // nothing to do until an event arrives or deadline_ns() passes
  finished,    // exit_code() is final; remove_segment() says whether to remove the segment
};

class ControllerCore {
 public:
  // Bounds the event queue: a driver drains it after every step, and one step emits at most two.
  static constexpr std::size_t event_queue_max = 16;

  ControllerCore(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes, ProcessIdentity self);
  // Resumes from a copy of another core's state (the model checker forks worlds this way).
  ControllerCore(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes,
                 const ControllerState& state);

  // Inputs from the driver. None of them touches a port; the work happens in later steps.
  void handle_listener_exit(ProcessIdentity process, ExitStatus status);
  void handle_shutdown_signal();  // SIGINT or SIGTERM to the controller
  void handle_shutdown_notice();  // someone posted in the segment and asks us to look (SIGUSR1)
  // The worker said READY=1, STOPPING=1, WATCHDOG=1 or EXTEND_TIMEOUT_USEC (controller_notice.cpp).
  // Only state and deadlines change here; a stop or watchdog signal it leads to happens in a later step.
  void handle_worker_notice(const WorkerNotice& notice);

  StepOutcome step(std::uint64_t now_ns);
  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const;

  [[nodiscard]] bool finished() const { return state_.phase == Phase::finished; }
  [[nodiscard]] ControllerPhase phase() const { return state_.phase; }
  // Everything that changes while the core runs, as a value: copyable, comparable, hashable.
  [[nodiscard]] const ControllerState& state() const { return state_; }
  [[nodiscard]] int exit_code() const;
  [[nodiscard]] bool remove_segment() const;
  [[nodiscard]] bool shutdown_requested() const { return state_.shutdown_requested; }
  [[nodiscard]] ProcessIdentity listener() const { return state_.listener; }
  // The named crash point the last step passed (CrashPoint::none for most steps).
  [[nodiscard]] CrashPoint passed_point() const { return state_.passed_point; }

  // Events emitted since the last call, oldest first.
  bool pop_event(ControllerEvent& event);

 private:
  using Phase = ControllerPhase;
  using StepFunction = void (ControllerCore::*)(std::uint64_t now_ns);
  struct PhaseStep {
    Phase phase;
    StepFunction step;
  };

  // Every phase change goes through here and is checked against the declared transitions.
  void enter(Phase next);
  [[nodiscard]] bool inputs_pending() const;
  [[nodiscard]] std::optional<std::uint64_t> supervision_deadline_ns() const;

  void emit(ControllerEvent event);
  void adopt(ProcessIdentity process, std::uint64_t now_ns, bool registered);
  void expect_listener(std::uint64_t now_ns, bool registered);
  void begin_stopping(std::uint64_t now_ns);
  void finish(int exit_code, bool remove_segment);
  void signal_stop(std::uint64_t now_ns, ControllerEvent::Kind reason);

  // Start-up (controller_startup.cpp).
  void step_read_magic(std::uint64_t now_ns);
  void step_initialise(std::uint64_t now_ns);
  void step_read_incarnation(std::uint64_t now_ns);
  void step_claim(std::uint64_t now_ns);
  void step_read_shutdown(std::uint64_t now_ns);
  void step_read_listener(std::uint64_t now_ns);
  void step_clear_stale_listener(std::uint64_t now_ns);
  void step_read_launched(std::uint64_t now_ns);
  // Launch (controller_launch.cpp).
  void step_bump_generation(std::uint64_t now_ns);
  void step_recheck_listener(std::uint64_t now_ns);
  void step_check_shutdown_and_spawn(std::uint64_t now_ns);
  void step_record_launched(std::uint64_t now_ns);
  void step_release_launched(std::uint64_t now_ns);
  void step_count_restart(std::uint64_t now_ns);
  // Supervision (controller_supervise.cpp).
  void step_running(std::uint64_t now_ns);
  void step_check_ready(std::uint64_t now_ns);
  void step_read_heartbeat(std::uint64_t now_ns);
  void step_read_exit_state(std::uint64_t now_ns);
  void step_clear_dead_listener(std::uint64_t now_ns);
  void step_decide_after_exit(std::uint64_t now_ns);
  void step_waiting_restart(std::uint64_t now_ns);
  bool take_pending_input();
  void judge_stop_progress(std::uint64_t heartbeat_ns, std::uint64_t now_ns);
  void judge_watchdog(std::uint64_t heartbeat_ns, std::uint64_t now_ns);
  void extend_stop(std::uint64_t until_ns);
  void report_stop_extension(std::uint64_t now_ns);
  [[nodiscard]] std::uint64_t stop_extension_cap_ns() const;
  // Stop (controller_stop.cpp).
  void step_post_shutdown(std::uint64_t now_ns);
  void step_read_shutdown_notice(std::uint64_t now_ns);
  void step_read_registration_for_stop(std::uint64_t now_ns);
  void step_finished(std::uint64_t now_ns);

  ControllerConfig config_;
  CheckedSegment segment_;  // every operation checked against the phase's declaration
  ProcessPort& processes_;
  ControllerState state_;

  // One step function per phase, in ControllerPhase order (checked at compile time in the
  // constructor); what each phase may do and wait for is declared in controller_phases.cpp.
  static constexpr std::array<PhaseStep, controller_phase_count> phase_steps_ = {{
      {Phase::read_magic, &ControllerCore::step_read_magic},
      {Phase::initialise, &ControllerCore::step_initialise},
      {Phase::read_incarnation, &ControllerCore::step_read_incarnation},
      {Phase::claim, &ControllerCore::step_claim},
      {Phase::read_shutdown, &ControllerCore::step_read_shutdown},
      {Phase::read_listener, &ControllerCore::step_read_listener},
      {Phase::clear_stale_listener, &ControllerCore::step_clear_stale_listener},
      {Phase::read_launched, &ControllerCore::step_read_launched},
      {Phase::bump_generation, &ControllerCore::step_bump_generation},
      {Phase::recheck_listener, &ControllerCore::step_recheck_listener},
      {Phase::check_shutdown_and_spawn, &ControllerCore::step_check_shutdown_and_spawn},
      {Phase::record_launched, &ControllerCore::step_record_launched},
      {Phase::release_launched, &ControllerCore::step_release_launched},
      {Phase::count_restart, &ControllerCore::step_count_restart},
      {Phase::running, &ControllerCore::step_running},
      {Phase::check_ready, &ControllerCore::step_check_ready},
      {Phase::read_heartbeat, &ControllerCore::step_read_heartbeat},
      {Phase::read_exit_state, &ControllerCore::step_read_exit_state},
      {Phase::clear_dead_listener, &ControllerCore::step_clear_dead_listener},
      {Phase::decide_after_exit, &ControllerCore::step_decide_after_exit},
      {Phase::waiting_restart, &ControllerCore::step_waiting_restart},
      {Phase::post_shutdown, &ControllerCore::step_post_shutdown},
      {Phase::read_shutdown_notice, &ControllerCore::step_read_shutdown_notice},
      {Phase::read_registration_for_stop, &ControllerCore::step_read_registration_for_stop},
      {Phase::finished, &ControllerCore::step_finished},
  }};
  static constexpr bool steps_in_phase_order() {
    for (std::size_t index = 0; index < phase_steps_.size(); ++index) {
      if (static_cast<std::size_t>(phase_steps_[index].phase) != index) return false;
    }
    return true;
  }
};

}  // namespace tether
