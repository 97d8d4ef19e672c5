#include "core/controller_core.hpp"

#include <algorithm>
#include <utility>

#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "core/assert.hpp"

namespace tether {

std::string_view controller_event_name(ControllerEvent::Kind kind) {
  switch (kind) {
    case ControllerEvent::Kind::segment_initialised: return "segment_initialised";
    case ControllerEvent::Kind::stale_listener_cleared: return "stale_listener_cleared";
    case ControllerEvent::Kind::launched: return "launched";
    case ControllerEvent::Kind::launch_failed: return "launch_failed";
    case ControllerEvent::Kind::adopted: return "adopted";
    case ControllerEvent::Kind::exited: return "exited";
    case ControllerEvent::Kind::restarting: return "restarting";
    case ControllerEvent::Kind::shutdown_requested: return "shutdown_requested";
    case ControllerEvent::Kind::escalated_sigterm: return "escalated_sigterm";
    case ControllerEvent::Kind::escalated_sigkill: return "escalated_sigkill";
    case ControllerEvent::Kind::stop_extended: return "stop_extended";
    case ControllerEvent::Kind::watchdog_fired: return "watchdog_fired";
    case ControllerEvent::Kind::registered: return "registered";
    case ControllerEvent::Kind::unregistered: return "unregistered";
    case ControllerEvent::Kind::stop_signalled: return "stop_signalled";
    case ControllerEvent::Kind::worker_ready: return "worker_ready";
    case ControllerEvent::Kind::worker_stopping: return "worker_stopping";
    case ControllerEvent::Kind::gave_up: return "gave_up";
    case ControllerEvent::Kind::finished: return "finished";
  }
  return "unknown";
}

ControllerCore::ControllerCore(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes,
                               ProcessIdentity self)
    : ControllerCore(
          config, segment, processes,
          ControllerState(self, StartLimiter(config.start_limit, ms_to_ns(config.start_limit_interval_ms)))) {}

ControllerCore::ControllerCore(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes,
                               const ControllerState& state)
    : config_(config), segment_(segment), processes_(processes), state_(state) {
  static_assert(steps_in_phase_order(), "phase_steps_ must list the phases in ControllerPhase order");
  TETHER_ASSERT(!config.problem().has_value());
  TETHER_ASSERT(state.self.valid());
}

void ControllerCore::handle_listener_exit(ProcessIdentity process, ExitStatus status) {
  // Exits of processes we no longer watch (an earlier listener's late report) carry no news.
  if (!state_.listener.valid() || process != state_.listener) return;
  state_.exit_pending = status;
  state_.exited_process = process;
}

void ControllerCore::handle_shutdown_signal() { state_.shutdown_signal_pending = true; }

void ControllerCore::handle_shutdown_notice() { state_.shutdown_notice_pending = true; }

bool ControllerCore::pop_event(ControllerEvent& event) {
  if (state_.events.empty()) return false;
  event = state_.events.front();
  state_.events.pop_front();
  return true;
}

void ControllerCore::emit(ControllerEvent event) {
  TETHER_ASSERT(state_.events.size() < event_queue_max);
  state_.events.push_back(event);
}

int ControllerCore::exit_code() const {
  TETHER_ASSERT(finished());
  return state_.exit_code;
}

bool ControllerCore::remove_segment() const {
  TETHER_ASSERT(finished());
  return state_.remove_segment;
}

std::optional<std::uint64_t> ControllerCore::deadline_ns() const {
  switch (controller_phase_spec(state_.phase).wait) {
    case PhaseWait::none: return std::nullopt;
    case PhaseWait::restart_delay: return state_.restart_deadline_ns;
    case PhaseWait::supervision: return supervision_deadline_ns();
  }
  return std::nullopt;
}

// While a request stands, the stop deadlines govern; before, the ready and watchdog ones.
std::optional<std::uint64_t> ControllerCore::supervision_deadline_ns() const {
  if (!state_.shutdown_requested) {
    if (!state_.listener.valid()) return std::nullopt;
    const auto& ready = state_.ready_deadline_ns;
    const auto& watchdog = state_.watchdog_deadline_ns;
    if (ready.has_value() && watchdog.has_value()) return std::min(*ready, *watchdog);
    return ready.has_value() ? ready : watchdog;
  }
  if (!state_.sigterm_sent) return state_.stop_deadline_ns;
  if (!state_.sigkill_sent) return state_.kill_deadline_ns;
  return std::nullopt;
}

bool ControllerCore::inputs_pending() const {
  return state_.shutdown_signal_pending || state_.shutdown_notice_pending || state_.exit_pending.has_value();
}

StepOutcome ControllerCore::step(std::uint64_t now_ns) {
  state_.passed_point = CrashPoint::none;
  const ControllerPhaseSpec& declared = controller_phase_spec(state_.phase);
  segment_.begin_step(declared.op, declared.field);
  const PhaseStep& entry = phase_steps_[static_cast<std::size_t>(state_.phase)];
  TETHER_ASSERT(entry.phase == state_.phase);
  (this->*entry.step)(now_ns);
  if (finished()) return StepOutcome::finished;
  if (controller_phase_spec(state_.phase).wait != PhaseWait::none && !inputs_pending()) {
    const auto deadline = deadline_ns();
    if (!deadline.has_value() || *deadline > now_ns) return StepOutcome::waiting;
  }
  return StepOutcome::progressed;
}

void ControllerCore::enter(Phase next) {
  TETHER_ASSERT(controller_transition_declared(state_.phase, next));
  state_.phase = next;
}

void ControllerCore::adopt(ProcessIdentity process, std::uint64_t now_ns, bool registered) {
  TETHER_ASSERT(process.valid());
  state_.listener = process;
  state_.listener_started_ns = now_ns;
  state_.launched_before = true;  // the next launch replaces a listener, so it counts as a restart
  emit({ControllerEvent::Kind::adopted, process});
  expect_listener(now_ns, registered);
  if (state_.shutdown_requested) {
    begin_stopping(now_ns);
  } else {
    enter(Phase::running);
  }
}

// The request is in the segment before this runs (posted by us, found there, or by the tool), so a
// process that registers from now on sees it before its first unit. A registered listener gets the stop
// timeout to finish its unit; any other process is asked whether it registered meanwhile, and if not,
// gets the stop signal at once.
void ControllerCore::begin_stopping(std::uint64_t now_ns) {
  TETHER_ASSERT(state_.shutdown_requested);
  if (!state_.listener.valid()) {
    finish(exit_code::ok, true);
    return;
  }
  state_.stop_requested_ns = now_ns;
  state_.watchdog_deadline_ns.reset();  // from now on the stop deadlines govern
  if (state_.listener_registered) {
    state_.stop_deadline_ns = now_ns + ms_to_ns(config_.stop_timeout_ms);
    enter(Phase::running);
  } else {
    enter(Phase::read_registration_for_stop);
  }
}

// A registered listener is watched by its heartbeat; any other is given the ready timeout to register.
// With the watchdog on, the watchdog period also paces early looks at the registration, so that a
// listener that hangs right after registering is caught within about one period, not at the ready timeout.
void ControllerCore::expect_listener(std::uint64_t now_ns, bool registered) {
  state_.listener_registered = registered;
  state_.worker_notices = {};  // what the previous worker said does not carry over
  state_.watchdog_deadline_ns.reset();
  state_.ready_deadline_ns.reset();
  if (!registered) state_.ready_deadline_ns = now_ns + ms_to_ns(config_.ready_timeout_ms);
  if (config_.watchdog_ms != 0) state_.watchdog_deadline_ns = now_ns + ms_to_ns(config_.watchdog_ms);
}

// SIGTERM (the stop signal for a plain worker) once; SIGKILL follows at the kill timeout.
void ControllerCore::signal_stop(std::uint64_t now_ns, ControllerEvent::Kind reason) {
  TETHER_ASSERT(state_.listener.valid());
  TETHER_ASSERT(!state_.sigterm_sent);
  state_.ready_deadline_ns.reset();
  state_.sigterm_sent = true;
  processes_.signal(state_.listener, Signal::terminate);
  emit({reason, state_.listener});
  state_.kill_deadline_ns = now_ns + ms_to_ns(config_.kill_timeout_ms);
}

void ControllerCore::finish(int exit_code, bool remove_segment) {
  state_.exit_code = exit_code;
  state_.remove_segment = remove_segment;
  emit({ControllerEvent::Kind::finished, state_.listener, {}, static_cast<std::uint64_t>(exit_code)});
  enter(Phase::finished);
}

void ControllerCore::step_finished(std::uint64_t /*now_ns*/) {}

}  // namespace tether
