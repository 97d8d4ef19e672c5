#pragma once
// `tether shutdown` as a party of the protocol: its steps live here once, driven by the real tool
// (src/apps/tether_shutdown.cpp) and by the simulator's tool processes alike. Like the other cores it
// performs at most one segment operation per step, each checked against its declared phase, so the
// simulator can interleave it with a controller and a listener and crash it between any two.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/checked_segment.hpp"
#include "core/ports.hpp"
#include "core/segment_op.hpp"

namespace tether {

enum class ShutdownPhase : std::uint8_t {
  read_magic,         // a segment whose creator has not finished (or died) setting it up: not ours to post in
  post_request,       // store shutdown_request = 1 and wake the listeners' futex: the request is now visible
  read_controller,    // who to nudge: the identity recorded in the segment
  notify_controller,  // SIGUSR1 to exactly that identity, so that its stop timer starts now
  finished,
};
inline constexpr std::size_t shutdown_phase_count = static_cast<std::size_t>(ShutdownPhase::finished) + 1;

struct ShutdownPhaseSpec {
  ShutdownPhase phase;
  std::string_view name;
  SegmentOp op;
  std::optional<Field> field;
};
const ShutdownPhaseSpec& shutdown_phase_spec(ShutdownPhase phase);

// Everything the tool's core changes, as a value (see ControllerState).
struct ShutdownState {
  ShutdownPhase phase = ShutdownPhase::read_magic;
  ProcessIdentity controller{};
  bool controller_told = false;
  int exit_code = 0;
  friend bool operator==(const ShutdownState&, const ShutdownState&) = default;
};
std::uint64_t hash_value(const ShutdownState& state);

class ShutdownCore {
 public:
  ShutdownCore(SegmentPort& segment, NoticePort& notices);

  // Performs the next step; true once finished (then exit_code() is final).
  bool step();
  [[nodiscard]] bool finished() const { return state_.phase == ShutdownPhase::finished; }
  [[nodiscard]] ShutdownPhase phase() const { return state_.phase; }
  [[nodiscard]] const ShutdownState& state() const { return state_; }
  [[nodiscard]] int exit_code() const;
  // The controller recorded in the segment (valid() false when none was), and whether it got the nudge.
  [[nodiscard]] ProcessIdentity controller() const { return state_.controller; }
  [[nodiscard]] bool controller_told() const { return state_.controller_told; }

 private:
  CheckedSegment segment_;  // every operation checked against the phase's declaration
  NoticePort& notices_;
  ShutdownState state_;
};

}  // namespace tether
