#pragma once
// The listener core's phases, declared once, as the controller's are (controller_phases.hpp): for each,
// the operation it serves, the one segment operation it may perform; beside them, every transition.
// The core asserts its steps and phase changes against these tables, and the listener diagram in
// docs/PROTOCOL.md is generated from them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/segment_layout.hpp"
#include "core/segment_op.hpp"

namespace tether {

enum class ListenerPhase : std::uint8_t {
  done,               // between operations
  check_incarnation,  // before claiming: launched for another segment of the name means leave it be
  claim,              // compare-and-exchange our identity into the registration
  check_generation,   // after claiming: a newer launch means withdraw
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
inline constexpr std::size_t listener_phase_count = static_cast<std::size_t>(ListenerPhase::release) + 1;

// Which of the worker's operations a phase serves (`done` serves none: the core waits for the next).
enum class ListenerPart : std::uint8_t { idle, register_self, check, unit, leave };
std::string_view listener_part_name(ListenerPart part);

struct ListenerPhaseSpec {
  ListenerPhase phase;
  std::string_view name;
  ListenerPart part;
  SegmentOp op;
  std::optional<Field> field;
  std::string_view purpose;
};

struct ListenerTransition {
  ListenerPhase from;
  ListenerPhase to;
  std::string_view label;
};

const ListenerPhaseSpec& listener_phase_spec(ListenerPhase phase);
std::span<const ListenerPhaseSpec> listener_phase_specs();
std::span<const ListenerTransition> listener_transitions();
bool listener_transition_declared(ListenerPhase from, ListenerPhase to);

}  // namespace tether
