#pragma once
// Planted bugs ("mutants") for the simulator's self-test: a harness that never catches a planted bug has
// not shown that it can catch a real one. Four are planted in the cores themselves (core/mutants.hpp:
// the simulator compiles the core sources a second time with them switchable); the others are planted
// in the simulated world, so they live here and never reach src/.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/mutants.hpp"

namespace tether::sim {

enum class Mutant : std::uint8_t {
  none,
  identity_without_start_time,        // sim ports: identities compared by pid only
  registration_clears_shutdown,       // listener core: registering writes shutdown_request = 0
  no_controller_lock,                 // sim: a second controller on the same name is not refused
  restart_after_shutdown,             // controller core: the restart path ignores the shutdown request
  adoption_without_identity_check,    // controller core: adopts a registered pid without its start time
  skip_shutdown_check_after_restart,  // controller core: a restart spawns without reading the request
  // Driver-level bugs, planted in the simulated ports so that every invariant has a bug that breaks it:
  exit_not_reported,       // sim: a watched process's exit never reaches the controller
  escalation_lost,         // sim: the controller's SIGTERM/SIGKILL to its listener is lost
  sigterm_exits_mid_unit,  // sim: the listener's SIGTERM handler calls exit(0) mid-unit
};

inline constexpr std::array<Mutant, 9> all_mutants = {
    Mutant::identity_without_start_time,
    Mutant::registration_clears_shutdown,
    Mutant::no_controller_lock,
    Mutant::restart_after_shutdown,
    Mutant::adoption_without_identity_check,
    Mutant::skip_shutdown_check_after_restart,
    Mutant::exit_not_reported,
    Mutant::escalation_lost,
    Mutant::sigterm_exits_mid_unit,
};

constexpr std::string_view mutant_name(Mutant mutant) {
  switch (mutant) {
    case Mutant::none: return "none";
    case Mutant::identity_without_start_time: return "identity_without_start_time";
    case Mutant::registration_clears_shutdown: return "registration_clears_shutdown";
    case Mutant::no_controller_lock: return "no_controller_lock";
    case Mutant::restart_after_shutdown: return "restart_after_shutdown";
    case Mutant::adoption_without_identity_check: return "adoption_without_identity_check";
    case Mutant::skip_shutdown_check_after_restart: return "skip_shutdown_check_after_restart";
    case Mutant::exit_not_reported: return "exit_not_reported";
    case Mutant::escalation_lost: return "escalation_lost";
    case Mutant::sigterm_exits_mid_unit: return "sigterm_exits_mid_unit";
  }
  return "invalid";
}

constexpr std::optional<Mutant> parse_mutant(std::string_view name) {
  if (name == "none") return Mutant::none;
  for (const Mutant mutant : all_mutants) {
    if (mutant_name(mutant) == name) return mutant;
  }
  return std::nullopt;
}

// The core's switch for a mutant planted in a core, CoreMutant::none for the world's own.
constexpr CoreMutant core_mutant(Mutant mutant) {
  switch (mutant) {
    case Mutant::registration_clears_shutdown: return CoreMutant::registration_clears_shutdown;
    case Mutant::restart_after_shutdown: return CoreMutant::restart_after_shutdown;
    case Mutant::adoption_without_identity_check: return CoreMutant::adoption_without_identity_check;
    case Mutant::skip_shutdown_check_after_restart: return CoreMutant::skip_shutdown_check_after_restart;
    default: return CoreMutant::none;
  }
}

}  // namespace tether::sim
