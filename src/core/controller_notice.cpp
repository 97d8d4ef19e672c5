// What a worker says through systemd's notify socket or s6's notification fd, applied to the
// controller's state. Pure bookkeeping: no port is called here, so a flood of notices between two steps
// costs no signal and no segment operation; at most one event per worker for READY=1 and STOPPING=1,
// and an extension is logged once by the next supervision step.
#include <algorithm>

#include "core/controller_core.hpp"
#include "core/units.hpp"

namespace tether {

void ControllerCore::handle_worker_notice(const WorkerNotice& notice) {
  // A notice about an earlier worker (read after its exit was reported) carries no news.
  if (!state_.listener.valid() || notice.process != state_.listener) return;
  WorkerNoticeState& said = state_.worker_notices;
  switch (notice.kind) {
    case WorkerNotice::Kind::ready:
      if (said.ready) return;
      said.ready = true;
      // Ready is what registering would have shown: no ready timeout, and no more looks at the
      // registration (a worker that speaks the notify protocol is a plain worker: stopped by signal).
      state_.ready_deadline_ns.reset();
      if (!said.heartbeat_ns.has_value() && !state_.listener_registered) state_.watchdog_deadline_ns.reset();
      emit({ControllerEvent::Kind::worker_ready, state_.listener});
      return;
    case WorkerNotice::Kind::stopping:
      if (said.stopping) return;
      said.stopping = true;
      emit({ControllerEvent::Kind::worker_stopping, state_.listener});
      return;
    case WorkerNotice::Kind::watchdog:
      // Heartbeats never go back in time (the driver's clock is monotonic, but notices may be replayed).
      said.heartbeat_ns = std::max(said.heartbeat_ns.value_or(0), notice.received_ns);
      if (config_.watchdog_ms != 0 && !state_.shutdown_requested) {
        state_.watchdog_deadline_ns = saturating_sum(*said.heartbeat_ns, ms_to_ns(config_.watchdog_ms));
      }
      return;
    case WorkerNotice::Kind::extend_timeout:
      // Outside a stop there is no timeout to extend (systemd also ignores it then).
      if (!state_.shutdown_requested) return;
      extend_stop(saturating_sum(notice.received_ns, std::min(notice.extend_us, UINT64_MAX / 1000) * 1000));
      return;
  }
}

// Like a listener's heartbeat during a stop: the deadline that governs now (the stop timeout before the
// stop signal, the kill timeout after it) moves out to `until_ns`, never earlier than it was and never
// past --stop-timeout-max-ms after the request.
void ControllerCore::extend_stop(std::uint64_t until_ns) {
  std::optional<std::uint64_t>* deadline = nullptr;
  if (!state_.sigterm_sent && state_.stop_deadline_ns.has_value()) deadline = &state_.stop_deadline_ns;
  if (state_.sigterm_sent && !state_.sigkill_sent && state_.kill_deadline_ns.has_value()) {
    deadline = &state_.kill_deadline_ns;
  }
  if (deadline == nullptr) return;
  const std::uint64_t extended_ns = std::min(until_ns, stop_extension_cap_ns());
  if (extended_ns <= **deadline) return;
  *deadline = extended_ns;
  state_.worker_notices.extension_unreported = true;
}

std::uint64_t ControllerCore::stop_extension_cap_ns() const {
  return saturating_sum(state_.stop_requested_ns,
                        ms_to_ns(std::max(config_.stop_timeout_ms_max, config_.stop_timeout_ms)));
}

}  // namespace tether
