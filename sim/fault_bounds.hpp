#pragma once
// `tether-sim check`'s faults as successors (issue 13): how many of each kind the search may insert on
// one path, at any scheduling point of the fault phase, beside the crashes of SimConfig::crash_budget.
// All 0 (the default) outside `check`: the swarm and `explore` draw no such decision, so their decision
// logs are unchanged. World::check_fault_options (world_check_faults.cpp) lists the faults enabled at a
// point; each is one more value of that point's scheduler decision.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tether/error.hpp"

namespace tether::sim {

// Why a simulator configuration (SimConfig, FaultBounds) is refused; every kind exits with EX_USAGE.
enum class SimConfigErrorKind : std::uint8_t {
  out_of_range,              // a size, bound or budget outside its documented range
  bounds_outside_check,      // fault bounds given to a run that is not the small world (explore, check)
  scheduler_in_enumeration,  // a scheduler given to explore or check, which enumerate every schedule
  mutant_in_seed_protocol,   // a planted bug asked of the seed protocol, which has none
};
using SimConfigError = Error<SimConfigErrorKind>;
SimConfigError sim_config_error(SimConfigErrorKind kind, std::string message);

struct FaultBounds {
  std::uint32_t launches = 0;     // controllers the search may start on the name (a restart, or a second one)
  std::uint32_t controllers = 1;  // most controllers alive at once (2: a second concurrent controller)
  std::uint32_t shutdowns = 0;    // `tether shutdown`s, beside the small world's one at time 0
  std::uint32_t cleans = 0;       // `tether clean`s (only when it would remove the segment)
  std::uint32_t removals =
      0;  // the name unlinked while no live worker is recorded (a later controller creates it again)
  std::uint32_t listener_faults = 0;  // a listener exits on its own, hangs in a unit, or starts ignoring SIGTERM
  std::uint32_t strangers = 0;        // a stranger process takes the next free pid (for 10 ms)
  std::uint32_t stalls = 0;           // every ready process waits until the next timer fires (late wake-ups)

  static constexpr std::uint32_t per_kind_max = 4;
  static constexpr std::uint32_t controllers_max = 4;

  [[nodiscard]] bool any() const {
    return launches + shutdowns + cleans + removals + listener_faults + strangers + stalls > 0;
  }
  // Why these bounds are not valid (naming the option), or nullopt.
  [[nodiscard]] std::optional<SimConfigError> problem() const;
  friend bool operator==(const FaultBounds&, const FaultBounds&) = default;
};

// Each bound by the name the command line (`--NAME`) and the scenario file use.
struct FaultBoundField {
  std::string_view name;
  std::uint32_t FaultBounds::*member;
  std::string_view help;
};
inline constexpr std::array<FaultBoundField, 8> fault_bound_fields = {{
    {"launches", &FaultBounds::launches, "controllers the search may start on the name (restarts, second ones)"},
    {"controllers", &FaultBounds::controllers, "most controllers alive at once (2: a second concurrent one)"},
    {"shutdowns", &FaultBounds::shutdowns, "`tether shutdown`s at any point, beside the one at time 0"},
    {"cleans", &FaultBounds::cleans, "`tether clean`s at any point (when it would remove the segment)"},
    {"removals", &FaultBounds::removals, "the segment removed while it records no live worker (created again)"},
    {"listener-faults", &FaultBounds::listener_faults, "listener exits, hangs, or ignores SIGTERM"},
    {"strangers", &FaultBounds::strangers, "strangers taking the next free pid"},
    {"stalls", &FaultBounds::stalls, "the clock runs to the next timer while ready processes wait"},
}};

// The kinds of fault the search inserts, in the order World::check_fault_options lists them.
enum class CheckFault : std::uint8_t {
  start_controller,  // a controller started on the name (launches; refused by the lock while one runs)
  shutdown_tool,     // `tether shutdown`
  clean,             // `tether clean`: holds the lock, finds no live worker, removes the segment
  remove_segment,    // the name unlinked under everyone (rm /dev/shm/...), when it records no live worker
  listener_exit,     // the newest listener exits with 1 at its next point outside a unit
  listener_hang,     // the newest registered listener freezes inside its next unit
  ignore_sigterm,    // the newest listener ignores SIGTERM from now on
  stranger,          // a stranger takes the next free pid and holds it for 10 ms
  stall,             // the clock runs to the next timer while every ready process waits (a loaded machine)
};
inline constexpr std::array<CheckFault, 9> all_check_faults = {
    CheckFault::start_controller, CheckFault::shutdown_tool, CheckFault::clean,
    CheckFault::remove_segment,   CheckFault::listener_exit, CheckFault::listener_hang,
    CheckFault::ignore_sigterm,   CheckFault::stranger,      CheckFault::stall,
};
std::string_view check_fault_name(CheckFault fault);
// "launches 1, controllers 2, ...": every bound by its option's name.
std::string describe(const FaultBounds& bounds);

}  // namespace tether::sim
