#include "core/controller_phases.hpp"

#include <algorithm>

#include "core/transition_bits.hpp"

namespace tether {

namespace {

using P = ControllerPhase;
using M = ControllerMachine;
using Op = SegmentOp;
using W = PhaseWait;

constexpr std::array<ControllerPhaseSpec, controller_phase_count> phase_specs = {{
    {P::read_magic, "read_magic", M::startup, Op::load, Field::magic, W::none, "is the segment new, ours, or foreign?"},
    {P::initialise, "initialise", M::startup, Op::store, std::nullopt, W::none,
     "one header field per step, the incarnation next to last, the magic last"},
    {P::read_incarnation, "read_incarnation", M::startup, Op::load, Field::incarnation, W::none,
     "an existing segment: which one it is, for the launch tickets"},
    {P::claim, "claim", M::startup, Op::store, Field::controller_identity, W::none,
     "record our identity for status and for the tool's nudge"},
    {P::read_shutdown, "read_shutdown", M::startup, Op::load, Field::shutdown_request, W::none,
     "a request left from before we started still binds"},
    {P::read_listener, "read_listener", M::startup, Op::load, Field::listener_identity, W::none,
     "a live registered listener is adopted"},
    {P::clear_stale_listener, "clear_stale_listener", M::startup, Op::compare_exchange, Field::listener_identity,
     W::none, "a dead registration is cleared from exactly that identity"},
    {P::read_launched, "read_launched", M::startup, Op::load, Field::launched_identity, W::none,
     "a launched process that has not registered yet is adopted, not launched twice"},
    {P::bump_generation, "bump_generation", M::launch, Op::fetch_add, Field::generation, W::none,
     "start of a launch: supersedes every earlier launch ticket"},
    {P::recheck_listener, "recheck_listener", M::launch, Op::load, Field::listener_identity, W::none,
     "after the bump: a listener that registered meanwhile is adopted instead"},
    {P::check_shutdown_and_spawn, "check_shutdown_and_spawn", M::launch, Op::load, Field::shutdown_request, W::none,
     "the request check and the spawn are one step"},
    {P::record_launched, "record_launched", M::launch, Op::store, Field::launched_identity, W::none,
     "recorded before it may run"},
    {P::release_launched, "release_launched", M::launch, Op::none, std::nullopt, W::none,
     "open the launched process's gate"},
    {P::count_restart, "count_restart", M::launch, Op::fetch_add, Field::restarts, W::none,
     "a launch after the first counts as a restart"},
    {P::running, "running", M::supervise, Op::none, std::nullopt, W::supervision,
     "wait for an exit, a signal, a notice or a deadline"},
    {P::check_ready, "check_ready", M::supervise, Op::load, Field::listener_identity, W::none,
     "has the launched process registered?"},
    {P::read_heartbeat, "read_heartbeat", M::supervise, Op::load, Field::heartbeat_ns, W::none,
     "a stop or watchdog deadline passed: has the listener shown progress?"},
    {P::read_exit_state, "read_exit_state", M::supervise, Op::load, Field::departed_identity, W::none,
     "an adopted process exited: did it say goodbye in the segment?"},
    {P::clear_dead_listener, "clear_dead_listener", M::supervise, Op::compare_exchange, Field::listener_identity,
     W::none, "its registration is cleared from exactly its identity"},
    {P::decide_after_exit, "decide_after_exit", M::supervise, Op::load, Field::shutdown_request, W::none,
     "finish, give up, or restart after the backoff"},
    {P::waiting_restart, "waiting_restart", M::supervise, Op::none, std::nullopt, W::restart_delay,
     "the backoff before the next launch"},
    {P::post_shutdown, "post_shutdown", M::stop, Op::store, Field::shutdown_request, W::none,
     "SIGINT or SIGTERM: post the request (and wake the futex)"},
    {P::read_shutdown_notice, "read_shutdown_notice", M::stop, Op::load, Field::shutdown_request, W::none,
     "SIGUSR1: did someone post a request?"},
    {P::read_registration_for_stop, "read_registration_for_stop", M::stop, Op::load, Field::listener_identity, W::none,
     "the request is posted: a registered listener gets the stop timeout, any other the stop signal now"},
    {P::finished, "finished", M::done, Op::none, std::nullopt, W::none, "exit_code() is final"},
}};

constexpr bool specs_in_phase_order() {
  for (std::size_t index = 0; index < phase_specs.size(); ++index) {
    if (static_cast<std::size_t>(phase_specs[index].phase) != index) return false;
  }
  return true;
}
static_assert(specs_in_phase_order(), "controller_phase_specs must list the phases in enum order");

// Every phase change the core makes. Adoption and the start of a stop end in `running`, in
// `read_registration_for_stop` (a stop begins with an unregistered process) or in `finished` (nothing
// left to stop), wherever they happen.
constexpr ControllerTransition transitions[] = {
    {P::read_magic, P::read_incarnation, "magic ok"},
    {P::read_magic, P::initialise, "magic 0"},
    {P::read_magic, P::finished, "foreign (65)"},
    {P::initialise, P::initialise, "store one header field"},
    {P::initialise, P::claim, "magic stored last"},
    {P::read_incarnation, P::claim, "incarnation known"},
    {P::claim, P::read_shutdown, "controller_identity stored"},
    {P::read_shutdown, P::read_listener, "request noted"},
    {P::read_listener, P::running, "registered and alive: adopt"},
    {P::read_listener, P::read_registration_for_stop, "adopt while a request binds"},
    {P::read_listener, P::clear_stale_listener, "registered, dead"},
    {P::read_listener, P::read_launched, "none registered"},
    {P::clear_stale_listener, P::read_launched, "CAS(dead identity to 0)"},
    {P::read_launched, P::running, "launched and alive: adopt"},
    {P::read_launched, P::read_registration_for_stop, "adopt while a request binds"},
    {P::read_launched, P::finished, "request binds, nobody alive (0)"},
    {P::read_launched, P::bump_generation, "nobody alive"},
    {P::bump_generation, P::recheck_listener, "fetch_add(generation)"},
    {P::recheck_listener, P::running, "registered meanwhile: adopt"},
    {P::recheck_listener, P::check_shutdown_and_spawn, "none registered"},
    {P::check_shutdown_and_spawn, P::post_shutdown, "SIGINT / SIGTERM pending"},
    {P::check_shutdown_and_spawn, P::finished, "request posted (0) / program not found (69)"},
    {P::check_shutdown_and_spawn, P::decide_after_exit, "spawn failed"},
    {P::check_shutdown_and_spawn, P::record_launched, "spawned, held at its gate"},
    {P::record_launched, P::release_launched, "launched_identity stored"},
    {P::release_launched, P::count_restart, "gate opened, not the first launch"},
    {P::release_launched, P::running, "gate opened"},
    {P::count_restart, P::running, "fetch_add(restarts)"},
    {P::running, P::running, "kill timeout: SIGKILL"},
    {P::running, P::post_shutdown, "SIGINT / SIGTERM"},
    {P::running, P::read_shutdown_notice, "SIGUSR1"},
    {P::running, P::read_exit_state, "adopted process exited"},
    {P::running, P::clear_dead_listener, "own child exited"},
    {P::running, P::check_ready, "ready timeout / early look"},
    {P::running, P::read_heartbeat, "stop or watchdog deadline"},
    {P::running, P::read_registration_for_stop, "stop deadline, unregistered"},
    {P::check_ready, P::running, "registered / plain worker / look again"},
    {P::check_ready, P::read_heartbeat, "registered, watchdog on"},
    {P::read_heartbeat, P::running, "progress: extend / none: SIGTERM or SIGKILL"},
    {P::read_exit_state, P::clear_dead_listener, "departed_identity read"},
    {P::clear_dead_listener, P::decide_after_exit, "CAS(its identity to 0)"},
    {P::decide_after_exit, P::finished, "request (0) / no restart (0, 1) / start limit (69)"},
    {P::decide_after_exit, P::waiting_restart, "restart after the backoff"},
    {P::waiting_restart, P::bump_generation, "delay over"},
    {P::waiting_restart, P::post_shutdown, "SIGINT / SIGTERM"},
    {P::waiting_restart, P::read_shutdown_notice, "SIGUSR1"},
    {P::post_shutdown, P::running, "request stored, registered: stop timer"},
    {P::post_shutdown, P::read_registration_for_stop, "request stored, unregistered"},
    {P::post_shutdown, P::finished, "request stored, nobody alive (0)"},
    {P::read_shutdown_notice, P::running, "no request / registered: stop timer"},
    {P::read_shutdown_notice, P::read_registration_for_stop, "request, unregistered"},
    {P::read_shutdown_notice, P::waiting_restart, "no request"},
    {P::read_shutdown_notice, P::finished, "request, nobody alive (0)"},
    {P::read_registration_for_stop, P::running, "registered: stop timer / plain: stop signal now"},
};

}  // namespace

std::string_view controller_machine_name(ControllerMachine machine) {
  switch (machine) {
    case M::startup: return "startup";
    case M::launch: return "launch";
    case M::supervise: return "supervise";
    case M::stop: return "stop";
    case M::done: return "done";
  }
  return "invalid";
}

const ControllerPhaseSpec& controller_phase_spec(ControllerPhase phase) {
  return phase_specs[static_cast<std::size_t>(phase)];
}

std::span<const ControllerPhaseSpec> controller_phase_specs() { return phase_specs; }

std::span<const ControllerTransition> controller_transitions() { return transitions; }

constexpr auto transition_matrix = transition_bits<controller_phase_count>(transitions);

bool controller_transition_declared(ControllerPhase from, ControllerPhase to) {
  return transition_declared(transition_matrix, from, to);
}

}  // namespace tether
