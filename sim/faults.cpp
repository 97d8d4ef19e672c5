#include "faults.hpp"

#include <algorithm>
#include <array>
#include <cassert>

namespace tether::sim {

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kill_listener: return "kill_listener";
    case FaultKind::kill_controller: return "kill_controller";
    case FaultKind::start_controller: return "start_controller";
    case FaultKind::shutdown_signal: return "shutdown_signal";
    case FaultKind::shutdown_tool: return "shutdown_tool";
    case FaultKind::listener_exit: return "listener_exit";
    case FaultKind::listener_hang: return "listener_hang";
    case FaultKind::foreign_spawn: return "foreign_spawn";
    case FaultKind::count_: break;
  }
  return "invalid";
}

namespace {
constexpr std::uint32_t faults_per_run_max = 8;

// The small fixed world of `explore` and `check`: one controller, a `tether shutdown` at time 0, no
// latency, so that the choices left are the interleaving, the crash points and one first decision:
// the name starts fresh (0), or with a stale segment whose dead listener's pid is free (1) or held by
// a stranger (2): the world where trusting a pid adopts someone else (the seed's second failure).
Swarm explore_swarm(Decisions& decisions) {
  Swarm swarm;
  const std::uint32_t initial = decisions.choose(3);
  swarm.initial = initial == 0 ? InitialSegment::absent : InitialSegment::stale;
  swarm.stranger_takes_stale_pid = initial == 2;
  swarm.controller.restart_delay_ms = 10;
  swarm.controller.restart_delay_ms_max = 10;
  swarm.controller.start_limit = 3;
  swarm.controller.start_limit_interval_ms = 1000;
  swarm.controller.stop_timeout_ms = 20;
  swarm.controller.kill_timeout_ms = 20;
  swarm.worker.work_ms = 10;
  swarm.worker.idle_ms = 0;
  swarm.faults.push_back({FaultKind::shutdown_tool, 0, 0, 0});
  return swarm;
}

// A rate that is off for half the seeds and otherwise up to `max_ppm`: swarm testing wants some seeds
// free of a fault so that the others' combinations stand out.
std::uint32_t draw_rate(Decisions& decisions, std::uint32_t max_ppm) {
  if (decisions.choose(2) == 0) return 0;
  return max_ppm / 100 * decisions.between(1, 100);
}
}  // namespace

Swarm draw_swarm(Decisions& decisions, const SimConfig& config) {
  if (config.explore) return explore_swarm(decisions);
  Swarm swarm;
  ControllerConfig& controller = swarm.controller;
  const std::uint32_t mode = decisions.choose(8);
  controller.restart = mode < 6 ? RestartMode::always : (mode == 6 ? RestartMode::on_failure : RestartMode::never);
  controller.restart_delay_ms = 10 * std::uint64_t{decisions.between(1, 20)};
  controller.restart_delay_ms_max = controller.restart_delay_ms * decisions.between(1, 8);
  controller.start_limit = 6 - decisions.choose(6);  // 0, the benign draw, is the loosest limit
  controller.start_limit_interval_ms = 100 * std::uint64_t{decisions.between(1, 30)};
  controller.stop_timeout_ms = 10 * std::uint64_t{decisions.choose(51)};
  controller.kill_timeout_ms = 10 * std::uint64_t{decisions.choose(51)};
  // Heartbeats during a stop may extend it up to this long after the request.
  controller.stop_timeout_ms_max = controller.stop_timeout_ms * decisions.between(1, 4);

  swarm.worker.work_ms = 10 * std::uint64_t{decisions.between(1, 30)};
  swarm.worker.idle_ms = 10 * std::uint64_t{decisions.choose(21)};
  // The watchdog, on for half the seeds, at two to five heartbeat intervals: it must kill hung
  // listeners, never healthy ones (those heartbeat at least once per unit plus idle time).
  if (decisions.choose(2) == 1) {
    controller.watchdog_ms = (swarm.worker.work_ms + swarm.worker.idle_ms) * decisions.between(2, 5);
  }
  assert(!controller.problem().has_value());
  swarm.spawn_latency_ms_max = decisions.choose(51);

  swarm.preempt_ppm = draw_rate(decisions, 100'000);
  swarm.spawn_failure_ppm = draw_rate(decisions, 200'000);
  swarm.ignores_sigterm_ppm = draw_rate(decisions, 500'000);
  swarm.units_limit_ppm = draw_rate(decisions, 300'000);
  // A quarter of the seeds crash one process at a random operation: early, where the windows are.
  swarm.crash_ppm = decisions.choose(4) == 0 ? 10'000 * decisions.between(1, 10) : 0;
  // A crash-point policy rather than a rate: a quarter of the seeds crash the process that passes one
  // of the core's named points (the real binaries' TETHER_FAILPOINTS use the same names). The one-step
  // window after_spawn, for one, is where a new controller can supersede that listener.
  if (decisions.choose(4) == 0) swarm.crash_point = all_crash_points[decisions.choose(all_crash_points.size())];

  const std::uint32_t initial = decisions.choose(16);
  swarm.initial = initial < 10   ? InitialSegment::absent
                  : initial < 13 ? InitialSegment::stale
                  : initial < 15 ? InitialSegment::half_initialised
                                 : InitialSegment::stale_shutdown;
  swarm.stranger_takes_stale_pid = decisions.choose(2) == 1;
  swarm.second_controller_at_start = decisions.choose(8) == 1;
  swarm.tool_step_ms_max = decisions.choose(4) == 0 ? 0 : 10 * std::uint64_t{decisions.choose(21)};
  // The ready timeout, 10 ms to 1 s (0, the benign draw, is the longest): short ones make listeners
  // that are merely slow count as plain workers for a while, and put shutdowns inside the ready window.
  controller.ready_timeout_ms = 10 * std::uint64_t{100 - decisions.choose(100)};
  if (config.protocol == Protocol::tether) {
    const std::uint32_t plain = decisions.choose(4);
    swarm.plain_ppm = plain == 2 ? 1'000'000 : (plain == 3 ? 500'000 : 0);
    swarm.plain_self_exit_ppm = draw_rate(decisions, 300'000);
  }

  std::array<FaultKind, fault_kind_count> enabled{};
  std::uint32_t enabled_count = 0;
  for (std::size_t kind = 0; kind < fault_kind_count; ++kind) {
    if (decisions.choose(2) == 1) enabled[enabled_count++] = static_cast<FaultKind>(kind);
  }
  const std::uint32_t fault_count = enabled_count == 0 ? 0 : decisions.choose(faults_per_run_max + 1);
  const auto phase_slots = static_cast<std::uint32_t>(config.fault_phase_ms / 10);
  std::uint32_t previous_slot = 0;
  for (std::uint32_t index = 0; index < fault_count; ++index) {
    FaultEvent fault;
    fault.kind = enabled[decisions.choose(enabled_count)];
    // Half the faults land anywhere in the phase; the others at time 0, in the first 200 ms (where
    // launch, registration and initialisation race) or in a burst after the previous fault. Times sit
    // on a 10 ms grid so that they coincide with timers.
    std::uint32_t slot = 0;
    const std::uint32_t placement = decisions.choose(8);
    if (placement >= 4) {
      slot = decisions.choose(phase_slots);
    } else if (placement >= 2 && index > 0) {
      // A burst: shortly after the previous fault, where a restart or a stop it caused is under way.
      slot = previous_slot + decisions.choose(21);
    } else if (placement == 1) {
      slot = decisions.choose(21);
    }
    previous_slot = slot;
    fault.at_ns = std::uint64_t{slot} * 10'000'000;
    // Up to 24 steps: enough to land anywhere in a controller's initialisation and first launch.
    fault.extra_steps = decisions.choose(25);
    fault.value = decisions.choose(1000);
    swarm.faults.push_back(fault);
  }
  std::stable_sort(swarm.faults.begin(), swarm.faults.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at_ns < b.at_ns; });
  return swarm;
}

}  // namespace tether::sim
