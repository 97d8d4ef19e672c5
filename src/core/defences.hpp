#pragma once
// Defences switched off one at a time or together, for the simulator's defence table (issue 13 item 5,
// docs/PROTOCOL.md "Every defence on its own"). The protocol guards each race twice or more, so a
// defence removed alone changes no verdict; only with the others off does the checker show which race
// each one stops. Unlike a mutant (one per run), defences are a set, hence a bitmask.
//
// Like core/mutants.hpp, the switch exists only in the simulator's second compilation of the cores
// (TETHER_MUTANTS): every other build sees `defence_off` as a constexpr false, so each hook folds away
// and the shipped core has neither the code nor the variable.
#include <cstdint>

namespace tether {

enum class Defence : std::uint8_t {
  launch_gate,           // sim world: a spawned listener is held until its controller recorded it
  incarnation_check,     // listener core: a launch for another segment incarnation steps aside
  generation_withdraw,   // listener core: registered, it withdraws if a newer launch bumped the generation
  claim_liveness,        // listener core: the claim replaces a registered holder only if it is dead
  registration_recheck,  // controller core: after the bump, re-reads the registration and adopts it
};
inline constexpr unsigned defence_count = 5;

// A set of defences, one bit per Defence.
using DefenceSet = std::uint8_t;
constexpr DefenceSet defence_bit(Defence defence) {
  return static_cast<DefenceSet>(1U << static_cast<unsigned>(defence));
}
constexpr bool defence_in(DefenceSet set, Defence defence) { return (set & defence_bit(defence)) != 0; }

#if defined(TETHER_MUTANTS)
// Per thread, as the mutant: the cores' constructors take no configuration of the simulator's.
namespace defence_detail {
inline thread_local DefenceSet off = 0;
}

inline bool defence_off(Defence defence) { return defence_in(defence_detail::off, defence); }

// Switches a set of defences off for the lifetime of one simulated run.
class DefencesOffScope {
 public:
  explicit DefencesOffScope(DefenceSet off) : previous_(defence_detail::off) { defence_detail::off = off; }
  ~DefencesOffScope() { defence_detail::off = previous_; }
  DefencesOffScope(const DefencesOffScope&) = delete;
  DefencesOffScope& operator=(const DefencesOffScope&) = delete;

 private:
  DefenceSet previous_;
};
#else
constexpr bool defence_off(Defence) { return false; }
#endif

}  // namespace tether
