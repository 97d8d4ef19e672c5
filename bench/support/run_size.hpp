#pragma once
// How long each benchmark runs. Process benchmarks fix their iteration counts (a latency of a few
// microseconds behind a few milliseconds of setup would otherwise make Google Benchmark's automatic
// count run for minutes); TETHER_BENCH_SMOKE=1 shrinks every count so that ci/bench-smoke only proves
// that each benchmark works.
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace tether::bench {

inline bool smoke_run() {
  const char* value = std::getenv("TETHER_BENCH_SMOKE");
  return value != nullptr && std::string_view(value) == "1";
}

// `full` iterations normally, a handful in a smoke run.
inline std::int64_t iterations(std::int64_t full) {
  constexpr std::int64_t smoke_iterations = 3;
  return smoke_run() && full > smoke_iterations ? smoke_iterations : full;
}

}  // namespace tether::bench
