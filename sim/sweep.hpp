#pragma once
// A sweep: many seeds of one configuration, spread over --jobs threads (each run is independent and
// single-threaded, so the outcome per seed does not depend on the thread that ran it). Every
// `determinism_every`-th seed is run twice to check the simulator's own determinism.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario.hpp"
#include "sim_config.hpp"
#include "world.hpp"

namespace tether::sim {

struct SweepOptions {
  SimConfig config;
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 1000;
  unsigned jobs = 1;
  bool stop_at_first = false;               // stop once a violation is found (time-to-find measurements)
  std::uint64_t determinism_every = 20;     // 0: never; 1: every seed
  std::uint64_t coverage_seeds_min = 1000;  // sweeps at least this long must reach every situation
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // called from the main thread
};

struct SweepFailure {
  std::uint64_t seed = 0;
  Violation violation;
};

struct SweepSummary {
  SimConfig config;
  std::uint64_t seeds_run = 0;
  std::uint64_t steps = 0;
  std::uint64_t segment_ops = 0;
  std::uint64_t liveness_skipped = 0;  // runs that used up their step budget before the checkpoints
  double elapsed_s = 0;
  std::optional<double> first_failure_s;  // wall time until the first violation was found
  std::vector<SweepFailure> failures;     // sorted by seed
  std::vector<std::string> nondeterminism;
  std::vector<std::string> missing_situations;
  Coverage coverage{};

  [[nodiscard]] std::map<std::string, std::uint64_t> violations_by_invariant() const;
  [[nodiscard]] bool passed() const { return failures.empty() && nondeterminism.empty() && missing_situations.empty(); }
};

SweepSummary run_sweep(const SweepOptions& options);

// The situations a sweep of `seeds_run` seeds never reached, when its configuration must reach them all
// (full sweeps of our protocol: mutants and the seed end early by design). Merged campaigns judge their
// union with it, so a campaign passes exactly when one run over the union would.
std::vector<std::string> missing_situations(const SimConfig& config, std::uint64_t seeds_run, const Coverage& coverage,
                                            std::uint64_t coverage_seeds_min);

// The scenario of a failing seed, re-recorded (runs are deterministic, so the sweep need not keep logs).
Scenario scenario_for_seed(const SimConfig& config, std::uint64_t seed);

}  // namespace tether::sim
