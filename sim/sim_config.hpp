#pragma once
// What a sweep fixes for all its seeds (and a scenario file records): the protocol under test, the
// planted bug, and the size of the world. Everything else is drawn per seed (faults.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "defences.hpp"
#include "fault_bounds.hpp"
#include "mutants.hpp"

namespace tether::sim {

enum class Protocol : std::uint8_t {
  tether,  // ours: the production ControllerCore / ListenerCore / WorkerLoop
  seed,    // the original design: one int32 holding the listener's pid, or -1 for shutdown
};
std::string_view protocol_name(Protocol protocol);
std::optional<Protocol> parse_protocol(std::string_view name);

// Who decides which ready process steps in a sweep: uniform random draws among the ready (with the
// swarm's random preemptions), or PCT (pct.hpp). `explore` and `check` enumerate every choice instead.
enum class SchedulerKind : std::uint8_t { swarm, pct };
std::string_view scheduler_name(SchedulerKind kind);
std::optional<SchedulerKind> parse_scheduler(std::string_view name);

struct SchedulerConfig {
  SchedulerKind kind = SchedulerKind::swarm;
  std::uint32_t pct_depth = 3;    // d: d - 1 priority change points
  std::uint64_t pct_steps = 150;  // n: the steps change points are drawn among (a run takes about 120)

  static constexpr std::uint32_t pct_depth_max = 8;
  static constexpr std::uint64_t pct_steps_max = 100'000'000;

  bool operator==(const SchedulerConfig&) const = default;
  // "swarm", or "pct (depth D, N steps)".
  [[nodiscard]] std::string text() const;
};

struct SimConfig {
  Protocol protocol = Protocol::tether;
  Mutant mutant = Mutant::none;
  DefenceSet defences_off = 0;          // defences switched off (defences.hpp), for the defence table
  std::uint32_t pid_count = 6;          // a small pid space, so that pids are reused within a run
  std::uint64_t steps_max = 20000;      // per run; a run that hits it skips its liveness checks
  std::uint64_t fault_phase_ms = 3000;  // faults happen only in this first phase
  bool explore = false;                 // the small fixed configuration of `explore` (no swarm draws)
  std::uint32_t crash_budget = 0;       // explore: crashes the scheduler may insert before any step
  FaultBounds fault_bounds;             // check: further faults the scheduler may insert (fault_bounds.hpp)
  SchedulerConfig scheduler;            // sweeps only; not recorded in scenarios (the log replays alone)

  static constexpr std::uint32_t pid_count_min = 3;
  static constexpr std::uint32_t pid_count_max = 4096;
  static constexpr std::uint64_t steps_max_max = 100'000'000;
  static constexpr std::uint64_t fault_phase_ms_max = 3'600'000;
  static constexpr std::uint32_t crash_budget_max = 8;

  // Why this configuration cannot run (naming the option), or nullopt.
  [[nodiscard]] std::optional<SimConfigError> problem() const;
};

}  // namespace tether::sim
