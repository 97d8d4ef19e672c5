#include "run_plan.hpp"

#include <algorithm>

#include "core/units.hpp"

namespace tether::sim {

namespace {
constexpr std::uint64_t bound_slack_ms = 1000;  // steps, registration and scheduling, with a wide margin
}  // namespace

RunPlan plan_run(const SimConfig& config, const Swarm& swarm) {
  const ControllerConfig& controller = swarm.controller;
  const std::uint64_t unit_ms = swarm.worker.work_ms + swarm.worker.idle_ms;
  RunPlan plan;
  plan.fault_phase_end_ns = config.fault_phase_ms * ns_per_ms;
  // A restart needs at most the longest backoff plus the spawn latency; a chain of exits in the quiet
  // phase is short, so four of those plus two units suffice.
  plan.restart_bound_ns = (controller.restart_delay_ms_max + swarm.spawn_latency_ms_max + 200) * ns_per_ms;
  const std::uint64_t converge_ms =
      4 * (controller.restart_delay_ms_max + swarm.spawn_latency_ms_max) + 2 * unit_ms + bound_slack_ms;
  // A shutdown inside a worker's ready window waits for its registration until the window ends, then
  // signals a plain worker at once: the ready timeout adds to the stop.
  const std::uint64_t stop_ms = unit_ms + std::max(controller.stop_timeout_ms, controller.stop_timeout_ms_max) +
                                controller.ready_timeout_ms + controller.kill_timeout_ms +
                                2 * swarm.spawn_latency_ms_max + bound_slack_ms;
  plan.converge_at_ns = plan.fault_phase_end_ns + converge_ms * ns_per_ms;
  plan.end_at_ns = plan.converge_at_ns + stop_ms * ns_per_ms;
  return plan;
}

}  // namespace tether::sim
