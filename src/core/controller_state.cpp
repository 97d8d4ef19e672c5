#include "core/controller_state.hpp"

#include "core/state_hash.hpp"

namespace tether {

std::uint64_t hash_value(const ControllerState& state) {
  Fnv1a hash;
  hash.add(state.self);
  hash.add(state.start_limiter.hash());
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.initialise_index);
  hash.add(state.ticket.incarnation);
  hash.add(state.ticket.generation);
  hash.add(state.listener);
  hash.add(state.listener_started_ns);
  hash.add(state.consecutive_failures);
  const bool flags[] = {state.launched_before,
                        state.shutdown_requested,
                        state.shutdown_signal_pending,
                        state.shutdown_notice_pending,
                        state.listener_registered,
                        state.sigterm_sent,
                        state.sigkill_sent,
                        state.remove_segment,
                        state.exit_pending.has_value(),
                        state.worker_notices.ready,
                        state.worker_notices.stopping,
                        state.worker_notices.extension_unreported};
  for (const bool flag : flags) hash.add(flag ? 1 : 0);
  if (state.exit_pending.has_value()) hash.add(*state.exit_pending);
  hash.add(state.exited_process);
  hash.add(state.stop_deadline_ns);
  hash.add(state.kill_deadline_ns);
  hash.add(state.restart_deadline_ns);
  hash.add(state.watchdog_deadline_ns);
  hash.add(state.ready_deadline_ns);
  hash.add(state.stop_requested_ns);
  hash.add(state.worker_notices.heartbeat_ns);
  hash.add(static_cast<std::uint64_t>(state.passed_point));
  hash.add(static_cast<std::uint64_t>(state.exit_code));
  hash.add_each(state.events);
  return hash.value();
}

}  // namespace tether
