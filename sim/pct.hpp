#pragma once
// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010), the
// scheduler Coyote and shuttle ship: every process gets a random priority when it first becomes ready,
// the highest-priority ready process always steps, and at d - 1 random steps among the first n the
// process that just stepped drops below every initial priority. A bug that needs d ordering constraints
// among n steps of k processes is found with probability at least 1 / (n k^(d-1)) per run.
//
// It only decides which ready process steps. It draws from a PRNG of its own, so the decision log holds
// the same decisions as a swarm run's and a PCT scenario replays without the scheduler.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "decisions.hpp"
#include "sim_processes.hpp"

namespace tether::sim {

class PctScheduler {
 public:
  // depth >= 1 (d: depth - 1 priority change points); steps >= 1 (n: the steps they are drawn among).
  PctScheduler(std::uint64_t seed, std::uint32_t depth, std::uint64_t steps);

  // The index in `ready` (not empty) of the ready process with the highest priority.
  std::size_t pick(std::span<const Serial> ready);
  // The `step`-th step of the run (from 1) was taken by `serial`: at a change point it drops.
  void stepped(std::uint64_t step, Serial serial);

  [[nodiscard]] const std::vector<std::uint64_t>& change_points() const { return change_points_; }

 private:
  std::uint64_t priority(Serial serial);

  Prng prng_;
  std::uint32_t depth_;
  std::vector<std::uint64_t> change_points_;    // sorted steps; the i-th (from 1) sets priority i
  std::map<Serial, std::uint64_t> priorities_;  // one entry per process seen ready: bounded by the run's
};

}  // namespace tether::sim
