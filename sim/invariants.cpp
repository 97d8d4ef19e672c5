// The protocol's invariants. Safety is checked after every step (and at the events that concern it:
// spawn, watch, signal, exit; see world.cpp); liveness at two checkpoints of the quiet phase, with
// bounds derived from the seed's own timeouts, so that a slow but correct run is never flagged.
#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "world.hpp"

namespace tether::sim {

std::string_view situation_name(Situation situation) {
  switch (situation) {
    case Situation::pid_reused_by_stranger: return "pid_reused_by_stranger";
    case Situation::shutdown_during_unit: return "shutdown_during_unit";
    case Situation::adoption: return "adoption";
    case Situation::crash_during_init: return "crash_during_init";
    case Situation::crash_between_spawn_and_registration: return "crash_between_spawn_and_registration";
    case Situation::crash_loop_give_up: return "crash_loop_give_up";
    case Situation::stale_segment: return "stale_segment";
    case Situation::half_initialised_segment: return "half_initialised_segment";
    case Situation::stale_registration_cleared: return "stale_registration_cleared";
    case Situation::second_controller_refused: return "second_controller_refused";
    case Situation::sigterm_ignored: return "sigterm_ignored";
    case Situation::sigkill_escalation: return "sigkill_escalation";
    case Situation::listener_hang: return "listener_hang";
    case Situation::listener_self_exit: return "listener_self_exit";
    case Situation::shutdown_by_signal: return "shutdown_by_signal";
    case Situation::shutdown_by_tool: return "shutdown_by_tool";
    case Situation::spawn_failure: return "spawn_failure";
    case Situation::controller_killed: return "controller_killed";
    case Situation::listener_killed: return "listener_killed";
    case Situation::plain_worker_detected: return "plain_worker_detected";
    case Situation::plain_worker_adopted: return "plain_worker_adopted";
    case Situation::plain_worker_stopped_by_signal: return "plain_worker_stopped_by_signal";
    case Situation::plain_worker_sigkill_escalation: return "plain_worker_sigkill_escalation";
    case Situation::plain_worker_self_exit: return "plain_worker_self_exit";
    case Situation::launch_abandoned: return "launch_abandoned";
    case Situation::count_: break;
  }
  return "invalid";
}

void World::violate(std::string_view invariant_name, std::string detail) {
  if (violation_.has_value()) return;  // the first violation is the one to explain
  violation_ = Violation{std::string(invariant_name), step_, now_ns_, std::move(detail)};
  note(0, TraceOp::check, 0, 0, [&] { return fmt::format("VIOLATION {}: {}", invariant_name, violation_->detail); });
}

bool World::shutdown_visible() const {
  if (config_.protocol == Protocol::seed)
    return segment_.words[static_cast<std::size_t>(seed_slot_field)] == seed_shutdown_word;
  return segment_.words[static_cast<std::size_t>(Field::shutdown_request)] != 0;
}

bool World::shutdown_in_force() const {
  if (segment_.exists && segment_.shutdown_posted) return true;
  for (const auto& candidate : processes_) {
    if (candidate->alive && candidate->kind == ProcessKind::controller && candidate->got_shutdown_signal) return true;
  }
  return false;
}

void World::check_safety() {
  if (!segment_.exists) return;
  // shutdown_lost: once visible in this incarnation of the segment, a request stays visible.
  const bool visible = shutdown_visible();
  if (visible && !segment_.shutdown_posted) {
    segment_.shutdown_posted = true;
    for (const Serial serial : live_listeners_) {
      if (process(serial).in_unit) cover(Situation::shutdown_during_unit);
    }
  } else if (!visible && segment_.shutdown_posted) {
    violate(invariant::shutdown_lost, "a posted shutdown request is no longer visible in the segment");
    return;
  }
  // duplicate_listener: at most one live worker per name past registration, or launched as a plain
  // worker (which never registers: it is the worker from its spawn on).
  Serial first = 0;
  for (const Serial serial : live_listeners_) {
    if (!counts_as_worker(process(serial))) continue;
    if (first != 0) {
      violate(invariant::duplicate_listener, fmt::format("{} and {} are both alive as the worker of the name",
                                                         process(first).label, process(serial).label));
      return;
    }
    first = serial;
  }
}

// A plain worker counts as the worker from its spawn (it never registers).
void World::check_converged() {
  if (shutdown_in_force()) return;  // judged at the final checkpoint instead
  const SimProcess* controller = newest_alive(ProcessKind::controller);
  if (controller == nullptr) return;  // it finished (gave up, or the restart policy said so): visible
  for (const Serial serial : live_listeners_) {
    if (counts_as_worker(process(serial))) return;
  }
  // Only an exit (or a controller start) older than the restart bound is overdue: never cry wolf.
  std::uint64_t since_ns = std::max(last_listener_exit_ns_, last_controller_start_ns_);
  since_ns = std::max(since_ns, fault_phase_end_ns_);
  if (now_ns_ - since_ns < restart_bound_ns_) return;
  violate(invariant::restart_missing,
          fmt::format("{} is running but no listener has registered for {} ms (bound {} ms)", controller->label,
                      ns_to_ms(now_ns_ - since_ns), ns_to_ms(restart_bound_ns_)));
}

// restart_missing, the other half: a controller must not end its run by itself while its policy says
// the listener's exit called for a restart (giving up after the start limit is the visible exception).
void World::check_controller_exit(const SimProcess& controller, int exit_code) {
  if (shutdown_in_force() || exit_code == exit_code::unavailable || exit_code == exit_code::cant_create) return;
  const RestartMode mode = swarm_.controller.restart;
  const bool crashed = controller.last_listener_status.has_value() && !controller.last_listener_status->clean();
  if (mode == RestartMode::always || (mode == RestartMode::on_failure && crashed)) {
    violate(invariant::restart_missing,
            fmt::format("{} exits with {} under --restart {} although no shutdown was requested{}", controller.label,
                        exit_code, restart_mode_name(mode), crashed ? " and its listener crashed" : ""));
  }
}

void World::request_final_shutdown() {
  liveness_checked_ = true;
  if (shutdown_in_force()) return;
  bool signalled = false;
  for (const auto& candidate : processes_) {
    if (candidate->alive && candidate->kind == ProcessKind::controller && candidate->started && !candidate->finished) {
      note(candidate->serial, TraceOp::signal, 15, 0, [] { return std::string("receives SIGTERM (final shutdown)"); });
      deliver_shutdown_signal(*candidate);
      signalled = true;
    }
  }
  // Listeners without a controller are stopped the other way, through the segment.
  if (!signalled && !live_listeners_.empty()) start_tool();
}

void World::check_final() {
  std::string alive;
  for (const auto& candidate : processes_) {
    if (!candidate->alive) continue;
    if (candidate->kind != ProcessKind::listener && candidate->kind != ProcessKind::controller) continue;
    alive += alive.empty() ? candidate->label : ", " + candidate->label;
  }
  if (alive.empty()) return;
  violate(invariant::shutdown_stuck, fmt::format("after the shutdown request, still alive: {}", alive));
}

}  // namespace tether::sim
