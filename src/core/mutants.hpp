#pragma once
// Planted bugs ("mutants") for the simulator's self-test: a harness that never catches a planted bug has
// not shown that it can catch a real one. The simulator compiles the core sources a second time with
// TETHER_MUTANTS defined (target tether_core_mutants); the production build sees `mutant_active` as a
// constexpr false, so every hook folds away and the shipped core pays nothing.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tether {

enum class Mutant : std::uint8_t {
  none,
  identity_without_start_time,       // sim ports: identities compared by pid only
  registration_clears_shutdown,      // listener core: registering writes shutdown_request = 0
  no_controller_lock,                // sim: a second controller on the same name is not refused
  restart_after_shutdown,            // controller core: the restart path ignores the shutdown request
  adoption_without_identity_check,   // controller core: adopts a registered pid without its start time
  skip_shutdown_check_after_restart, // controller core: a restart spawns without reading the request
  // Driver-level bugs, planted in the simulated ports so that every invariant has a bug that breaks it:
  exit_not_reported,                 // sim: a watched process's exit never reaches the controller
  escalation_lost,                   // sim: the controller's SIGTERM/SIGKILL to its listener is lost
  sigterm_exits_mid_unit,            // sim: the listener's SIGTERM handler calls exit(0) mid-unit
};

inline constexpr std::array<Mutant, 9> all_mutants = {
    Mutant::identity_without_start_time,     Mutant::registration_clears_shutdown,
    Mutant::no_controller_lock,              Mutant::restart_after_shutdown,
    Mutant::adoption_without_identity_check, Mutant::skip_shutdown_check_after_restart,
    Mutant::exit_not_reported,               Mutant::escalation_lost,
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

#if defined(TETHER_MUTANTS)
// The core's constructors are shared with production and take no mutant, so the simulator selects one
// per run through this thread-local (each --jobs worker thread runs its own worlds). It exists only in
// the mutant build: production code has no such state.
namespace mutant_detail {
inline thread_local Mutant active = Mutant::none;
}

inline bool mutant_active(Mutant mutant) { return mutant_detail::active == mutant; }

// Selects the active mutant for the lifetime of one simulated run.
class MutantScope {
 public:
  explicit MutantScope(Mutant mutant) : previous_(mutant_detail::active) { mutant_detail::active = mutant; }
  ~MutantScope() { mutant_detail::active = previous_; }
  MutantScope(const MutantScope&) = delete;
  MutantScope& operator=(const MutantScope&) = delete;

 private:
  Mutant previous_;
};
#else
constexpr bool mutant_active(Mutant) { return false; }
#endif

}  // namespace tether
