#pragma once
// The listener side of the protocol as a state machine: the worker asks for one operation at a time
// (register, check for shutdown, mark a unit, heartbeat, leave) and the core carries it out in steps of
// at most one segment operation each. The real session runs each operation to completion at once; the
// simulator interleaves the steps with the controller's.
#include <cstdint>
#include <optional>

#include "core/crash_points.hpp"
#include "core/ports.hpp"

namespace tether {

enum class ListenerOperation : std::uint8_t {
  register_self,
  check_shutdown,
  begin_unit,
  end_unit,
  heartbeat,
  leave,
};

enum class RegisterOutcome : std::uint8_t {
  registered,
  taken,       // another live listener holds the registration
  superseded,  // our controller has launched a newer generation: we must not work
  replaced,    // the segment we were launched for was removed and this is a successor: not ours to join
};

enum class ListenerPhase : std::uint8_t {
  done,
  check_incarnation,  // before claiming: launched for another segment of the name means leave it be
  claim,             // compare-and-exchange our identity into the registration
  check_generation,  // after claiming: a newer launch means withdraw
  withdraw,
  set_state_starting,
  set_state_idle,
  check_shutdown,
  set_state_stopping,
  set_state_working,
  write_heartbeat,
  set_state_exited,
  record_departure,  // our identity in departed_identity: the controller's proof that we left cleanly
  release,
};

// Everything a listener core changes while it runs, as one value: copyable, comparable and hashable
// (see ControllerState for why).
struct ListenerCoreState {
  ProcessIdentity self;
  std::optional<LaunchTicket> launch;
  ListenerPhase phase = ListenerPhase::done;
  std::optional<ListenerOperation> operation;
  std::uint64_t now_ns = 0;
  std::uint64_t claim_expected = 0;
  std::uint32_t claim_attempts = 0;
  std::uint32_t steps_in_operation = 0;
  bool registered = false;
  std::optional<RegisterOutcome> register_outcome;
  bool shutdown_seen = false;
  bool in_unit = false;
  CrashPoint passed_point = CrashPoint::none;

  friend bool operator==(const ListenerCoreState&, const ListenerCoreState&) = default;
};
std::uint64_t hash_value(const ListenerCoreState& state);

class ListenerCore {
 public:
  // A registration that keeps changing under us is a bug or an attack; give up after this many.
  static constexpr std::uint32_t register_attempts_max = 8;
  // Bounds the steps any one operation takes (register: incarnation check, attempts, generation check
  // and state).
  static constexpr std::uint32_t operation_steps_max = 2 * register_attempts_max + 5;

  // `launch` is the ticket our controller launched us with (TETHER_INCARNATION, TETHER_GENERATION);
  // without one (a worker started by hand) neither is checked.
  ListenerCore(SegmentPort& segment, IdentityPort& identities, ProcessIdentity self,
               std::optional<LaunchTicket> launch);
  // Resumes from a copy of another core's state (the model checker forks worlds this way).
  ListenerCore(SegmentPort& segment, IdentityPort& identities, const ListenerCoreState& state);
  [[nodiscard]] const ListenerCoreState& state() const { return state_; }

  // Starts an operation; the previous one must be complete.
  void begin(ListenerOperation operation, std::uint64_t now_ns);
  // Performs the next step of the current operation; true once it is complete.
  bool step();
  [[nodiscard]] bool busy() const { return state_.phase != ListenerPhase::done; }
  [[nodiscard]] std::optional<ListenerOperation> operation() const { return state_.operation; }

  [[nodiscard]] bool registered() const { return state_.registered; }
  [[nodiscard]] std::optional<RegisterOutcome> register_outcome() const { return state_.register_outcome; }
  // Sticky: once the request was seen it stays seen (it is never withdrawn in the segment either).
  [[nodiscard]] bool shutdown_seen() const { return state_.shutdown_seen; }
  [[nodiscard]] bool in_unit() const { return state_.in_unit; }
  [[nodiscard]] ProcessIdentity self() const { return state_.self; }
  // The named crash point the completed operation reached (CrashPoint::none for most).
  [[nodiscard]] CrashPoint passed_point() const { return state_.passed_point; }

 private:

  void complete();
  using Phase = ListenerPhase;

  SegmentPort& segment_;
  IdentityPort& identities_;
  ListenerCoreState state_;
};

}  // namespace tether
