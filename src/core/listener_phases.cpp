#include "core/listener_phases.hpp"

#include <algorithm>
#include <array>

#include "core/transition_bits.hpp"

namespace tether {

namespace {

using P = ListenerPhase;
using R = ListenerPart;
using Op = SegmentOp;

constexpr std::array<ListenerPhaseSpec, listener_phase_count> phase_specs = {{
    {P::done, "done", R::idle, Op::none, std::nullopt, "waits for the worker's next operation"},
    {P::check_incarnation, "check_incarnation", R::register_self, Op::load, Field::incarnation,
     "launched for another segment of the name: leave it be"},
    {P::claim, "claim", R::register_self, Op::compare_exchange, Field::listener_identity,
     "from 0, or from a holder proven dead"},
    {P::check_generation, "check_generation", R::register_self, Op::load, Field::generation,
     "a newer launch supersedes us"},
    {P::withdraw, "withdraw", R::register_self, Op::compare_exchange, Field::listener_identity,
     "give the registration back, from exactly our identity"},
    {P::set_state_starting, "set_state_starting", R::register_self, Op::store, Field::listener_state,
     "registered, not yet working"},
    {P::set_state_idle, "set_state_idle", R::unit, Op::store, Field::listener_state, "between units"},
    {P::check_shutdown, "check_shutdown", R::check, Op::load, Field::shutdown_request,
     "the request is only read, between units"},
    {P::set_state_stopping, "set_state_stopping", R::check, Op::store, Field::listener_state,
     "the first sighting, published for status"},
    {P::set_state_working, "set_state_working", R::unit, Op::store, Field::listener_state, "a unit begins"},
    {P::write_heartbeat, "write_heartbeat", R::unit, Op::store, Field::heartbeat_ns,
     "progress, for the watchdog and the stop extension"},
    {P::set_state_exited, "set_state_exited", R::leave, Op::store, Field::listener_state, "leaving"},
    {P::record_departure, "record_departure", R::leave, Op::store, Field::departed_identity,
     "the controller's proof that we left cleanly"},
    {P::release, "release", R::leave, Op::compare_exchange, Field::listener_identity,
     "give the registration back, from exactly our identity"},
}};

constexpr bool specs_in_phase_order() {
  for (std::size_t index = 0; index < phase_specs.size(); ++index) {
    if (static_cast<std::size_t>(phase_specs[index].phase) != index) return false;
  }
  return true;
}
static_assert(specs_in_phase_order(), "listener_phase_specs must list the phases in enum order");

constexpr ListenerTransition transitions[] = {
    {P::done, P::check_incarnation, "register_self (launched)"},
    {P::done, P::claim, "register_self (started by hand)"},
    {P::done, P::check_shutdown, "check_shutdown"},
    {P::done, P::set_state_working, "begin_unit"},
    {P::done, P::write_heartbeat, "end_unit / heartbeat"},
    {P::done, P::set_state_exited, "leave (registered)"},
    {P::check_incarnation, P::claim, "same segment"},
    {P::check_incarnation, P::done, "replaced (nothing written)"},
    {P::claim, P::claim, "holder dead: CAS again from its identity"},
    {P::claim, P::check_generation, "claimed"},
    {P::claim, P::done, "taken: holder alive, or 8 attempts"},
    {P::check_generation, P::withdraw, "generation changed"},
    {P::check_generation, P::set_state_starting, "same generation: registered"},
    {P::withdraw, P::done, "superseded"},
    {P::set_state_starting, P::write_heartbeat, "state starting"},
    {P::write_heartbeat, P::set_state_idle, "end_unit"},
    {P::write_heartbeat, P::done, "register_self / heartbeat"},
    {P::set_state_idle, P::done, "state idle"},
    {P::check_shutdown, P::set_state_stopping, "first sighting, not in a unit"},
    {P::check_shutdown, P::done, "no request / seen before"},
    {P::set_state_stopping, P::done, "state stopping"},
    {P::set_state_working, P::done, "state working"},
    {P::set_state_exited, P::record_departure, "state exited"},
    {P::record_departure, P::release, "departed_identity = self"},
    {P::release, P::done, "CAS(self to 0)"},
};

}  // namespace

std::string_view listener_part_name(ListenerPart part) {
  switch (part) {
    case R::idle: return "idle";
    case R::register_self: return "register_self";
    case R::check: return "check_shutdown";
    case R::unit: return "unit";
    case R::leave: return "leave";
  }
  return "invalid";
}

const ListenerPhaseSpec& listener_phase_spec(ListenerPhase phase) {
  return phase_specs[static_cast<std::size_t>(phase)];
}

std::span<const ListenerPhaseSpec> listener_phase_specs() { return phase_specs; }

std::span<const ListenerTransition> listener_transitions() { return transitions; }

constexpr auto transition_matrix = transition_bits<listener_phase_count>(transitions);

bool listener_transition_declared(ListenerPhase from, ListenerPhase to) {
  return transition_declared(transition_matrix, from, to);
}

}  // namespace tether
