#include "core/listener_core.hpp"

#include "core/defences.hpp"
#include "core/mutants.hpp"
#include "core/state_hash.hpp"
#include "core/assert.hpp"

namespace tether {

namespace {

ListenerCoreState initial_state(ProcessIdentity self, std::optional<LaunchTicket> launch) {
  ListenerCoreState state;
  state.self = self;
  state.launch = launch;
  return state;
}

}  // namespace

std::uint64_t hash_value(const ListenerCoreState& state) {
  Fnv1a hash;
  hash.add(state.self);
  hash.add(state.launch.has_value() ? 1 : 0);
  if (state.launch.has_value()) {
    hash.add(state.launch->incarnation);
    hash.add(state.launch->generation);
  }
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.operation.has_value() ? 1 + static_cast<std::uint64_t>(*state.operation) : 0);
  hash.add(state.now_ns);
  hash.add(state.claim_expected);
  hash.add(state.claim_attempts);
  hash.add(state.steps_in_operation);
  hash.add(state.register_outcome.has_value() ? 1 + static_cast<std::uint64_t>(*state.register_outcome) : 0);
  hash.add(state.registered ? 1 : 0);
  hash.add(state.shutdown_seen ? 1 : 0);
  hash.add(state.in_unit ? 1 : 0);
  hash.add(static_cast<std::uint64_t>(state.passed_point));
  return hash.value();
}

ListenerCore::ListenerCore(SegmentPort& segment, IdentityPort& identities, ProcessIdentity self,
                           std::optional<LaunchTicket> launch)
    : ListenerCore(segment, identities, initial_state(self, launch)) {}

ListenerCore::ListenerCore(SegmentPort& segment, IdentityPort& identities, const ListenerCoreState& state)
    : segment_(segment), identities_(identities), state_(state) {
  static_assert(steps_in_phase_order(), "phase_steps_ must list the phases in ListenerPhase order");
  TETHER_ASSERT(state.self.valid());
}

void ListenerCore::begin(ListenerOperation operation, std::uint64_t now_ns) {
  TETHER_ASSERT(!busy());
  state_.operation = operation;
  state_.now_ns = now_ns;
  state_.passed_point = CrashPoint::none;
  state_.steps_in_operation = 0;
  switch (operation) {
    case ListenerOperation::register_self:
      TETHER_ASSERT(!state_.registered);
      state_.claim_expected = 0;
      state_.claim_attempts = 0;
      enter(state_.launch.has_value() ? Phase::check_incarnation : Phase::claim);
      break;
    case ListenerOperation::check_shutdown: enter(Phase::check_shutdown); break;
    case ListenerOperation::begin_unit:
      TETHER_ASSERT(state_.registered && !state_.in_unit);
      state_.in_unit = true;
      enter(Phase::set_state_working);
      break;
    case ListenerOperation::end_unit:
      TETHER_ASSERT(state_.registered && state_.in_unit);
      enter(Phase::write_heartbeat);
      break;
    case ListenerOperation::heartbeat:
      TETHER_ASSERT(state_.registered);
      enter(Phase::write_heartbeat);
      break;
    case ListenerOperation::leave:
      state_.in_unit = false;  // a worker may leave mid-unit (an error in its work): it is still a goodbye
      if (state_.registered) enter(Phase::set_state_exited);  // otherwise there is nothing to give back
      break;
  }
}

std::optional<bool> ListenerCore::check_shutdown_fast(std::uint64_t request_word) {
  TETHER_ASSERT(!busy());
  if (state_.shutdown_seen || request_word != 0) return std::nullopt;
  state_.operation = ListenerOperation::check_shutdown;
  state_.passed_point = CrashPoint::between_check_and_unit;
  return false;
}

void ListenerCore::complete() {
  enter(Phase::done);
  if (state_.operation == ListenerOperation::register_self && state_.registered) {
    state_.passed_point = CrashPoint::after_register;
  } else if (state_.operation == ListenerOperation::begin_unit) {
    state_.passed_point = CrashPoint::in_unit;
  } else if (state_.operation == ListenerOperation::check_shutdown && !state_.shutdown_seen) {
    state_.passed_point = CrashPoint::between_check_and_unit;
  }
}

bool ListenerCore::step() {
  TETHER_ASSERT(state_.operation.has_value());
  ++state_.steps_in_operation;
  TETHER_ASSERT(state_.steps_in_operation <= operation_steps_max);
  const ListenerPhaseSpec& declared = listener_phase_spec(state_.phase);
  segment_.begin_step(declared.op, declared.field);
  const PhaseStep& entry = phase_steps_[static_cast<std::size_t>(state_.phase)];
  TETHER_ASSERT(entry.phase == state_.phase);
  (this->*entry.step)();
  return state_.phase == Phase::done;
}

void ListenerCore::enter(Phase next) {
  TETHER_ASSERT(listener_transition_declared(state_.phase, next));
  state_.phase = next;
}

void ListenerCore::store_state(ListenerState state) {
  segment_.store(Field::listener_state, static_cast<std::uint64_t>(state));
}

void ListenerCore::step_done() {}

void ListenerCore::step_check_incarnation() {
  // The incarnation never changes while a segment lives, so checking it before the claim is as good
  // as after, and a listener of a removed segment leaves its successor untouched.
  // Switched off (simulator only), the read still happens and its answer is ignored: the same steps.
  const bool other_incarnation = segment_.load(Field::incarnation) != state_.launch->incarnation;
  if (other_incarnation && !defence_off(Defence::incarnation_check)) {
    state_.register_outcome = RegisterOutcome::replaced;
    complete();
  } else {
    enter(Phase::claim);
  }
}

void ListenerCore::step_claim() {
  std::uint64_t current = state_.claim_expected;
  ++state_.claim_attempts;
  const bool claimed = segment_.compare_exchange(Field::listener_identity, current, state_.self.pack());
  if (claimed || current == state_.self.pack()) {
    enter(Phase::check_generation);
  } else if (state_.claim_attempts >= register_attempts_max ||
             (!defence_off(Defence::claim_liveness) && identities_.is_alive(ProcessIdentity::unpack(current)))) {
    // The holder lives: one listener per name, so we step aside without touching the segment.
    state_.register_outcome = RegisterOutcome::taken;
    complete();
  } else {
    state_.claim_expected = current;  // a dead holder's stale registration: replace exactly that one
    enter(Phase::claim);
  }
}

void ListenerCore::step_check_generation() {
  const std::uint64_t generation = segment_.load(Field::generation);
  if (state_.launch.has_value() && generation != state_.launch->generation &&
      !defence_off(Defence::generation_withdraw)) {
    enter(Phase::withdraw);
  } else {
    state_.registered = true;
    state_.register_outcome = RegisterOutcome::registered;
    enter(Phase::set_state_starting);
  }
}

void ListenerCore::step_withdraw() {
  std::uint64_t expected = state_.self.pack();
  segment_.compare_exchange(Field::listener_identity, expected, 0);
  state_.register_outcome = RegisterOutcome::superseded;
  complete();
}

void ListenerCore::step_set_state_starting() {
  store_state(ListenerState::starting);
  // The planted bug writes a second field in this step, past the declaration's check on purpose.
  if (mutant_active(CoreMutant::registration_clears_shutdown)) segment_.unchecked().store(Field::shutdown_request, 0);
  enter(Phase::write_heartbeat);
}

void ListenerCore::step_set_state_idle() {
  TETHER_ASSERT(state_.operation == ListenerOperation::end_unit);
  store_state(ListenerState::idle);
  state_.in_unit = false;
  complete();
}

void ListenerCore::step_check_shutdown() {
  if (segment_.load(Field::shutdown_request) == 0) {
    complete();
    return;
  }
  // The first sighting is published as `stopping` so that status shows the request was taken.
  const bool first_sighting = !state_.shutdown_seen && state_.registered && !state_.in_unit;
  state_.shutdown_seen = true;
  enter(first_sighting ? Phase::set_state_stopping : Phase::done);
}

void ListenerCore::step_set_state_stopping() {
  store_state(ListenerState::stopping);
  complete();
}

void ListenerCore::step_set_state_working() {
  store_state(ListenerState::working);
  complete();
}

void ListenerCore::step_write_heartbeat() {
  segment_.store(Field::heartbeat_ns, state_.now_ns);
  if (state_.operation == ListenerOperation::end_unit) {
    enter(Phase::set_state_idle);
  } else {
    complete();
  }
}

void ListenerCore::step_set_state_exited() {
  store_state(ListenerState::exited);
  enter(Phase::record_departure);
}

void ListenerCore::step_record_departure() {
  segment_.store(Field::departed_identity, state_.self.pack());
  enter(Phase::release);
}

void ListenerCore::step_release() {
  std::uint64_t expected = state_.self.pack();
  segment_.compare_exchange(Field::listener_identity, expected, 0);
  state_.registered = false;
  complete();
}

}  // namespace tether
