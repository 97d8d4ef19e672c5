#include "core/worker_loop.hpp"

#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "core/assert.hpp"

namespace tether {

WorkerLoop::WorkerLoop(ListenerCore& listener, const WorkerConfig& config) : listener_(listener), config_(config) {
  TETHER_ASSERT(config.work_ms <= WorkerConfig::duration_ms_max);
  TETHER_ASSERT(config.idle_ms <= WorkerConfig::duration_ms_max);
  TETHER_ASSERT(!listener.busy());
}

bool WorkerLoop::pop_event(WorkerEvent& event) {
  if (events_.empty()) return false;
  event = events_.front();
  events_.pop_front();
  return true;
}

void WorkerLoop::emit(WorkerEvent event) {
  TETHER_ASSERT(events_.size() < event_queue_max);
  events_.push_back(event);
}

WorkerStep WorkerLoop::run_operation(ListenerOperation operation, std::uint64_t now_ns) {
  listener_.begin(operation, now_ns);
  if (listener_.step()) after_check(now_ns);
  return phase_ == Phase::exited ? WorkerStep{WorkerStep::Kind::exit, 0, exit_code_} : WorkerStep{};
}

// Called when the operation of the current phase has completed: choose the next phase.
void WorkerLoop::after_check(std::uint64_t now_ns) {
  TETHER_ASSERT(!listener_.busy());
  switch (phase_) {
    case Phase::registering:
      if (listener_.register_outcome() == RegisterOutcome::registered) {
        emit({WorkerEvent::Kind::registered});
        phase_ = Phase::checking;
      } else {
        TETHER_ASSERT(listener_.register_outcome().has_value());
        emit({WorkerEvent::Kind::register_refused, static_cast<std::uint64_t>(*listener_.register_outcome())});
        exit_code_ = exit_code::temp_failure;
        phase_ = Phase::exited;
      }
      break;
    case Phase::checking:
      if (listener_.shutdown_seen()) {
        emit({WorkerEvent::Kind::shutdown_seen});
        phase_ = Phase::leaving;
      } else {
        phase_ = Phase::starting_unit;
      }
      break;
    case Phase::starting_unit:
      emit({WorkerEvent::Kind::unit_started, units_done_ + 1});
      deadline_ns_ = now_ns + config_.work_ms * ns_per_ms;
      phase_ = Phase::working;
      break;
    case Phase::ending_unit:
      ++units_done_;
      emit({WorkerEvent::Kind::unit_finished, units_done_});
      if (config_.units != 0 && units_done_ >= config_.units) {
        phase_ = Phase::leaving;
      } else if (config_.idle_ms > 0) {
        deadline_ns_ = now_ns + config_.idle_ms * ns_per_ms;
        woken_ = false;
        phase_ = Phase::idling;
      } else {
        phase_ = Phase::checking;
      }
      break;
    case Phase::leaving:
      emit({WorkerEvent::Kind::left, units_done_});
      exit_code_ = exit_code::ok;
      phase_ = Phase::exited;
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
    return phase_ == Phase::exited ? WorkerStep{WorkerStep::Kind::exit, 0, exit_code_} : WorkerStep{};
  }
  switch (phase_) {
    case Phase::start: phase_ = Phase::registering; return run_operation(ListenerOperation::register_self, now_ns);
    case Phase::checking: return run_operation(ListenerOperation::check_shutdown, now_ns);
    case Phase::starting_unit: return run_operation(ListenerOperation::begin_unit, now_ns);
    case Phase::working:
      if (now_ns < deadline_ns_) return {WorkerStep::Kind::work_until, deadline_ns_, 0};
      phase_ = Phase::ending_unit;
      return run_operation(ListenerOperation::end_unit, now_ns);
    case Phase::idling:
      if (!woken_ && now_ns < deadline_ns_) return {WorkerStep::Kind::idle_until, deadline_ns_, 0};
      woken_ = false;
      phase_ = Phase::checking;
      return run_operation(ListenerOperation::check_shutdown, now_ns);
    case Phase::leaving: return run_operation(ListenerOperation::leave, now_ns);
    case Phase::exited: return {WorkerStep::Kind::exit, 0, exit_code_};
    case Phase::registering:
    case Phase::ending_unit: TETHER_ASSERT(false && "these phases always have an operation in flight"); break;
  }
  return {};
}

}  // namespace tether
