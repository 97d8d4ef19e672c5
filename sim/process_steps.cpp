// One scheduler step of each kind of simulated process. A step of a controller or listener is one step
// of its production core, hence at most one segment operation.
#include <cassert>

#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "world.hpp"

namespace tether::sim {

void World::step_process(SimProcess& process) {
  switch (process.kind) {
    case ProcessKind::controller: step_controller(process); break;
    case ProcessKind::listener: step_listener(process); break;
    case ProcessKind::tool: step_tool(process); break;
    case ProcessKind::foreign: exit_process(process, ExitStatus::code(0), false, "stranger ends"); break;
  }
}

void World::step_controller(SimProcess& process) {
  if (!process.started) {
    // Before the core runs, the real controller takes the name's lock and opens (or creates) the segment.
    process.started = true;
    const bool held = lock_holder_ != 0 && this->process(lock_holder_).alive;
    if (held && config_.mutant != Mutant::no_controller_lock) {
      cover(Situation::second_controller_refused);
      process.finished = true;
      exit_process(process, ExitStatus::code(exit_code::cant_create), false, "the name is held by another controller");
      return;
    }
    if (!held) lock_holder_ = process.serial;
    system_finished_ = false;  // a controller holds the name again: a new run of it has begun
    if (!segment_.exists || segment_.removed) {
      if (segment_.removed) retire_current_segment();
      segment_ = Segment{};
      segment_.exists = true;
      ++segment_incarnation_;
      note(process.serial, TraceOp::event, 0, 0, [] { return std::string("creates the segment"); });
    }
    process.mapped_incarnation = segment_incarnation_;
    if (config_.protocol == Protocol::tether) {
      process.controller = std::make_unique<TetherControllerParty>(swarm_.controller, *process.segment_port,
                                                                   *process.process_port, process.identity);
    } else {
      process.controller =
          std::make_unique<SeedControllerParty>(swarm_.controller, *process.segment_port, *process.process_port);
    }
    // A SIGTERM that arrived while it was starting is not forgotten (the real one blocks it until then).
    if (process.got_shutdown_signal) process.controller->handle_shutdown_signal();
    // A registered, live listener it finds at start is one it must adopt rather than replace.
    if (!shutdown_in_force()) {
      // So is a live plain worker its predecessor recorded as launched (it can never register).
      const std::uint64_t launched = segment_.words[static_cast<std::size_t>(Field::launched_identity)];
      for (const Serial serial : live_listeners_) {
        const SimProcess& worker = this->process(serial);
        if (worker.registered || (worker.plain && launched == worker.identity.pack())) {
          process.expect_adopt = serial;
        }
      }
    }
    process.ready_at_ns = now_ns_;
    return;
  }
  const StepOutcome outcome = process.controller->step(now_ns_);
  drain_controller_events(process);
  if (!process.alive) return;  // the seed can signal its own pid, once it belongs to the controller itself
  switch (outcome) {
    case StepOutcome::progressed: process.ready_at_ns = now_ns_; break;
    case StepOutcome::waiting: process.ready_at_ns = process.controller->deadline_ns(); break;
    case StepOutcome::finished: {
      const int code = process.controller->exit_code();
      const bool remove = process.controller->remove_segment();
      process.finished = true;
      system_finished_ = true;
      if (remove) segment_.removed = true;
      check_controller_exit(process, code);
      exit_process(process, ExitStatus::code(code), false, remove ? "finished, segment removed" : "finished");
      break;
    }
  }
}

void World::drain_controller_events(SimProcess& process) {
  ControllerEvent event{};
  for (std::size_t drained = 0; drained < ControllerCore::event_queue_max; ++drained) {
    if (!process.controller->pop_event(event)) break;
    if (event.kind == ControllerEvent::Kind::gave_up) cover(Situation::crash_loop_give_up);
    if (event.kind == ControllerEvent::Kind::stale_listener_cleared) cover(Situation::stale_registration_cleared);
    if (event.kind == ControllerEvent::Kind::unregistered) cover(Situation::plain_worker_detected);
    note(process.serial, TraceOp::event, static_cast<std::uint8_t>(event.kind), event.value, [&] {
      return fmt::format("event {} {}/{} value {}", controller_event_name(event.kind), event.process.pid,
                         event.process.start_time_ticks, event.value);
    });
  }
}

void World::step_listener(SimProcess& process) {
  if (process.gated) {
    process.ready_at_ns.reset();  // nothing runs before the release (World::release_launch)
    return;
  }
  process.idle_waiting = false;
  if (process.exit_pending_code.has_value() && !process.in_unit) {
    cover(Situation::listener_self_exit);
    exit_process(process, ExitStatus::code(*process.exit_pending_code), false, "exits on its own");
    return;
  }
  if (process.plain) {
    step_plain_worker(process);
    return;
  }
  // Its first step opens the name: it maps whichever segment bears the name now, for good.
  if (!process.started) process.mapped_incarnation = segment_incarnation_;
  if (!process.started && config_.protocol == Protocol::tether) {
    // The real listener maps the segment and refuses one that is not (or no longer) initialised.
    process.started = true;
    if (segment_.removed) {
      exit_process(process, ExitStatus::code(exit_code::no_input), false, "no segment (removed)");
      return;
    }
    if (segment_load(process.serial, Field::magic) != segment_magic) {
      exit_process(process, ExitStatus::code(exit_code::data_error), false, "segment not initialised");
      return;
    }
    process.ready_at_ns = now_ns_;
    return;
  }
  process.started = true;
  const WorkerStep next = process.worker->step(now_ns_);
  if (!process.alive) return;
  process.registered = process.worker->registered();
  process.ever_registered = process.ever_registered || process.registered;
  WorkerEvent event{};
  for (std::size_t drained = 0; drained < WorkerLoop::event_queue_max; ++drained) {
    if (!process.worker->pop_event(event)) break;
    if (event.kind == WorkerEvent::Kind::unit_started) process.in_unit = true;
    if (event.kind == WorkerEvent::Kind::unit_finished) process.in_unit = false;
  }
  if (process.hang_pending && process.in_unit) {
    cover(Situation::listener_hang);
    process.hung = true;
    process.ready_at_ns.reset();
    note(process.serial, TraceOp::fault, 0, 0, [] { return std::string("hangs inside its unit"); });
    return;
  }
  switch (next.kind) {
    case WorkerStep::Kind::progressed: process.ready_at_ns = now_ns_; break;
    case WorkerStep::Kind::work_until: process.ready_at_ns = next.deadline_ns; break;
    case WorkerStep::Kind::idle_until:
      // A futex wait returns at once when the word already changed: no wake-up is lost.
      if (shutdown_visible()) {
        process.worker->wake();
        process.ready_at_ns = now_ns_;
      } else {
        process.idle_waiting = true;
        process.ready_at_ns = next.deadline_ns;
      }
      break;
    case WorkerStep::Kind::exit:
      process.registered = false;
      exit_process(process, ExitStatus::code(next.exit_code), false, "worker done");
      break;
  }
}

// A plain worker (a program that knows nothing of tether): it never maps the segment; it runs until a
// signal ends it, or until its own end if it has one.
void World::step_plain_worker(SimProcess& process) {
  process.started = true;
  if (process.plain_exit_at_ns.has_value() && now_ns_ >= *process.plain_exit_at_ns) {
    cover(Situation::plain_worker_self_exit);
    exit_process(process, ExitStatus::code(process.plain_exit_code), false, "plain worker exits on its own");
    return;
  }
  process.ready_at_ns = process.plain_exit_at_ns;  // nullopt: blocked until a signal
}

void World::step_tool(SimProcess& process) {
  // `tether shutdown`: the production ShutdownCore (read the magic, post the request and wake waiters,
  // read the recorded controller, notify it verified by its start time), one segment operation a step.
  if (!segment_.exists || segment_.removed) {
    exit_process(process, ExitStatus::code(exit_code::no_input), false, "no segment");
    return;
  }
  if (!process.tool) process.mapped_incarnation = segment_incarnation_;  // it opens the name
  if (config_.protocol == Protocol::seed) {
    segment_store(process.serial, seed_slot_field, seed_shutdown_word);
    wake_shutdown_waiters(process.serial);
    exit_process(process, ExitStatus::code(exit_code::ok), false, "posted -1");
    return;
  }
  if (!process.tool) {
    process.tool = std::make_unique<ShutdownCore>(*process.segment_port, *process.notice_port);
  } else if (process.mapped_incarnation != segment_incarnation_) {
    // The segment it mapped was removed and a new one created under the name: its mapping is the old
    // object, so what it would post there reaches nobody (the real tool's request lands in the unlinked
    // segment). Modelled as its end; the run it targeted is over.
    exit_process(process, ExitStatus::code(exit_code::ok), false, "posted into the removed segment");
    return;
  }
  if (process.tool->step()) {
    const int code = process.tool->exit_code();
    if (process.alive)
      exit_process(process, ExitStatus::code(code), false, code == exit_code::ok ? "done" : "segment not initialised");
    return;
  }
  process.ready_at_ns =
      now_ns_ + std::uint64_t{decisions_.choose(static_cast<std::uint32_t>(swarm_.tool_step_ms_max) + 1)} * ns_per_ms;
}

}  // namespace tether::sim
