#include "core/listener_core.hpp"

#include "tether/assert.hpp"

#include "core/mutants.hpp"

namespace tether {

ListenerCore::ListenerCore(SegmentPort& segment, IdentityPort& identities, ProcessIdentity self,
                           std::optional<LaunchTicket> launch)
    : segment_(segment), identities_(identities), self_(self), launch_(launch) {
  TETHER_ASSERT(self.valid());
}

void ListenerCore::begin(ListenerOperation operation, std::uint64_t now_ns) {
  TETHER_ASSERT(!busy());
  operation_ = operation;
  now_ns_ = now_ns;
  passed_point_ = CrashPoint::none;
  steps_in_operation_ = 0;
  switch (operation) {
    case ListenerOperation::register_self:
      TETHER_ASSERT(!registered_);
      claim_expected_ = 0;
      claim_attempts_ = 0;
      phase_ = launch_.has_value() ? Phase::check_incarnation : Phase::claim;
      break;
    case ListenerOperation::check_shutdown:
      phase_ = Phase::check_shutdown;
      break;
    case ListenerOperation::begin_unit:
      TETHER_ASSERT(registered_ && !in_unit_);
      in_unit_ = true;
      phase_ = Phase::set_state_working;
      break;
    case ListenerOperation::end_unit:
      TETHER_ASSERT(registered_ && in_unit_);
      phase_ = Phase::write_heartbeat;
      break;
    case ListenerOperation::heartbeat:
      TETHER_ASSERT(registered_);
      phase_ = Phase::write_heartbeat;
      break;
    case ListenerOperation::leave:
      in_unit_ = false;  // a worker may leave mid-unit (an error in its work): it is still a goodbye
      phase_ = registered_ ? Phase::set_state_exited : Phase::done;
      break;
  }
}

void ListenerCore::complete() {
  phase_ = Phase::done;
  if (operation_ == ListenerOperation::register_self && registered_) {
    passed_point_ = CrashPoint::after_register;
  } else if (operation_ == ListenerOperation::begin_unit) {
    passed_point_ = CrashPoint::in_unit;
  } else if (operation_ == ListenerOperation::check_shutdown && !shutdown_seen_) {
    passed_point_ = CrashPoint::between_check_and_unit;
  }
}

bool ListenerCore::step() {
  TETHER_ASSERT(operation_.has_value());
  ++steps_in_operation_;
  TETHER_ASSERT(steps_in_operation_ <= operation_steps_max);
  switch (phase_) {
    case Phase::done:
      return true;
    case Phase::check_incarnation:
      // The incarnation never changes while a segment lives, so checking it before the claim is as good
      // as after, and a listener of a removed segment leaves its successor untouched.
      if (segment_.load(Field::incarnation) != launch_->incarnation) {
        register_outcome_ = RegisterOutcome::replaced;
        complete();
      } else {
        phase_ = Phase::claim;
      }
      break;
    case Phase::claim: {
      std::uint64_t current = claim_expected_;
      ++claim_attempts_;
      if (segment_.compare_exchange(Field::listener_identity, current, self_.pack()) ||
          current == self_.pack()) {
        phase_ = Phase::check_generation;
      } else if (claim_attempts_ >= register_attempts_max ||
                 identities_.is_alive(ProcessIdentity::unpack(current))) {
        // The holder lives: one listener per name, so we step aside without touching the segment.
        register_outcome_ = RegisterOutcome::taken;
        complete();
      } else {
        claim_expected_ = current;  // a dead holder's stale registration: replace exactly that one
      }
      break;
    }
    case Phase::check_generation: {
      const std::uint64_t generation = segment_.load(Field::generation);
      if (launch_.has_value() && generation != launch_->generation) {
        phase_ = Phase::withdraw;
      } else {
        registered_ = true;
        register_outcome_ = RegisterOutcome::registered;
        phase_ = Phase::set_state_starting;
      }
      break;
    }
    case Phase::withdraw: {
      std::uint64_t expected = self_.pack();
      segment_.compare_exchange(Field::listener_identity, expected, 0);
      register_outcome_ = RegisterOutcome::superseded;
      complete();
      break;
    }
    case Phase::set_state_starting:
      segment_.store(Field::listener_state, static_cast<std::uint64_t>(ListenerState::starting));
      if (mutant_active(Mutant::registration_clears_shutdown)) segment_.store(Field::shutdown_request, 0);
      phase_ = Phase::write_heartbeat;
      break;
    case Phase::set_state_idle:
      TETHER_ASSERT(operation_ == ListenerOperation::end_unit);
      segment_.store(Field::listener_state, static_cast<std::uint64_t>(ListenerState::idle));
      in_unit_ = false;
      complete();
      break;
    case Phase::check_shutdown:
      if (segment_.load(Field::shutdown_request) != 0) {
        // The first sighting is published as `stopping` so that status shows the request was taken.
        phase_ = (!shutdown_seen_ && registered_ && !in_unit_) ? Phase::set_state_stopping : Phase::done;
        shutdown_seen_ = true;
      } else {
        complete();
      }
      break;
    case Phase::set_state_stopping:
      segment_.store(Field::listener_state, static_cast<std::uint64_t>(ListenerState::stopping));
      complete();
      break;
    case Phase::set_state_working:
      segment_.store(Field::listener_state, static_cast<std::uint64_t>(ListenerState::working));
      complete();
      break;
    case Phase::write_heartbeat:
      segment_.store(Field::heartbeat_ns, now_ns_);
      if (operation_ == ListenerOperation::end_unit) {
        phase_ = Phase::set_state_idle;
      } else {
        complete();
      }
      break;
    case Phase::set_state_exited:
      segment_.store(Field::listener_state, static_cast<std::uint64_t>(ListenerState::exited));
      phase_ = Phase::record_departure;
      break;
    case Phase::record_departure:
      segment_.store(Field::departed_identity, self_.pack());
      phase_ = Phase::release;
      break;
    case Phase::release: {
      std::uint64_t expected = self_.pack();
      segment_.compare_exchange(Field::listener_identity, expected, 0);
      registered_ = false;
      complete();
      break;
    }
  }
  return phase_ == Phase::done;
}

}  // namespace tether
