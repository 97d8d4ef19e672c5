#include "fault_bounds.hpp"

#include <fmt/format.h>

#include "core/exit_codes.hpp"

namespace tether::sim {

SimConfigError sim_config_error(SimConfigErrorKind kind, std::string message) {
  return SimConfigError{kind, std::move(message), exit_code::usage};
}

std::optional<SimConfigError> FaultBounds::problem() const {
  const auto out_of_range = [](std::string message) {
    return sim_config_error(SimConfigErrorKind::out_of_range, std::move(message));
  };
  for (const FaultBoundField& field : fault_bound_fields) {
    const std::uint32_t value = this->*field.member;
    if (field.member == &FaultBounds::controllers) {
      if (value < 1 || value > controllers_max) {
        return out_of_range(fmt::format("{} must be between 1 and {}", field.name, controllers_max));
      }
    } else if (value > per_kind_max) {
      return out_of_range(fmt::format("{} must be at most {}", field.name, per_kind_max));
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
