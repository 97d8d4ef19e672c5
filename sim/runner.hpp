#pragma once
// Running one world: from a seed (recording its decisions), from a decision log (replay), or twice to
// check that the simulator itself is deterministic.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim_config.hpp"
#include "trace.hpp"
#include "world.hpp"

namespace tether::sim {

struct RunOutput {
  RunResult result;
  std::vector<std::uint32_t> decisions;  // the values used, enough to replay the run exactly
  std::vector<std::uint32_t> ranges;     // the range each was drawn from (the explorer enumerates them)
};

RunOutput run_seed(const SimConfig& config, std::uint64_t seed, Trace& trace);
RunOutput run_decisions(const SimConfig& config, const std::vector<std::uint32_t>& decisions, Trace& trace);
// Replays `prefix` and stops at the first scheduler decision beyond it (result.frontier), or ends as
// run_decisions would (a violation, or the end of the run). Decisions drawn inside steps after the
// prefix take the default 0 and are logged in `decisions`, so the caller can branch on them.
RunOutput run_to_frontier(const SimConfig& config, const std::vector<std::uint32_t>& prefix, Trace& trace);

struct DeterminismReport {
  bool identical = true;
  std::uint64_t first_divergent_step = 0;  // 1-based; 0 when identical
  std::uint64_t hash_first = 0;
  std::uint64_t hash_second = 0;
};
// Runs the seed twice and compares the trace hashes step by step (madsim's check_determinism).
DeterminismReport check_determinism(const SimConfig& config, std::uint64_t seed);

}  // namespace tether::sim
