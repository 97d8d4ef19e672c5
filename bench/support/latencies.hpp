#pragma once
// Per-iteration latencies of a process benchmark. Each sample is also the iteration's manual time, so
// Google Benchmark's time column is the mean; the counters add the median and the tail (p50_us, p90_us,
// p99_us, max_us), which ci/bench uses for its ratios because a shared machine's outliers move a mean.
// With TETHER_BENCH_SAMPLES_DIR set, the raw samples are written there (one file per benchmark, one
// value in microseconds per line) for ci/bench's CDF plot.
#include <benchmark/benchmark.h>
#include <cstdint>
#include <string>
#include <vector>

namespace tether::bench {

class Latencies {
 public:
  // `label` names the samples file, e.g. "BM_ShutdownLatency/tether".
  explicit Latencies(std::string label);

  // Records one sample and sets it as the iteration's time.
  void add(benchmark::State& state, std::uint64_t latency_ns);
  // Publishes the counters and writes the samples file. Call once, after the loop.
  void report(benchmark::State& state) const;

  [[nodiscard]] std::size_t count() const { return samples_ns_.size(); }

 private:
  std::string label_;
  std::vector<std::uint64_t> samples_ns_;
};

}  // namespace tether::bench
