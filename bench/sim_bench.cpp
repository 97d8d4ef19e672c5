// BM_Sim: the deterministic simulator's throughput on one core (one thread), over the production cores.
//   ops    one seed per iteration (run_seed, no trace records kept): segment operations per second and
//          scheduler steps per second. Target: at least 1,000,000 segment operations per second.
//   seeds  a sweep of 100 seeds per iteration on one thread, as `tether-sim sweep --jobs 1` runs them
//          (every 20th seed twice, for the determinism check): seeds per second.
#include <benchmark/benchmark.h>

#include "runner.hpp"
#include "support/run_size.hpp"
#include "sweep.hpp"

namespace {

using namespace tether::sim;

void BM_Sim_ops(benchmark::State& state) {
  const SimConfig config;
  std::uint64_t seed = 1;
  std::uint64_t segment_ops = 0;
  std::uint64_t steps = 0;
  std::uint64_t violations = 0;
  for (auto _ : state) {
    Trace trace;
    const RunOutput output = run_seed(config, seed++, trace);
    segment_ops += output.result.segment_ops;
    steps += output.result.steps;
    violations += output.result.violation.has_value() ? 1 : 0;
  }
  if (segment_ops == 0) state.SkipWithError("the simulated runs did no segment operations");
  state.counters["segment_ops_per_s"] =
      benchmark::Counter(static_cast<double>(segment_ops), benchmark::Counter::kIsRate);
  state.counters["steps_per_s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  // A violation is the simulator doing its job on a buggy core; ci/sim-check fails for it, we count it.
  state.counters["violations"] = static_cast<double>(violations);
}

void BM_Sim_seeds(benchmark::State& state) {
  constexpr std::uint64_t seeds_per_sweep = 100;
  SweepOptions options;
  options.seeds = tether::bench::smoke_run() ? 5 : seeds_per_sweep;
  options.jobs = 1;
  std::uint64_t seeds = 0;
  std::uint64_t failures = 0;
  for (auto _ : state) {
    const SweepSummary summary = run_sweep(options);
    seeds += summary.seeds_run;
    failures += summary.failures.size() + summary.nondeterminism.size();
    options.first_seed += options.seeds;
  }
  if (seeds == 0) state.SkipWithError("the sweeps ran no seeds");
  state.counters["seeds_per_s"] = benchmark::Counter(static_cast<double>(seeds), benchmark::Counter::kIsRate);
  state.counters["violations"] = static_cast<double>(failures);
}

BENCHMARK(BM_Sim_ops)->Name("BM_Sim/ops")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sim_seeds)->Name("BM_Sim/seeds")->Unit(benchmark::kMillisecond);

}  // namespace
