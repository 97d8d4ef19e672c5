// A run's checkpoints (sim/run_plan.hpp) come from the seed's own timeouts: each timeout that can delay
// a restart or a stop moves the checkpoint it concerns, so that a slow but correct run is never flagged.
#include <gtest/gtest.h>

#include "core/units.hpp"
#include "run_plan.hpp"

namespace tether::sim {
namespace {

Swarm small_swarm() {
  Swarm swarm;
  swarm.worker.work_ms = 50;
  swarm.worker.idle_ms = 10;
  swarm.spawn_latency_ms_max = 20;
  swarm.controller.restart_delay_ms_max = 400;
  swarm.controller.stop_timeout_ms = 300;
  swarm.controller.stop_timeout_ms_max = 600;
  swarm.controller.ready_timeout_ms = 100;
  swarm.controller.kill_timeout_ms = 200;
  return swarm;
}

TEST(SimRunPlan, CheckpointsFollowEachOtherAfterTheFaultPhase) {
  SimConfig config;
  config.fault_phase_ms = 3000;
  const RunPlan plan = plan_run(config, small_swarm());
  EXPECT_EQ(plan.fault_phase_end_ns, 3000 * ns_per_ms);
  // Four restarts (backoff plus spawn latency), two units and a second of slack.
  EXPECT_EQ(plan.converge_at_ns, plan.fault_phase_end_ns + (4 * (400 + 20) + 2 * 60 + 1000) * ns_per_ms);
  // A unit, the longer stop timeout, the ready window, the kill timeout, two spawns and the slack.
  EXPECT_EQ(plan.end_at_ns, plan.converge_at_ns + (60 + 600 + 100 + 200 + 2 * 20 + 1000) * ns_per_ms);
  EXPECT_EQ(plan.restart_bound_ns, (400 + 20 + 200) * ns_per_ms);
}

TEST(SimRunPlan, EachTimeoutMovesOnlyTheCheckpointItCanDelay) {
  const SimConfig config;
  const RunPlan base = plan_run(config, small_swarm());
  Swarm slower_ready = small_swarm();
  slower_ready.controller.ready_timeout_ms += 500;  // a stop waits out the ready window
  const RunPlan ready = plan_run(config, slower_ready);
  EXPECT_EQ(ready.converge_at_ns, base.converge_at_ns);
  EXPECT_EQ(ready.end_at_ns, base.end_at_ns + 500 * ns_per_ms);

  Swarm slower_stop = small_swarm();
  slower_stop.controller.stop_timeout_ms = 900;  // above the maximum: the longer of the two counts
  EXPECT_EQ(plan_run(config, slower_stop).end_at_ns, base.end_at_ns + 300 * ns_per_ms);

  Swarm slower_backoff = small_swarm();
  slower_backoff.controller.restart_delay_ms_max += 100;
  const RunPlan backoff = plan_run(config, slower_backoff);
  EXPECT_EQ(backoff.converge_at_ns, base.converge_at_ns + 400 * ns_per_ms);
  EXPECT_EQ(backoff.restart_bound_ns, base.restart_bound_ns + 100 * ns_per_ms);
}

}  // namespace
}  // namespace tether::sim
