#pragma once
// What the controller core reports happened, for logs and for the simulator's trace. The core queues
// these; its driver drains them after every step.
#include <cstdint>
#include <string_view>

#include "core/exit_status.hpp"
#include "core/process_identity.hpp"
#include "core/state_hash.hpp"

namespace tether {

struct ControllerEvent {
  enum class Kind : std::uint8_t {
    segment_initialised,
    stale_listener_cleared,  // a registered identity whose process is gone (or is a stranger now)
    launched,
    launch_failed,
    adopted,
    exited,
    restarting,
    shutdown_requested,  // value: 1 when found posted at start (left while no controller ran), else 0
    escalated_sigterm,
    escalated_sigkill,
    stop_extended,    // heartbeats during the stop moved its deadline; value: new deadline in ms from now
    watchdog_fired,   // the heartbeat was too old; value: its age in ms
    registered,       // the controller found the launched process's identity in the segment: a listener
    unregistered,     // the launched process did not register within the ready timeout: a plain worker
    stop_signalled,   // a plain worker was sent the stop signal at once (it cannot read the request)
    worker_ready,     // the worker said READY=1 (notify socket) or wrote its notification fd's newline
    worker_stopping,  // the worker said STOPPING=1
    gave_up,
    finished,
  };
  Kind kind;
  ProcessIdentity process{};
  ExitStatus status{};
  std::uint64_t value = 0;  // generation for launched; delay_ms for restarting; exit code for finished
  friend bool operator==(const ControllerEvent&, const ControllerEvent&) = default;
};
inline std::uint64_t hash_value(const ControllerEvent& event) {
  Fnv1a hash;
  hash.add(static_cast<std::uint64_t>(event.kind));
  hash.add(event.process);
  hash.add(event.status);
  hash.add(event.value);
  return hash.value();
}

std::string_view controller_event_name(ControllerEvent::Kind kind);

// What a worker said through the readiness protocols it already speaks (systemd's notify socket, s6's
// notification fd), as the driver hands it to the core (ControllerCore::handle_worker_notice). The
// driver has already refused malformed messages and senders outside the worker's process group; the
// core ignores a notice about any process but the one it watches now.
struct WorkerNotice {
  enum class Kind : std::uint8_t {
    ready,           // READY=1, or the notification fd's newline
    stopping,        // STOPPING=1
    watchdog,        // WATCHDOG=1: a heartbeat, judged by --watchdog-ms like a listener's
    extend_timeout,  // EXTEND_TIMEOUT_USEC=extend_us: during a stop, more time before the next signal
  };
  Kind kind;
  ProcessIdentity process{};
  std::uint64_t received_ns = 0;  // when the driver read it (monotonic)
  std::uint64_t extend_us = 0;    // extend_timeout only
  friend bool operator==(const WorkerNotice&, const WorkerNotice&) = default;
};

}  // namespace tether
