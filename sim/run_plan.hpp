#pragma once
// When a run's phases end, and how long a restart may take, derived from the seed's own timeouts
// (docs/SIMULATOR.md, "Liveness bounds") so that a slow but correct run is never flagged: faults
// happen before `fault_phase_end_ns`; by `converge_at_ns` a worker must be running; by `end_at_ns` the
// final shutdown must have ended everything.
#include <cstdint>

#include "faults.hpp"
#include "sim_config.hpp"

namespace tether::sim {

struct RunPlan {
  std::uint64_t fault_phase_end_ns = 0;
  std::uint64_t converge_at_ns = 0;
  std::uint64_t end_at_ns = 0;
  std::uint64_t restart_bound_ns = 0;  // the longest a running controller may go without a worker
};

RunPlan plan_run(const SimConfig& config, const Swarm& swarm);

}  // namespace tether::sim
