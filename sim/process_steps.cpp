// One scheduler step of a simulated process: what the operating system does for it first (taking the
// name's lock, mapping the segment, holding a launch at its gate), then one step of its party (a
// production core's step, hence at most one segment operation), whose answer the world applies the same
// way for every party.
#include <cassert>

#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "world.hpp"

namespace tether::sim {

void World::step_process(SimProcess& process) {
  if (!prepare_step(process)) return;
  const PartyStep next = process.party->step(now_ns_);
  drain_events(process);
  if (!process.alive) return;  // the seed can signal its own pid, once it belongs to the controller itself
  process.registered = process.party->registered();
  process.ever_registered = process.ever_registered || process.registered;
  if (process.hang_pending && process.in_unit) {
    cover(Situation::listener_hang);
    process.hung = true;
    process.ready_at_ns.reset();
    note(process.serial, TraceOp::fault, 0, 0, [] { return std::string("hangs inside its unit"); });
    return;
  }
  apply_step(process, next);
}

bool World::prepare_step(SimProcess& process) {
  switch (process.kind) {
    case ProcessKind::controller: return prepare_controller(process);
    case ProcessKind::listener: return prepare_listener(process);
    case ProcessKind::tool: return prepare_tool(process);
    case ProcessKind::foreign: return true;
  }
  return true;
}

void World::apply_step(SimProcess& process, const PartyStep& next) {
  switch (next.kind) {
    case PartyStep::Kind::again: process.ready_at_ns = now_ns_; break;
    case PartyStep::Kind::wait_until: process.ready_at_ns = next.deadline_ns; break;
    case PartyStep::Kind::blocked: process.ready_at_ns.reset(); break;
    case PartyStep::Kind::idle_until:
      // A futex wait returns at once when the word already changed: no wake-up is lost.
      if (shutdown_visible()) {
        process.party->receive(Wake{});
        process.ready_at_ns = now_ns_;
      } else {
        process.idle_waiting = true;
        process.ready_at_ns = next.deadline_ns;
      }
      break;
    case PartyStep::Kind::pause: {
      const auto pause_ms = std::uint64_t{decisions_.choose(static_cast<std::uint32_t>(swarm_.tool_step_ms_max) + 1)};
      process.ready_at_ns = now_ns_ + pause_ms * ns_per_ms;
      break;
    }
    case PartyStep::Kind::exit: end_by_own_step(process, next); break;
  }
}

void World::end_by_own_step(SimProcess& process, const PartyStep& next) {
  if (process.kind == ProcessKind::controller) {
    process.finished = true;
    system_finished_ = true;
    if (next.remove_segment) segments_.named().removed = true;
    check_controller_exit(process, next.exit_code);
  }
  if (process.plain) cover(Situation::plain_worker_self_exit);
  exit_process(process, ExitStatus::code(next.exit_code), false, next.why);
}

void World::drain_events(SimProcess& process) {
  PartyEvent event;
  for (std::size_t drained = 0; drained < party_event_queue_max; ++drained) {
    if (!process.party->pop_event(event)) break;
    if (const auto* worker = std::get_if<WorkerEvent>(&event)) {
      if (worker->kind == WorkerEvent::Kind::unit_started) process.in_unit = true;
      if (worker->kind == WorkerEvent::Kind::unit_finished) process.in_unit = false;
      continue;
    }
    const auto& controller = std::get<ControllerEvent>(event);
    if (controller.kind == ControllerEvent::Kind::gave_up) cover(Situation::crash_loop_give_up);
    if (controller.kind == ControllerEvent::Kind::stale_listener_cleared) cover(Situation::stale_registration_cleared);
    if (controller.kind == ControllerEvent::Kind::unregistered) cover(Situation::plain_worker_detected);
    note(process.serial, TraceOp::event, static_cast<std::uint8_t>(controller.kind), controller.value, [&] {
      return fmt::format("event {} {}/{} value {}", controller_event_name(controller.kind), controller.process.pid,
                         controller.process.start_time_ticks, controller.value);
    });
  }
}

// A controller's first step: the real one takes the name's lock and opens (or creates) the segment
// before its core runs.
bool World::prepare_controller(SimProcess& process) {
  if (process.started) return true;
  process.started = true;
  const bool held = lock_holder_ != 0 && this->process(lock_holder_).alive;
  if (held && config_.mutant != Mutant::no_controller_lock) {
    cover(Situation::second_controller_refused);
    process.finished = true;
    exit_process(process, ExitStatus::code(exit_code::cant_create), false, "the name is held by another controller");
    return false;
  }
  if (!held) lock_holder_ = process.serial;
  system_finished_ = false;  // a controller holds the name again: a new run of it has begun
  if (segments_.open_or_create([&](std::uint64_t incarnation) { return mapped_by_live_process(incarnation); })) {
    note(process.serial, TraceOp::event, 0, 0, [] { return std::string("creates the segment"); });
  }
  process.mapped_incarnation = segments_.incarnation();
  if (config_.protocol == Protocol::tether) {
    process.party = std::make_unique<TetherControllerParty>(swarm_.controller, *process.segment_port,
                                                            *process.process_port, process.identity);
  } else {
    process.party =
        std::make_unique<SeedControllerParty>(swarm_.controller, *process.segment_port, *process.process_port);
  }
  // A SIGTERM that arrived while it was starting is not forgotten (the real one blocks it until then).
  if (process.got_shutdown_signal) process.party->receive(ShutdownSignal{});
  // A registered, live listener it finds at start is one it must adopt rather than replace.
  if (!shutdown_in_force()) {
    // So is a live plain worker its predecessor recorded as launched (it can never register).
    const std::uint64_t launched = segments_.named().words[static_cast<std::size_t>(Field::launched_identity)];
    for (const Serial serial : table_.live_workers()) {
      const SimProcess& worker = this->process(serial);
      if (worker.registered || (worker.plain && launched == worker.identity.pack())) process.expect_adopt = serial;
    }
  }
  process.ready_at_ns = now_ns_;
  return false;
}

// A listener or plain worker: nothing runs before its release (World::release_launch); an exit a fault
// ordered happens outside a unit; a listener's first step maps whichever segment bears the name now, for
// good, and the real one refuses a segment that is not (or no longer) initialised.
bool World::prepare_listener(SimProcess& process) {
  if (process.gated) {
    process.ready_at_ns.reset();
    return false;
  }
  process.idle_waiting = false;
  if (process.exit_pending_code.has_value() && !process.in_unit) {
    cover(Situation::listener_self_exit);
    exit_process(process, ExitStatus::code(*process.exit_pending_code), false, "exits on its own");
    return false;
  }
  if (process.plain || process.started) {
    process.started = true;
    return true;
  }
  process.started = true;
  process.mapped_incarnation = segments_.incarnation();
  if (config_.protocol != Protocol::tether) return true;
  if (segments_.named().removed) {
    exit_process(process, ExitStatus::code(exit_code::no_input), false, "no segment (removed)");
  } else if (segment_load(process.serial, Field::magic) != segment_magic) {
    exit_process(process, ExitStatus::code(exit_code::data_error), false, "segment not initialised");
  } else {
    process.ready_at_ns = now_ns_;
  }
  return false;
}

// `tether shutdown`: it opens the name at its first step; a segment removed and created anew under the
// name since is another object, so what it would post in the one it mapped reaches nobody (the real
// tool's request lands in the unlinked segment). That is modelled as its end: the run it targeted is over.
bool World::prepare_tool(SimProcess& process) {
  if (!segments_.name_open()) {
    exit_process(process, ExitStatus::code(exit_code::no_input), false, "no segment");
    return false;
  }
  if (process.party == nullptr) {
    process.mapped_incarnation = segments_.incarnation();
    if (config_.protocol == Protocol::tether) {
      process.party = std::make_unique<TetherToolParty>(*process.segment_port, *process.notice_port);
    } else {
      process.party = std::make_unique<SeedToolParty>(*process.segment_port);
    }
    return true;
  }
  if (process.mapped_incarnation == segments_.incarnation()) return true;
  exit_process(process, ExitStatus::code(exit_code::ok), false, "posted into the removed segment");
  return false;
}

}  // namespace tether::sim
