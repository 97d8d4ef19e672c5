#include "fault_bounds.hpp"

#include <fmt/format.h>

namespace tether::sim {

std::optional<std::string> FaultBounds::problem() const {
  for (const FaultBoundField& field : fault_bound_fields) {
    const std::uint32_t value = this->*field.member;
    if (field.member == &FaultBounds::controllers) {
      if (value < 1 || value > controllers_max) {
        return fmt::format("{} must be between 1 and {}", field.name, controllers_max);
      }
    } else if (value > per_kind_max) {
      return fmt::format("{} must be at most {}", field.name, per_kind_max);
    }
  }
  return std::nullopt;
}

std::string describe(const FaultBounds& bounds) {
  std::string text;
  for (const FaultBoundField& field : fault_bound_fields) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", field.name, bounds.*field.member);
  }
  return text;
}

std::string_view check_fault_name(CheckFault fault) {
  switch (fault) {
    case CheckFault::start_controller: return "start_controller";
    case CheckFault::shutdown_tool: return "shutdown_tool";
    case CheckFault::clean: return "clean";
    case CheckFault::remove_segment: return "remove_segment";
    case CheckFault::listener_exit: return "listener_exit";
    case CheckFault::listener_hang: return "listener_hang";
    case CheckFault::ignore_sigterm: return "ignore_sigterm";
    case CheckFault::stranger: return "stranger";
    case CheckFault::stall: return "stall";
  }
  return "invalid";
}

}  // namespace tether::sim
