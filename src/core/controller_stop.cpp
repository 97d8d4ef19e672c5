// The stop sub-machine: post or notice the shutdown request, then stop the worker without tearing a
// unit. The request is always in the segment before the worker is judged, so a listener that registers
// later sees it before its first unit; a process that has not registered when we look is therefore
// never inside a unit, and gets the stop signal at once.
#include "core/controller_core.hpp"
#include "core/units.hpp"
#include "core/assert.hpp"

namespace tether {

void ControllerCore::step_post_shutdown(std::uint64_t now_ns) {
  segment_.store(Field::shutdown_request, 1);
  segment_.wake_shutdown_waiters();
  state_.shutdown_requested = true;
  emit({ControllerEvent::Kind::shutdown_requested, state_.listener});
  begin_stopping(now_ns);
}

void ControllerCore::step_read_shutdown_notice(std::uint64_t now_ns) {
  if (segment_.load(Field::shutdown_request) != 0) {
    state_.shutdown_requested = true;
    emit({ControllerEvent::Kind::shutdown_requested, state_.listener});
    begin_stopping(now_ns);
    return;
  }
  enter(state_.listener.valid() ? Phase::running : Phase::waiting_restart);
}

void ControllerCore::step_read_registration_for_stop(std::uint64_t now_ns) {
  TETHER_ASSERT(state_.shutdown_requested);
  TETHER_ASSERT(state_.listener.valid());
  if (state_.exit_pending.has_value()) {
    enter(Phase::running);  // it is gone already: no signal, the exit takes its course
    return;
  }
  if (segment_.load(Field::listener_identity) == state_.listener.pack()) {
    if (!state_.listener_registered) emit({ControllerEvent::Kind::registered, state_.listener});
    state_.listener_registered = true;
    state_.ready_deadline_ns.reset();
    state_.stop_deadline_ns = state_.stop_requested_ns + ms_to_ns(config_.stop_timeout_ms);
  } else {
    // Not registered after the request was posted: not inside a unit, and it will never start one
    // (a listener that registers from now on reads the request first). A plain worker cannot read the
    // request at all: the stop signal is its shutdown request.
    signal_stop(now_ns, ControllerEvent::Kind::stop_signalled);
  }
  enter(Phase::running);
}

}  // namespace tether
