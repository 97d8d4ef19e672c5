// The supervision sub-machine: wait for an exit, a signal, a notice or a deadline; judge readiness and
// heartbeats; after an exit, clear the registration and decide between finishing, giving up and a
// restart after the backoff.
#include <algorithm>

#include "core/controller_core.hpp"
#include "core/exit_codes.hpp"
#include "core/mutants.hpp"
#include "core/units.hpp"
#include "core/assert.hpp"

namespace tether {

namespace {

// A hostile or broken writer may store any heartbeat: saturate instead of wrapping around.
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

}  // namespace

// A signal or a notice moves a waiting phase into the stop sub-machine. True when it did.
bool ControllerCore::take_pending_input() {
  if (state_.shutdown_signal_pending) {
    state_.shutdown_signal_pending = false;
    if (!state_.shutdown_requested) {
      enter(Phase::post_shutdown);
      return true;
    }
  }
  if (state_.shutdown_notice_pending) {
    state_.shutdown_notice_pending = false;
    if (!state_.shutdown_requested) {
      enter(Phase::read_shutdown_notice);
      return true;
    }
  }
  return false;
}

void ControllerCore::step_running(std::uint64_t now_ns) {
  if (take_pending_input()) return;
  if (state_.exit_pending.has_value()) {
    enter(state_.exit_pending->kind == ExitStatus::Kind::unknown ? Phase::read_exit_state : Phase::clear_dead_listener);
    return;
  }
  if (!state_.listener.valid()) return;
  if (state_.worker_notices.extension_unreported) report_stop_extension(now_ns);
  const auto passed = [now_ns](const std::optional<std::uint64_t>& deadline) {
    return deadline.has_value() && now_ns >= *deadline;
  };
  if (!state_.shutdown_requested) {
    if (passed(state_.ready_deadline_ns)) {
      enter(Phase::check_ready);
    } else if (passed(state_.watchdog_deadline_ns)) {
      if (state_.worker_notices.heartbeat_ns.has_value()) {
        judge_watchdog(*state_.worker_notices.heartbeat_ns, now_ns);  // WATCHDOG=1: no segment to read
      } else {
        enter(state_.listener_registered ? Phase::read_heartbeat : Phase::check_ready);
      }
    }
    return;
  }
  if (!state_.sigterm_sent && passed(state_.stop_deadline_ns)) {
    // Only a registered listener has a stop deadline: its progress may earn more time.
    TETHER_ASSERT(state_.listener_registered);
    enter(Phase::read_heartbeat);
  } else if (state_.sigterm_sent && !state_.sigkill_sent && passed(state_.kill_deadline_ns)) {
    state_.sigkill_sent = true;
    processes_.signal(state_.listener, Signal::kill);
    emit({ControllerEvent::Kind::escalated_sigkill, state_.listener});
    enter(Phase::running);
  }
}

void ControllerCore::step_waiting_restart(std::uint64_t now_ns) {
  if (take_pending_input()) return;
  TETHER_ASSERT(!state_.exit_pending.has_value());
  TETHER_ASSERT(state_.restart_deadline_ns.has_value());
  if (now_ns >= *state_.restart_deadline_ns) {
    state_.restart_deadline_ns.reset();
    enter(Phase::bump_generation);
  }
}

void ControllerCore::step_check_ready(std::uint64_t now_ns) {
  const bool registered = segment_.load(Field::listener_identity) == state_.listener.pack();
  const bool ready_timeout_passed = state_.ready_deadline_ns.has_value() && now_ns >= *state_.ready_deadline_ns;
  if (registered) {
    state_.listener_registered = true;
    state_.ready_deadline_ns.reset();
    emit({ControllerEvent::Kind::registered, state_.listener});
    // Judge its heartbeat at once: it may have hung right after registering.
    enter(config_.watchdog_ms != 0 ? Phase::read_heartbeat : Phase::running);
    return;
  }
  if (ready_timeout_passed) {
    emit({ControllerEvent::Kind::unregistered, state_.listener});
    state_.ready_deadline_ns.reset();  // a plain worker is not asked again
    // and heartbeats only through WATCHDOG=1, whose deadline handle_worker_notice keeps
    if (!state_.worker_notices.heartbeat_ns.has_value()) state_.watchdog_deadline_ns.reset();
  } else if (state_.worker_notices.heartbeat_ns.has_value() || state_.worker_notices.ready) {
    // A worker that speaks the notify protocol: its own heartbeats (or none) govern, not our looks.
    if (!state_.worker_notices.heartbeat_ns.has_value()) state_.watchdog_deadline_ns.reset();
  } else {
    state_.watchdog_deadline_ns = now_ns + ms_to_ns(config_.watchdog_ms);  // still starting: look again
  }
  enter(Phase::running);
}

void ControllerCore::step_read_heartbeat(std::uint64_t now_ns) {
  TETHER_ASSERT(state_.listener.valid());
  if (state_.exit_pending.has_value()) {
    enter(Phase::running);  // it is gone already: neither a signal nor an extension makes sense
    return;
  }
  const std::uint64_t heartbeat_ns = segment_.load(Field::heartbeat_ns);
  enter(Phase::running);
  if (state_.shutdown_requested) {
    judge_stop_progress(heartbeat_ns, now_ns);
  } else {
    judge_watchdog(heartbeat_ns, now_ns);
  }
}

// Like systemd's EXTEND_TIMEOUT_USEC: a heartbeat after the request shows the unit is progressing.
void ControllerCore::judge_stop_progress(std::uint64_t heartbeat_ns, std::uint64_t now_ns) {
  TETHER_ASSERT(!state_.sigterm_sent);
  const std::uint64_t stop_timeout_ns = ms_to_ns(config_.stop_timeout_ms);
  if (heartbeat_ns > state_.stop_requested_ns) {
    const std::uint64_t extended_ns = std::min(saturating_add(heartbeat_ns, stop_timeout_ns), stop_extension_cap_ns());
    if (extended_ns > now_ns) {
      state_.stop_deadline_ns = extended_ns;
      emit({ControllerEvent::Kind::stop_extended, state_.listener, {}, ns_to_ms(extended_ns - now_ns)});
      return;
    }
  }
  signal_stop(now_ns, ControllerEvent::Kind::escalated_sigterm);
}

// EXTEND_TIMEOUT_USEC moved the governing stop deadline (handle_worker_notice): one line per move.
void ControllerCore::report_stop_extension(std::uint64_t now_ns) {
  state_.worker_notices.extension_unreported = false;
  const std::optional<std::uint64_t>& deadline =
      state_.sigterm_sent ? state_.kill_deadline_ns : state_.stop_deadline_ns;
  if (!deadline.has_value()) return;
  emit({ControllerEvent::Kind::stop_extended, state_.listener, {}, ns_to_ms(*deadline - std::min(*deadline, now_ns))});
}

void ControllerCore::judge_watchdog(std::uint64_t heartbeat_ns, std::uint64_t now_ns) {
  const std::uint64_t watchdog_ns = ms_to_ns(config_.watchdog_ms);
  if (saturating_add(heartbeat_ns, watchdog_ns) > now_ns) {
    state_.watchdog_deadline_ns = saturating_add(heartbeat_ns, watchdog_ns);
    return;
  }
  // Hung or stopped (SIGSTOP): only SIGKILL is sure to end it; its exit then takes the restart path.
  const std::uint64_t age_ms = ns_to_ms(now_ns - std::min(heartbeat_ns, now_ns));
  emit({ControllerEvent::Kind::watchdog_fired, state_.listener, {}, age_ms});
  processes_.signal(state_.listener, Signal::kill);
  state_.watchdog_deadline_ns.reset();
}

void ControllerCore::step_read_exit_state(std::uint64_t /*now_ns*/) {
  // Only our own children can be waited for; an adopted listener proves a graceful exit by leaving
  // its own identity in departed_identity (a state word could be an earlier listener's goodbye).
  TETHER_ASSERT(state_.exit_pending.has_value());
  const std::uint64_t departed = segment_.load(Field::departed_identity);
  if (departed == state_.exited_process.pack()) *state_.exit_pending = ExitStatus::code(0);
  enter(Phase::clear_dead_listener);
}

void ControllerCore::step_clear_dead_listener(std::uint64_t /*now_ns*/) {
  TETHER_ASSERT(state_.exit_pending.has_value());
  std::uint64_t expected = state_.exited_process.pack();
  segment_.compare_exchange(Field::listener_identity, expected, 0);
  emit({ControllerEvent::Kind::exited, state_.exited_process, *state_.exit_pending});
  state_.listener = {};
  enter(Phase::decide_after_exit);
}

void ControllerCore::step_decide_after_exit(std::uint64_t now_ns) {
  TETHER_ASSERT(state_.exit_pending.has_value());
  const ExitStatus status = *state_.exit_pending;
  state_.exit_pending.reset();
  state_.exited_process = {};
  if (!mutant_active(CoreMutant::restart_after_shutdown) &&
      (segment_.load(Field::shutdown_request) != 0 || state_.shutdown_requested || state_.shutdown_signal_pending)) {
    // Posted by `tether shutdown` (or by us): the listener obeyed it; never relaunch.
    state_.shutdown_requested = true;
    finish(exit_code::ok, true);
    return;
  }
  const bool restart =
      config_.restart == RestartMode::always || (config_.restart == RestartMode::on_failure && !status.clean());
  if (!restart) {
    finish(status.clean() ? exit_code::ok : exit_code::failure, true);
    return;
  }
  // A run of at least healthy_run_ms was healthy (runit and s6 count one second): back off from the
  // first delay again, and count starts towards the limit afresh.
  if (now_ns - state_.listener_started_ns >= ms_to_ns(config_.healthy_run_ms)) {
    state_.consecutive_failures = 0;
    state_.start_limiter.forget_starts();
  }
  if (state_.consecutive_failures < UINT32_MAX) ++state_.consecutive_failures;
  if (!state_.start_limiter.allows_start(now_ns)) {
    emit({ControllerEvent::Kind::gave_up, {}, status, config_.start_limit});
    finish(exit_code::unavailable, true);
    return;
  }
  const std::uint64_t delay_ms =
      restart_delay_ms(config_.restart_delay_ms, config_.restart_delay_ms_max, state_.consecutive_failures);
  emit({ControllerEvent::Kind::restarting, {}, status, delay_ms});
  state_.restart_deadline_ns = now_ns + ms_to_ns(delay_ms);
  enter(Phase::waiting_restart);
}

}  // namespace tether
