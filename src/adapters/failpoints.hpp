#pragma once
// Failpoints for the real binaries: TETHER_FAILPOINTS="after_spawn=crash,in_unit=pause(500)" makes the
// process crash (SIGKILL to itself: no cleanup, like a real crash), pause, stop (SIGSTOP to itself, until
// SIGCONT), or exit with a code when it
// passes the named crash point (core/crash_points.hpp, the names the simulator uses). Unset, a check
// costs one load of a flag.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crash_points.hpp"

namespace tether {

// Parses TETHER_FAILPOINTS once; an error message names the bad entry. Call at start-up to report it.
std::optional<std::string> failpoints_problem();

// Acts on `point` if a failpoint names it.
void failpoint(CrashPoint point);

// Points of the real controller alone (no simulated crash point): just before it signals its worker with
// the stop signal (`before_terminate`) or SIGKILL (`before_kill`). With the action `stop` (the process
// SIGSTOPs itself until SIGCONT) a test can swap the worker for a stranger under the same pid there.
enum class SignalPoint : std::uint8_t { before_terminate, before_kill };
void failpoint(SignalPoint point);

}  // namespace tether
