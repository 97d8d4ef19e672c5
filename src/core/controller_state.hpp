#pragma once
// Everything a controller core changes while it runs, as one value: copyable, equality-comparable and
// hashable, so that a simulated world holding cores can be fingerprinted and forked (the model checker
// depends on this). The core holds nothing else but its configuration and its ports.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "core/controller_event.hpp"
#include "core/controller_phases.hpp"
#include "core/crash_points.hpp"
#include "core/exit_status.hpp"
#include "core/launch_ticket.hpp"
#include "core/process_identity.hpp"
#include "core/restart_policy.hpp"

namespace tether {

// What the watched worker said through the notify protocols (WorkerNotice); reset at every launch.
struct WorkerNoticeState {
  bool ready = false;
  bool stopping = false;
  std::optional<std::uint64_t> heartbeat_ns;  // its last WATCHDOG=1: from then on the watchdog applies
  bool extension_unreported = false;          // EXTEND_TIMEOUT_USEC moved a stop deadline: log it once
  friend bool operator==(const WorkerNoticeState&, const WorkerNoticeState&) = default;
};

struct ControllerState {
  ControllerState(ProcessIdentity self_identity, StartLimiter limiter) : self(self_identity), start_limiter(limiter) {}

  ProcessIdentity self;
  StartLimiter start_limiter;
  ControllerPhase phase = ControllerPhase::read_magic;
  std::uint32_t initialise_index = 0;
  LaunchTicket ticket{};       // incarnation once known; generation after each launch's bump
  ProcessIdentity listener{};  // the process we watch (registered or just launched)
  std::uint64_t listener_started_ns = 0;
  bool launched_before = false;
  std::uint32_t consecutive_failures = 0;

  bool shutdown_requested = false;
  bool shutdown_signal_pending = false;
  bool shutdown_notice_pending = false;
  std::optional<ExitStatus> exit_pending;
  ProcessIdentity exited_process{};

  std::optional<std::uint64_t> stop_deadline_ns;
  std::optional<std::uint64_t> kill_deadline_ns;
  std::optional<std::uint64_t> restart_deadline_ns;
  std::optional<std::uint64_t> watchdog_deadline_ns;
  std::optional<std::uint64_t> ready_deadline_ns;
  bool listener_registered = false;  // known to hold the registration (false: unknown yet, or plain)
  WorkerNoticeState worker_notices;
  std::uint64_t stop_requested_ns = 0;
  CrashPoint passed_point = CrashPoint::none;
  bool sigterm_sent = false;
  bool sigkill_sent = false;

  int exit_code = 0;
  bool remove_segment = false;
  std::deque<ControllerEvent> events;  // bounded by ControllerCore::event_queue_max

  friend bool operator==(const ControllerState&, const ControllerState&) = default;
};

// A 64-bit hash of every field (FNV-1a over the values, not the bytes: padding never counts).
std::uint64_t hash_value(const ControllerState& state);

}  // namespace tether
