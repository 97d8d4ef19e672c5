#pragma once
// The controller's phases, declared once. For each phase: the sub-machine it belongs to, the one
// segment operation it may perform (the core asserts every step against this), and whether it waits
// and on which deadline (deadline_ns() and the "am I waiting" test read it). The transitions table lists
// every phase change the core may make (the core asserts each change against it), and the state
// diagram in docs/PROTOCOL.md is generated from both (tether-diagrams), so the picture cannot drift.
//
// Adding a phase: one entry in `controller_phase_specs`, its transitions, and its step function in the
// sub-machine's file (controller_startup.cpp, controller_launch.cpp, controller_supervise.cpp,
// controller_stop.cpp) registered in ControllerCore's step table.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/segment_layout.hpp"
#include "core/segment_op.hpp"

namespace tether {

enum class ControllerPhase : std::uint8_t {
  read_magic,
  initialise,
  read_incarnation,
  claim,
  read_shutdown,
  read_listener,
  clear_stale_listener,
  read_launched,
  bump_generation,
  recheck_listener,
  check_shutdown_and_spawn,
  record_launched,
  release_launched,
  count_restart,
  running,
  check_ready,
  read_heartbeat,
  read_exit_state,
  clear_dead_listener,
  decide_after_exit,
  waiting_restart,
  post_shutdown,
  read_shutdown_notice,
  read_registration_for_stop,
  finished,
};
inline constexpr std::size_t controller_phase_count = static_cast<std::size_t>(ControllerPhase::finished) + 1;

// The sub-machines: each phase belongs to exactly one.
enum class ControllerMachine : std::uint8_t { startup, launch, supervise, stop, done };
std::string_view controller_machine_name(ControllerMachine machine);

// What a waiting phase waits for, besides the driver's inputs (an exit, a signal, a notice).
enum class PhaseWait : std::uint8_t {
  none,           // never waits: the next step follows at once
  supervision,    // the ready, watchdog, stop or kill deadline, whichever applies
  restart_delay,  // the backoff before the next launch
};

struct ControllerPhaseSpec {
  ControllerPhase phase;
  std::string_view name;
  ControllerMachine machine;
  SegmentOp op;
  std::optional<Field> field;  // the field `op` touches; nullopt with an op: one header field per step
  PhaseWait wait;
  std::string_view purpose;  // one line for the docs
};

struct ControllerTransition {
  ControllerPhase from;
  ControllerPhase to;
  std::string_view label;  // when it is taken, for the diagram
};

const ControllerPhaseSpec& controller_phase_spec(ControllerPhase phase);
std::span<const ControllerPhaseSpec> controller_phase_specs();
std::span<const ControllerTransition> controller_transitions();
bool controller_transition_declared(ControllerPhase from, ControllerPhase to);

}  // namespace tether
