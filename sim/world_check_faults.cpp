// `tether-sim check`'s faults as successors: at every scheduling point of the fault phase, each fault
// the remaining bounds allow (FaultBounds) is one more value of the scheduler's decision, after the
// ready processes (so 0 stays "the last process goes on", and every fault counts as a deviation). The
// faults act on the world exactly as the swarm's do: through the same process table, segment and
// signal paths, and the production cores react through their ports.
#include <algorithm>

#include "core/units.hpp"
#include "world.hpp"

namespace tether::sim {

namespace {
constexpr std::uint64_t stranger_life_ms = 10;  // a short-lived process: its pid is free again soon
constexpr int listener_exit_code = 1;           // a failure: the restart policies differ on it
}  // namespace

// Whether the segment bearing the name records a live worker (registered, or launched and released).
// Removing the name under one loses the only record a later controller could adopt it by: no tool of
// ours does that (`tether clean` refuses, docs/OPERATIONS.md), so the search removes only segments
// that record none. The races of a removed segment (a listener launched for it mapping its successor,
// a tool posting into it) need no more than that.
bool World::live_worker_recorded() const {
  const auto recorded = [&](Field field) {
    return find_alive(ProcessIdentity::unpack(segments_.named().words[static_cast<std::size_t>(field)])) != 0;
  };
  return recorded(Field::listener_identity) || recorded(Field::launched_identity);
}

// `tether clean` holds the controller lock while it looks: it removes a segment only when no live
// controller holds the name and no live worker is recorded in it. Modelled as one atomic action (the
// lock keeps controllers out). A clean that would refuse changes nothing, so it is not offered.
bool World::clean_would_remove() const {
  if (config_.protocol != Protocol::tether || !segments_.name_open()) return false;
  if (lock_holder_ != 0 && process(lock_holder_).alive) return false;
  return !live_worker_recorded();
}

void World::list_check_faults(std::vector<CheckFault>& options, bool anyone_ready) {
  options.clear();
  if (!config_.explore || quiet_ || !faults_.left.any()) return;
  const auto controllers_alive =
      static_cast<std::uint32_t>(std::count_if(table_.all().begin(), table_.all().end(), [](const auto& candidate) {
        return candidate->alive && candidate->kind == ProcessKind::controller && !candidate->finished;
      }));
  const SimProcess* listener = newest_alive(ProcessKind::listener);
  const SimProcess* registered = newest_alive(ProcessKind::listener, true);
  const bool pid_free = table_.pids().has_free();
  const bool segment_named = segments_.name_open();
  for (const CheckFault fault : all_check_faults) {
    bool enabled = false;
    switch (fault) {
      case CheckFault::start_controller:
        enabled =
            faults_.left.launches > 0 && !system_finished_ && pid_free && controllers_alive < faults_.left.controllers;
        break;
      case CheckFault::shutdown_tool: enabled = faults_.left.shutdowns > 0 && pid_free; break;
      case CheckFault::clean: enabled = faults_.left.cleans > 0 && clean_would_remove(); break;
      case CheckFault::remove_segment:
        enabled = faults_.left.removals > 0 && segment_named &&
                  (config_.protocol == Protocol::seed || !live_worker_recorded());
        break;
      case CheckFault::listener_exit:
        enabled = faults_.left.listener_faults > 0 && listener != nullptr && !listener->gated &&
                  !listener->exit_pending_code.has_value();
        break;
      case CheckFault::listener_hang:
        enabled = faults_.left.listener_faults > 0 && registered != nullptr && !registered->hang_pending;
        break;
      case CheckFault::ignore_sigterm:
        enabled = faults_.left.listener_faults > 0 && listener != nullptr && !listener->ignores_sigterm;
        break;
      case CheckFault::stranger: enabled = faults_.left.strangers > 0 && pid_free; break;
      // With nobody ready the clock runs to the next timer anyway: a stall then would be that same step.
      case CheckFault::stall: enabled = faults_.left.stalls > 0 && anyone_ready; break;
    }
    if (enabled) options.push_back(fault);
  }
}

void World::apply_check_fault(CheckFault fault) {
  note(0, TraceOp::fault, static_cast<std::uint8_t>(fault), 0,
       [&] { return fmt::format("fault (check) {}", check_fault_name(fault)); });
  switch (fault) {
    case CheckFault::start_controller:
      --faults_.left.launches;
      start_controller("started on the same name");
      break;
    case CheckFault::shutdown_tool:
      --faults_.left.shutdowns;
      cover(Situation::shutdown_by_tool);
      start_tool();
      break;
    case CheckFault::clean:
      --faults_.left.cleans;
      segments_.named().removed = true;
      note(0, TraceOp::event, 0, 0, [] { return std::string("tether clean removes the segment"); });
      break;
    case CheckFault::remove_segment:
      --faults_.left.removals;
      segments_.named().removed = true;
      break;
    case CheckFault::listener_exit:
      --faults_.left.listener_faults;
      newest_alive(ProcessKind::listener)->exit_pending_code = listener_exit_code;
      break;
    case CheckFault::listener_hang:
      --faults_.left.listener_faults;
      newest_alive(ProcessKind::listener, true)->hang_pending = true;
      break;
    case CheckFault::ignore_sigterm:
      --faults_.left.listener_faults;
      newest_alive(ProcessKind::listener)->ignores_sigterm = true;
      break;
    case CheckFault::stranger:
      --faults_.left.strangers;
      if (SimProcess* stranger = create_process(ProcessKind::foreign, 0)) {
        stranger->ready_at_ns = now_ns_ + stranger_life_ms * ns_per_ms;
        note(stranger->serial, TraceOp::start, 0, 0, [] { return std::string("a stranger starts"); });
      }
      break;
    case CheckFault::stall:
      // Timers fire late, never early: the ready processes run after the next deadline, in any order
      // with whoever it wakes. Repeated, it lets any armed deadline fire before any ready step.
      --faults_.left.stalls;
      advance_clock();
      break;
  }
}

}  // namespace tether::sim
