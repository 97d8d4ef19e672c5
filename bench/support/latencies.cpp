#include "support/latencies.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace tether::bench {

namespace {

double quantile_us(const std::vector<std::uint64_t>& sorted_ns, double quantile) {
  // Nearest rank: an actual sample, never an interpolation between two.
  const auto rank = static_cast<std::size_t>(quantile * static_cast<double>(sorted_ns.size() - 1) + 0.5);
  return static_cast<double>(sorted_ns[rank]) / 1000.0;
}

}  // namespace

Latencies::Latencies(std::string label) : label_(std::move(label)) {}

void Latencies::add(benchmark::State& state, std::uint64_t latency_ns) {
  samples_ns_.push_back(latency_ns);
  state.SetIterationTime(static_cast<double>(latency_ns) / 1e9);
}

void Latencies::report(benchmark::State& state) const {
  if (samples_ns_.empty()) return;
  std::vector<std::uint64_t> sorted = samples_ns_;
  std::sort(sorted.begin(), sorted.end());
  state.counters["p50_us"] = quantile_us(sorted, 0.50);
  state.counters["p90_us"] = quantile_us(sorted, 0.90);
  state.counters["p99_us"] = quantile_us(sorted, 0.99);
  state.counters["max_us"] = static_cast<double>(sorted.back()) / 1000.0;
  state.counters["samples"] = static_cast<double>(sorted.size());

  const char* directory = std::getenv("TETHER_BENCH_SAMPLES_DIR");
  if (directory == nullptr || *directory == '\0') return;
  std::string file_name = label_;
  std::replace(file_name.begin(), file_name.end(), '/', '.');
  std::replace(file_name.begin(), file_name.end(), ':', '_');
  // Appended: with --benchmark_repetitions each repetition adds its samples (ci/bench empties the
  // directory before a run).
  std::ofstream out(std::string(directory) + "/" + file_name + ".txt", std::ios::app);
  for (const std::uint64_t sample_ns : samples_ns_) out << static_cast<double>(sample_ns) / 1000.0 << '\n';
}

}  // namespace tether::bench
