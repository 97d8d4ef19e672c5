#pragma once
// The only seam between the protocol cores and the world. The real drivers implement these ports over
// POSIX (src/adapters), the simulator over its virtual world (sim/). The cores receive them by
// reference: no globals, so a test or the simulator can run many worlds side by side.
#include <cstdint>
#include <string>

#include "core/launch_ticket.hpp"
#include "core/process_identity.hpp"
#include "core/result.hpp"
#include "core/segment_layout.hpp"

namespace tether {

// One atomic operation on one field of the shared segment per call. The cores perform at most one of
// these per step, which is what lets the simulator interleave two processes at every segment operation
// and crash either between any two.
class SegmentPort {
 public:
  virtual ~SegmentPort() = default;
  virtual std::uint64_t load(Field field) = 0;
  virtual void store(Field field, std::uint64_t value) = 0;
  // Strong compare-and-exchange; on failure `expected` receives the current value.
  virtual bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) = 0;
  virtual std::uint64_t fetch_add(Field field, std::uint64_t delta) = 0;
  // Wakes every process waiting for the shutdown word to change (a futex wake for real). Not a memory
  // operation: it accompanies the store of the shutdown request in the same step.
  virtual void wake_shutdown_waiters() = 0;
};

enum class SpawnError : std::uint8_t {
  not_found,         // the command does not exist or is not executable
  resources,         // out of processes, memory or descriptors: worth retrying later
  identity_unknown,  // spawned, but it died before its identity could be read
};
std::string_view spawn_error_text(SpawnError error);

enum class SignalOutcome : std::uint8_t {
  delivered,
  gone,  // the identity no longer exists (exited, or its pid belongs to a stranger now)
  not_permitted,
};

enum class Signal : std::uint8_t { terminate, kill };

// The one process question a listener asks: is the holder of a registration still that process?
class IdentityPort {
 public:
  virtual ~IdentityPort() = default;
  // True when a process with this pid exists now and has this start time.
  virtual bool is_alive(ProcessIdentity identity) = 0;
};

class ProcessPort : public IdentityPort {
 public:
  // Launches the listener command with TETHER_NAME, TETHER_INCARNATION and TETHER_GENERATION set (from
  // the ticket) and starts watching it. The new process is held at a gate: it runs the command only once
  // released, and exits without running it if its controller dies first. So a launch the controller
  // has not recorded in the segment (launched_identity) never runs: a controller killed in between
  // leaves no worker that nobody knows of.
  virtual Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) = 0;
  // Opens the gate of a process this port spawned. Harmless when it has already exited.
  virtual void release(ProcessIdentity identity) = 0;
  // Starts watching a process this controller did not spawn (adoption). False when it is already gone.
  // Its exit is reported to the core by the driver, as for spawned ones.
  virtual bool watch(ProcessIdentity identity) = 0;
  // Signals only that identity: implementations verify the start time through a handle that cannot be
  // redirected to a new process (a pidfd) before sending.
  virtual SignalOutcome signal(ProcessIdentity identity, Signal signal) = 0;
};

// How `tether shutdown` asks a controller to look at the segment now (SIGUSR1 for real), so that its
// stop starts at once rather than at its next own look.
class NoticePort {
 public:
  virtual ~NoticePort() = default;
  // Only to that identity (verified by its start time); true when it was delivered.
  virtual bool notify_controller(ProcessIdentity controller) = 0;
};

// Monotonic time for the drivers. The cores do not hold a clock: time is passed into them (`now_ns`)
// and they answer with their next deadline, so they never read the world on their own.
class ClockPort {
 public:
  virtual ~ClockPort() = default;
  virtual std::uint64_t now_ns() = 0;
};

}  // namespace tether
