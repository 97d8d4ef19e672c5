#pragma once
// Failpoints for the real binaries: TETHER_FAILPOINTS="after_spawn=crash,in_unit=pause(500)" makes the
// process crash (SIGKILL to itself: no cleanup, like a real crash), pause, stop (SIGSTOP to itself, until
// SIGCONT), or exit with a code when it passes the named crash point (core/crash_points.hpp, the names
// the simulator uses). Unset, a check costs one load of a flag. Test machinery: only builds configured
// with TETHER_TEST_MACHINERY have them; in every other build (release, the packages) these are empty
// inline functions, and neither the code nor the variable's name is in the binaries.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crash_points.hpp"

namespace tether {

// Points of the real controller alone (no simulated crash point): just before it signals its worker with
// the stop signal (`before_terminate`) or SIGKILL (`before_kill`). With the action `stop` (the process
// SIGSTOPs itself until SIGCONT) a test can swap the worker for a stranger under the same pid there.
enum class SignalPoint : std::uint8_t { before_terminate, before_kill };

#if defined(TETHER_TEST_MACHINERY)
// Parses TETHER_FAILPOINTS once; an error message names the bad entry. Call at start-up to report it.
std::optional<std::string> failpoints_problem();

// Acts on `point` if a failpoint names it.
void failpoint(CrashPoint point);

void failpoint(SignalPoint point);
#else
inline std::optional<std::string> failpoints_problem() { return std::nullopt; }
inline void failpoint(CrashPoint /*point*/) {}
inline void failpoint(SignalPoint /*point*/) {}
#endif

}  // namespace tether
