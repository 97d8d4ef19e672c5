#pragma once
// The controller protocol as a deterministic state machine (sans-IO). Inputs: handle_* for what the
// driver observed, step(now_ns) to make progress. Outputs: calls on the ports, queued events, the next
// deadline, and finally an exit code. Each step performs at most one segment operation, so the
// simulator can interleave it with a listener at every segment operation and crash it between any two.
#include <cstdint>
#include <deque>
#include <optional>

#include "core/controller_config.hpp"
#include "core/controller_event.hpp"
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

  ControllerCore(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes,
                 ProcessIdentity self);

  // Inputs from the driver. None of them touches a port; the work happens in later steps.
  void handle_listener_exit(ProcessIdentity process, ExitStatus status);
  void handle_shutdown_signal();   // SIGINT or SIGTERM to the controller
  void handle_shutdown_notice();   // someone posted in the segment and asks us to look (SIGUSR1)

  StepOutcome step(std::uint64_t now_ns);
  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const;

  [[nodiscard]] bool finished() const { return phase_ == Phase::finished; }
  [[nodiscard]] int exit_code() const;
  [[nodiscard]] bool remove_segment() const;
  [[nodiscard]] bool shutdown_requested() const { return shutdown_requested_; }
  [[nodiscard]] ProcessIdentity listener() const { return listener_; }
  // The named crash point the last step passed (CrashPoint::none for most steps).
  [[nodiscard]] CrashPoint passed_point() const { return passed_point_; }

  // Events emitted since the last call, oldest first.
  bool pop_event(ControllerEvent& event);

 private:
  enum class Phase : std::uint8_t {
    read_magic,
    initialise,           // one header field per step, our identity as the incarnation, magic last
    read_incarnation,     // an existing segment: which one it is, for the launch tickets
    claim,                // record our identity
    read_shutdown,
    read_listener,
    clear_stale_listener,
    read_launched,
    bump_generation,      // start of a launch
    recheck_listener,     // after the bump: a listener that registered meanwhile is adopted instead
    check_shutdown_and_spawn,
    record_launched,
    release_launched,     // recorded: only now may the launched process run its command
    count_restart,
    running,              // waiting for exit, shutdown or the stop deadlines
    post_shutdown,
    read_shutdown_notice,
    read_heartbeat,       // a stop or watchdog deadline passed: has the listener shown progress?
    check_ready,          // the ready timeout passed: did the launched process register?
    read_registration_for_stop,  // registered: ask it to stop; plain worker: send the stop signal
    read_exit_state,      // an adopted process exited: did it say goodbye in the segment?
    clear_dead_listener,
    decide_after_exit,
    waiting_restart,
    finished,
  };

  void emit(ControllerEvent event);
  void adopt(ProcessIdentity process, std::uint64_t now_ns, bool registered);
  void expect_listener(std::uint64_t now_ns, bool registered);
  void begin_stopping(std::uint64_t now_ns);
  void finish(int exit_code, bool remove_segment);
  void step_initialise();
  void step_running(std::uint64_t now_ns);
  void step_decide_after_exit(std::uint64_t now_ns);
  void step_spawn(std::uint64_t now_ns);
  void step_read_heartbeat(std::uint64_t now_ns);

  ControllerConfig config_;
  SegmentPort& segment_;
  ProcessPort& processes_;
  ProcessIdentity self_;
  StartLimiter start_limiter_;

  Phase phase_ = Phase::read_magic;
  std::uint32_t initialise_index_ = 0;
  LaunchTicket ticket_{};  // incarnation once known; generation after each launch's bump
  ProcessIdentity listener_{};        // the process we watch (registered or just launched)
  std::uint64_t listener_started_ns_ = 0;
  bool launched_before_ = false;
  std::uint32_t consecutive_failures_ = 0;

  bool shutdown_requested_ = false;
  bool shutdown_signal_pending_ = false;
  bool shutdown_notice_pending_ = false;
  std::optional<ExitStatus> exit_pending_;
  ProcessIdentity exited_process_{};

  std::optional<std::uint64_t> stop_deadline_ns_;
  std::optional<std::uint64_t> kill_deadline_ns_;
  std::optional<std::uint64_t> restart_deadline_ns_;
  std::optional<std::uint64_t> watchdog_deadline_ns_;
  std::optional<std::uint64_t> ready_deadline_ns_;
  bool listener_registered_ = false;  // known to hold the registration (false: unknown yet, or plain)
  std::uint64_t stop_requested_ns_ = 0;
  CrashPoint passed_point_ = CrashPoint::none;
  bool sigterm_sent_ = false;
  bool sigkill_sent_ = false;

  int exit_code_ = 0;
  bool remove_segment_ = false;
  std::deque<ControllerEvent> events_;
};

}  // namespace tether
