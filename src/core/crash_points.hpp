#pragma once
// Named points of the protocol where a crash is most instructive. The cores report the point their last
// step passed; the simulator crashes processes there, and the real binaries' failpoints
// (TETHER_FAILPOINTS) fire there, so that a simulated failure can be re-enacted on real processes under
// the same name.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tether {

enum class CrashPoint : std::uint8_t {
  none,
  mid_init,                // controller: half of the segment header written, magic not yet
  after_spawn,             // controller: listener spawned (held at its gate), its identity not yet recorded
  after_record,            // controller: launch recorded, the process not yet released from its gate
  after_register,          // listener: registered, no unit started yet
  in_unit,                 // listener: inside a unit of work
  between_check_and_unit,  // listener: saw no shutdown request, next unit not yet begun
};

inline constexpr std::array<CrashPoint, 6> all_crash_points = {
    CrashPoint::mid_init,       CrashPoint::after_spawn, CrashPoint::after_record,
    CrashPoint::after_register, CrashPoint::in_unit,     CrashPoint::between_check_and_unit,
};

constexpr std::string_view crash_point_name(CrashPoint point) {
  switch (point) {
    case CrashPoint::none: return "none";
    case CrashPoint::mid_init: return "mid_init";
    case CrashPoint::after_spawn: return "after_spawn";
    case CrashPoint::after_record: return "after_record";
    case CrashPoint::after_register: return "after_register";
    case CrashPoint::in_unit: return "in_unit";
    case CrashPoint::between_check_and_unit: return "between_check_and_unit";
  }
  return "invalid";
}

constexpr std::optional<CrashPoint> parse_crash_point(std::string_view name) {
  for (const CrashPoint point : all_crash_points) {
    if (crash_point_name(point) == name) return point;
  }
  return std::nullopt;
}

}  // namespace tether
