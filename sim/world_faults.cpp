// Applying the seed's fault schedule to the world. A fault whose target does not exist (no listener to
// kill) is recorded and skipped: the schedule was drawn before anyone knew.
#include <algorithm>

#include "world.hpp"
#include "core/units.hpp"

namespace tether::sim {

SimProcess* World::newest_alive(ProcessKind kind, bool registered_only) {
  for (auto it = table_.all().rbegin(); it != table_.all().rend(); ++it) {
    SimProcess& candidate = **it;
    if (!candidate.alive || candidate.kind != kind) continue;
    if (registered_only && !candidate.registered) continue;
    if (kind == ProcessKind::controller && candidate.finished) continue;
    return &candidate;
  }
  return nullptr;
}

void World::kill_controller(SimProcess& controller, std::uint32_t value, std::string_view why) {
  if (config_.protocol == Protocol::tether && controller.started && segments_.named().exists &&
      segments_.named().words[static_cast<std::size_t>(Field::magic)] == 0) {
    cover(Situation::crash_during_init);
  }
  for (const Serial serial : table_.live_workers()) {
    if (!process(serial).ever_registered && !process(serial).plain) {
      cover(Situation::crash_between_spawn_and_registration);
    }
  }
  cover(Situation::controller_killed);
  kill(controller, why);
  // Half the time someone (an operator, systemd) starts a new controller soon after: adoption.
  if (value % 2 != 0) return;
  const std::uint64_t delay_ms = value % 4 == 0 ? 0 : (value % 30) * 10;
  const std::uint64_t at_ns = now_ns_ + delay_ms * ns_per_ms;
  if (at_ns >= plan_.fault_phase_end_ns) return;
  const FaultEvent restart{FaultKind::start_controller, at_ns, 0, 0};
  const auto position =
      std::upper_bound(faults_.schedule.begin() + static_cast<std::ptrdiff_t>(faults_.next), faults_.schedule.end(),
                       restart, [](const FaultEvent& a, const FaultEvent& b) { return a.at_ns < b.at_ns; });
  faults_.schedule.insert(position, restart);
}

void World::apply_fault(const FaultEvent& fault) {
  SimProcess* target = nullptr;
  bool needs_target = true;
  switch (fault.kind) {
    case FaultKind::kill_listener:
    case FaultKind::listener_exit: target = newest_alive(ProcessKind::listener); break;
    case FaultKind::listener_hang: target = newest_alive(ProcessKind::listener, true); break;
    case FaultKind::kill_controller:
    case FaultKind::shutdown_signal: target = newest_alive(ProcessKind::controller); break;
    case FaultKind::start_controller: needs_target = false; break;
    default: needs_target = false; break;
  }
  const bool idle =
      (needs_target && target == nullptr) || (fault.kind == FaultKind::start_controller && system_finished_);
  note(
      0, TraceOp::fault, static_cast<std::uint8_t>(fault.kind), fault.value,
      [&] { return fmt::format("fault {}{}", fault_kind_name(fault.kind), idle ? ": nothing to do" : ""); }, idle);
  if (idle) return;
  switch (fault.kind) {
    case FaultKind::kill_listener:
      cover(Situation::listener_killed);
      kill(*target, "SIGKILL (fault)");
      break;
    case FaultKind::kill_controller: kill_controller(*target, fault.value, "SIGKILL (fault)"); break;
    case FaultKind::start_controller: start_controller("started on the same name"); break;
    case FaultKind::shutdown_signal:
      cover(Situation::shutdown_by_signal);
      note(target->serial, TraceOp::signal, 15, 0, [] { return std::string("receives SIGTERM (shutdown)"); });
      deliver_shutdown_signal(*target);
      break;
    case FaultKind::shutdown_tool:
      cover(Situation::shutdown_by_tool);
      start_tool();
      break;
    case FaultKind::listener_exit:
      target->exit_pending_code = static_cast<int>(fault.value % 3);
      if (target->plain) target->ready_at_ns = now_ns_;  // a blocked plain worker: it exits now
      break;
    case FaultKind::listener_hang: target->hang_pending = true; break;
    case FaultKind::foreign_spawn:
      if (SimProcess* stranger = create_process(ProcessKind::foreign, 0)) {
        stranger->ready_at_ns = now_ns_ + (10 + std::uint64_t{fault.value}) * ns_per_ms;
        note(stranger->serial, TraceOp::start, 0, 0, [] { return std::string("a stranger starts"); });
      }
      break;
    case FaultKind::count_: break;
  }
  flush_exit_reports();
}

}  // namespace tether::sim
