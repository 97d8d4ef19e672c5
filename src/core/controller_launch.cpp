// The launch sub-machine: supersede earlier launches (the generation bump), adopt a listener that
// registered meanwhile, check the shutdown request and spawn in one step, record the launch, and only
// then let the process run its command.
#include "core/controller_core.hpp"
#include "core/exit_codes.hpp"
#include "core/defences.hpp"
#include "core/mutants.hpp"
#include "core/assert.hpp"

namespace tether {

void ControllerCore::step_bump_generation(std::uint64_t /*now_ns*/) {
  state_.ticket.generation = segment_.fetch_add(Field::generation, 1) + 1;
  enter(Phase::recheck_listener);
}

void ControllerCore::step_recheck_listener(std::uint64_t now_ns) {
  // The bump and this read pair with the listener's register-then-read-generation: either we see
  // its registration here, or it sees our new generation and withdraws. Never two listeners.
  // Switched off (simulator only), the read still happens and its answer is ignored: the same steps.
  const auto registered = ProcessIdentity::unpack(segment_.load(Field::listener_identity));
  if (!defence_off(Defence::registration_recheck) && registered.valid() && processes_.is_alive(registered) &&
      processes_.watch(registered)) {
    adopt(registered, now_ns, true);
  } else {
    enter(Phase::check_shutdown_and_spawn);
  }
}

void ControllerCore::step_check_shutdown_and_spawn(std::uint64_t now_ns) {
  // The shutdown check and the spawn form one step: no request can slip in between them unseen.
  if (state_.shutdown_signal_pending) {
    state_.shutdown_signal_pending = false;
    enter(Phase::post_shutdown);
    return;
  }
  const bool mutant_skips_check =
      mutant_active(CoreMutant::restart_after_shutdown) ||
      (mutant_active(CoreMutant::skip_shutdown_check_after_restart) && state_.launched_before);
  if (!mutant_skips_check && segment_.load(Field::shutdown_request) != 0) {
    state_.shutdown_requested = true;
    emit({ControllerEvent::Kind::shutdown_requested, state_.listener});
    finish(exit_code::ok, true);
    return;
  }
  auto spawned = processes_.spawn(state_.ticket);
  state_.start_limiter.record_start(now_ns);
  // A failed spawn is a run of zero length: the backoff measures from this attempt, not from the start
  // of the listener before it (which would reset the backoff after a long good run instead of doubling).
  state_.listener_started_ns = now_ns;
  if (!spawned.ok()) {
    emit({ControllerEvent::Kind::launch_failed, {}, {}, static_cast<std::uint64_t>(spawned.error())});
    if (spawned.error() == SpawnError::not_found) {
      // A missing program will not appear by retrying; restarting it would only be a storm.
      finish(exit_code::unavailable, true);
      return;
    }
    state_.exit_pending = ExitStatus::unknown_status();
    state_.exited_process = {};
    enter(Phase::decide_after_exit);
    return;
  }
  state_.listener = spawned.value();
  emit({ControllerEvent::Kind::launched, state_.listener, {}, state_.ticket.generation});
  expect_listener(now_ns, false);
  state_.passed_point = CrashPoint::after_spawn;
  enter(Phase::record_launched);
}

void ControllerCore::step_record_launched(std::uint64_t /*now_ns*/) {
  TETHER_ASSERT(state_.listener.valid());
  segment_.store(Field::launched_identity, state_.listener.pack());
  state_.passed_point = CrashPoint::after_record;
  enter(Phase::release_launched);
}

void ControllerCore::step_release_launched(std::uint64_t /*now_ns*/) {
  processes_.release(state_.listener);
  enter(state_.launched_before ? Phase::count_restart : Phase::running);
  state_.launched_before = true;
}

void ControllerCore::step_count_restart(std::uint64_t /*now_ns*/) {
  segment_.fetch_add(Field::restarts, 1);
  enter(Phase::running);
}

}  // namespace tether
