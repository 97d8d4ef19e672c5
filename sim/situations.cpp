#include "world.hpp"

namespace tether::sim {

std::string_view situation_name(Situation situation) {
  switch (situation) {
    case Situation::pid_reused_by_stranger: return "pid_reused_by_stranger";
    case Situation::shutdown_during_unit: return "shutdown_during_unit";
    case Situation::adoption: return "adoption";
    case Situation::crash_during_init: return "crash_during_init";
    case Situation::crash_between_spawn_and_registration: return "crash_between_spawn_and_registration";
    case Situation::crash_loop_give_up: return "crash_loop_give_up";
    case Situation::stale_segment: return "stale_segment";
    case Situation::half_initialised_segment: return "half_initialised_segment";
    case Situation::stale_registration_cleared: return "stale_registration_cleared";
    case Situation::second_controller_refused: return "second_controller_refused";
    case Situation::sigterm_ignored: return "sigterm_ignored";
    case Situation::sigkill_escalation: return "sigkill_escalation";
    case Situation::listener_hang: return "listener_hang";
    case Situation::listener_self_exit: return "listener_self_exit";
    case Situation::shutdown_by_signal: return "shutdown_by_signal";
    case Situation::shutdown_by_tool: return "shutdown_by_tool";
    case Situation::spawn_failure: return "spawn_failure";
    case Situation::controller_killed: return "controller_killed";
    case Situation::listener_killed: return "listener_killed";
    case Situation::plain_worker_detected: return "plain_worker_detected";
    case Situation::plain_worker_adopted: return "plain_worker_adopted";
    case Situation::plain_worker_stopped_by_signal: return "plain_worker_stopped_by_signal";
    case Situation::plain_worker_sigkill_escalation: return "plain_worker_sigkill_escalation";
    case Situation::plain_worker_self_exit: return "plain_worker_self_exit";
    case Situation::launch_abandoned: return "launch_abandoned";
    case Situation::count_: break;
  }
  return "invalid";
}

}  // namespace tether::sim
