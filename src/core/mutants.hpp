#pragma once
// Bugs planted in the cores for the simulator's self-test (the full list, with the ones planted in the
// simulated world, is sim/mutants.hpp). The simulator compiles the core sources a second time with
// TETHER_MUTANTS defined (target tether_core_mutants); every other build sees `mutant_active` as a
// constexpr false, so each hook folds away and the shipped core has neither the code nor the switch.
#include <cstdint>

namespace tether {

enum class CoreMutant : std::uint8_t {
  none,
  registration_clears_shutdown,       // listener core: registering writes shutdown_request = 0
  restart_after_shutdown,             // controller core: the restart path ignores the shutdown request
  adoption_without_identity_check,    // controller core: adopts a registered pid without its start time
  skip_shutdown_check_after_restart,  // controller core: a restart spawns without reading the request
};

#if defined(TETHER_MUTANTS)
// The cores' constructors are shared with production and take no mutant, so the simulator selects one
// per run through this thread-local (each --jobs worker thread runs its own worlds). It exists only in
// the mutant build: production code has no such state.
namespace mutant_detail {
inline thread_local CoreMutant active = CoreMutant::none;
}

inline bool mutant_active(CoreMutant mutant) { return mutant_detail::active == mutant; }

// Selects the active mutant for the lifetime of one simulated run.
class MutantScope {
 public:
  explicit MutantScope(CoreMutant mutant) : previous_(mutant_detail::active) { mutant_detail::active = mutant; }
  ~MutantScope() { mutant_detail::active = previous_; }
  MutantScope(const MutantScope&) = delete;
  MutantScope& operator=(const MutantScope&) = delete;

 private:
  CoreMutant previous_;
};
#else
constexpr bool mutant_active(CoreMutant) { return false; }
#endif

}  // namespace tether
