#pragma once
// Swarm testing: every seed draws its own timeouts, durations, fault rates and a fault schedule, so
// that rare combinations (a short stop timeout with a listener that ignores SIGTERM, a crash loop with
// a tiny start limit) occur somewhere in a sweep. All draws go through Decisions, so replay is exact.
#include <cstdint>
#include <string_view>
#include <vector>

#include <optional>

#include "core/controller_config.hpp"
#include "core/crash_points.hpp"
#include "core/worker_loop.hpp"
#include "decisions.hpp"
#include "sim_config.hpp"

namespace tether::sim {

enum class FaultKind : std::uint8_t {
  kill_listener,     // SIGKILL the newest live listener
  kill_controller,   // SIGKILL the newest live controller (and maybe start a new one soon after)
  start_controller,  // a new controller on the same name: adoption, or refused by the lock
  shutdown_signal,   // SIGTERM to the controller
  shutdown_tool,     // `tether shutdown`: post in the segment, then notify the controller
  listener_exit,     // the listener exits on its own (code 0 or not), outside a unit
  listener_hang,     // the listener freezes inside a unit (still alive, still registered)
  foreign_spawn,     // a stranger process starts and takes the next pid
  count_,
};
inline constexpr std::size_t fault_kind_count = static_cast<std::size_t>(FaultKind::count_);
std::string_view fault_kind_name(FaultKind kind);

struct FaultEvent {
  FaultKind kind = FaultKind::kill_listener;
  std::uint64_t at_ns = 0;
  std::uint32_t extra_steps = 0;  // once due, wait this many more steps: lands between any two operations
  std::uint32_t value = 0;        // kind-specific: exit code, lifetime, follow-up delay
};

enum class InitialSegment : std::uint8_t {
  absent,            // a fresh start
  stale,             // left by an earlier run whose controller died: a dead listener registered
  stale_shutdown,    // as stale, with a shutdown request that outlived its controller
  half_initialised,  // its creator died while initialising it (magic still 0)
};

struct Swarm {
  ControllerConfig controller;
  WorkerConfig worker;
  std::uint64_t spawn_latency_ms_max = 0;
  std::uint32_t preempt_ppm = 0;          // per step: the chosen process is descheduled for a while
  std::uint32_t spawn_failure_ppm = 0;    // per spawn: out of resources
  std::uint32_t ignores_sigterm_ppm = 0;  // per listener
  std::uint32_t units_limit_ppm = 0;      // per listener: it leaves (exit 0) after a few units
  std::uint32_t crash_ppm = 0;            // per step: SIGKILL the stepping controller or listener (once per run)
  std::optional<CrashPoint> crash_point;  // SIGKILL whoever passes this named point (once per run)
  InitialSegment initial = InitialSegment::absent;
  bool stranger_takes_stale_pid = false;    // a stranger now has the stale registration's pid
  bool second_controller_at_start = false;  // two `tether run` on one name at once: the lock must refuse one
  std::uint64_t tool_step_ms_max = 0;       // `tether shutdown` is a process too (on a loaded machine, a slow one)
  // Plain workers (issue 8): per spawn, the command is a program that never registers and ignores the
  // segment (a quarter of the seeds launch only those, a quarter mix them with listeners); some of them
  // exit on their own after a while.
  std::uint32_t plain_ppm = 0;
  std::uint32_t plain_self_exit_ppm = 0;
  std::vector<FaultEvent> faults;  // sorted by at_ns
};

Swarm draw_swarm(Decisions& decisions, const SimConfig& config);

}  // namespace tether::sim
