#include "core/worker_loop.hpp"

#include "core/assert.hpp"
#include "core/exit_codes.hpp"
#include "core/state_hash.hpp"
#include "core/units.hpp"

namespace tether {

std::uint64_t hash_value(const WorkerLoopState& state) {
  Fnv1a hash;
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.deadline_ns);
  hash.add(state.units_done);
  hash.add(static_cast<std::uint64_t>(state.exit_code));
  hash.add(state.woken ? 1 : 0);
  hash.add_each(state.events);
  return hash.value();
}

WorkerLoop::WorkerLoop(ListenerCore& listener, const WorkerConfig& config)
    : WorkerLoop(listener, config, WorkerLoopState{}) {
  TETHER_ASSERT(!listener.busy());
}

WorkerLoop::WorkerLoop(ListenerCore& listener, const WorkerConfig& config, const WorkerLoopState& state)
    : listener_(listener), config_(config), state_(state) {
  TETHER_ASSERT(config.work_ms <= WorkerConfig::duration_ms_max);
  TETHER_ASSERT(config.idle_ms <= WorkerConfig::duration_ms_max);
  TETHER_ASSERT(state.events.size() <= event_queue_max);
}

bool WorkerLoop::pop_event(WorkerEvent& event) {
  if (state_.events.empty()) return false;
  event = state_.events.front();
  state_.events.pop_front();
  return true;
}

void WorkerLoop::emit(WorkerEvent event) {
  TETHER_ASSERT(state_.events.size() < event_queue_max);
  state_.events.push_back(event);
}

WorkerStep WorkerLoop::outcome() const {
  return state_.phase == Phase::exited ? WorkerStep{WorkerStep::Kind::exit, 0, state_.exit_code} : WorkerStep{};
}

WorkerStep WorkerLoop::run_operation(ListenerOperation operation, std::uint64_t now_ns) {
  listener_.begin(operation, now_ns);
  if (listener_.step()) after_check(now_ns);
  return outcome();
}

void WorkerLoop::after_registering() {
  if (listener_.register_outcome() == RegisterOutcome::registered) {
    emit({WorkerEvent::Kind::registered});
    state_.phase = Phase::checking;
    return;
  }
  TETHER_ASSERT(listener_.register_outcome().has_value());
  emit({WorkerEvent::Kind::register_refused, static_cast<std::uint64_t>(*listener_.register_outcome())});
  state_.exit_code = exit_code::temp_failure;
  state_.phase = Phase::exited;
}

void WorkerLoop::after_ending_unit(std::uint64_t now_ns) {
  ++state_.units_done;
  emit({WorkerEvent::Kind::unit_finished, state_.units_done});
  if (config_.units != 0 && state_.units_done >= config_.units) {
    state_.phase = Phase::leaving;
  } else if (config_.idle_ms > 0) {
    state_.deadline_ns = now_ns + config_.idle_ms * ns_per_ms;
    state_.woken = false;
    state_.phase = Phase::idling;
  } else {
    state_.phase = Phase::checking;
  }
}

// Called when the operation of the current phase has completed: choose the next phase.
void WorkerLoop::after_check(std::uint64_t now_ns) {
  TETHER_ASSERT(!listener_.busy());
  switch (state_.phase) {
    case Phase::registering: after_registering(); break;
    case Phase::checking:
      if (listener_.shutdown_seen()) {
        emit({WorkerEvent::Kind::shutdown_seen});
        state_.phase = Phase::leaving;
      } else {
        state_.phase = Phase::starting_unit;
      }
      break;
    case Phase::starting_unit:
      emit({WorkerEvent::Kind::unit_started, state_.units_done + 1});
      state_.deadline_ns = now_ns + config_.work_ms * ns_per_ms;
      state_.phase = Phase::working;
      break;
    case Phase::ending_unit: after_ending_unit(now_ns); break;
    case Phase::leaving:
      emit({WorkerEvent::Kind::left, state_.units_done});
      state_.exit_code = exit_code::ok;
      state_.phase = Phase::exited;
      break;
    case Phase::start:
    case Phase::working:
    case Phase::idling:
    case Phase::exited: TETHER_ASSERT(false && "no operation runs in this phase"); break;
  }
}

WorkerStep WorkerLoop::step(std::uint64_t now_ns) {
  if (listener_.busy()) {
    if (listener_.step()) after_check(now_ns);
    return outcome();
  }
  switch (state_.phase) {
    case Phase::start:
      state_.phase = Phase::registering;
      return run_operation(ListenerOperation::register_self, now_ns);
    case Phase::checking: return run_operation(ListenerOperation::check_shutdown, now_ns);
    case Phase::starting_unit: return run_operation(ListenerOperation::begin_unit, now_ns);
    case Phase::working:
      if (now_ns < state_.deadline_ns) return {WorkerStep::Kind::work_until, state_.deadline_ns, 0};
      state_.phase = Phase::ending_unit;
      return run_operation(ListenerOperation::end_unit, now_ns);
    case Phase::idling:
      if (!state_.woken && now_ns < state_.deadline_ns) return {WorkerStep::Kind::idle_until, state_.deadline_ns, 0};
      state_.woken = false;
      state_.phase = Phase::checking;
      return run_operation(ListenerOperation::check_shutdown, now_ns);
    case Phase::leaving: return run_operation(ListenerOperation::leave, now_ns);
    case Phase::exited: return {WorkerStep::Kind::exit, 0, state_.exit_code};
    case Phase::registering:
    case Phase::ending_unit: TETHER_ASSERT(false && "these phases always have an operation in flight"); break;
  }
  return {};
}

}  // namespace tether
