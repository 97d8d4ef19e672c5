#pragma once
// What the controller core reports happened, for logs and for the simulator's trace. The core queues
// these; its driver drains them after every step.
#include <cstdint>
#include <string_view>

#include "core/exit_status.hpp"
#include "core/process_identity.hpp"

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
    unregistered,     // the launched process did not register within the ready timeout: a plain worker
    stop_signalled,   // a plain worker was sent the stop signal at once (it cannot read the request)
    gave_up,
    finished,
  };
  Kind kind;
  ProcessIdentity process{};
  ExitStatus status{};
  std::uint64_t value = 0;  // generation for launched; delay_ms for restarting; exit code for finished
  friend bool operator==(const ControllerEvent&, const ControllerEvent&) = default;
};

std::string_view controller_event_name(ControllerEvent::Kind kind);

}  // namespace tether
