#pragma once
// The listener side of the protocol as a state machine: the worker asks for one operation at a time
// (register, check for shutdown, mark a unit, heartbeat, leave) and the core carries it out in steps of
// at most one segment operation each. The real session runs each operation to completion at once; the
// simulator interleaves the steps with the controller's.
#include <array>
#include <cstdint>
#include <optional>

#include "core/checked_segment.hpp"
#include "core/crash_points.hpp"
#include "core/listener_phases.hpp"
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
  // The check_shutdown operation's common answer without its steps, for a driver that read the request
  // word itself (one atomic load): with no request seen before and none in `request_word`, the check
  // completes at once as "no request" and changes nothing else. Nullopt otherwise: run the operation.
  std::optional<bool> check_shutdown_fast(std::uint64_t request_word);
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
  using Phase = ListenerPhase;
  using StepFunction = void (ListenerCore::*)();
  struct PhaseStep {
    Phase phase;
    StepFunction step;
  };

  void complete();
  // Every phase change is checked against the declared transitions (listener_phases.cpp).
  void enter(Phase next);
  void store_state(ListenerState state);

  void step_done();
  void step_check_incarnation();
  void step_claim();
  void step_check_generation();
  void step_withdraw();
  void step_set_state_starting();
  void step_set_state_idle();
  void step_check_shutdown();
  void step_set_state_stopping();
  void step_set_state_working();
  void step_write_heartbeat();
  void step_set_state_exited();
  void step_record_departure();
  void step_release();

  // One step function per phase, in ListenerPhase order (checked at compile time in the constructor).
  static constexpr std::array<PhaseStep, listener_phase_count> phase_steps_ = {{
      {Phase::done, &ListenerCore::step_done},
      {Phase::check_incarnation, &ListenerCore::step_check_incarnation},
      {Phase::claim, &ListenerCore::step_claim},
      {Phase::check_generation, &ListenerCore::step_check_generation},
      {Phase::withdraw, &ListenerCore::step_withdraw},
      {Phase::set_state_starting, &ListenerCore::step_set_state_starting},
      {Phase::set_state_idle, &ListenerCore::step_set_state_idle},
      {Phase::check_shutdown, &ListenerCore::step_check_shutdown},
      {Phase::set_state_stopping, &ListenerCore::step_set_state_stopping},
      {Phase::set_state_working, &ListenerCore::step_set_state_working},
      {Phase::write_heartbeat, &ListenerCore::step_write_heartbeat},
      {Phase::set_state_exited, &ListenerCore::step_set_state_exited},
      {Phase::record_departure, &ListenerCore::step_record_departure},
      {Phase::release, &ListenerCore::step_release},
  }};
  static constexpr bool steps_in_phase_order() {
    for (std::size_t index = 0; index < phase_steps_.size(); ++index) {
      if (static_cast<std::size_t>(phase_steps_[index].phase) != index) return false;
    }
    return true;
  }

  CheckedSegment segment_;  // every operation checked against the phase's declaration
  IdentityPort& identities_;
  ListenerCoreState state_;
};

}  // namespace tether
