// The simulator's schedule, coverage-guided: the input bytes become the decision log of one simulated
// run of our protocol (which process steps next, when faults strike, how long things take), and a run
// that breaks an invariant aborts with the invariant's name. Where a sweep draws decisions at random,
// libFuzzer keeps the logs that reach new branches of the core and mutates those.
//
// Input: one byte of world configuration, then decisions. A decision is one byte (values above a
// choice's range are clamped by the simulator, so every byte string is a schedule), except that the
// escape byte 0xFF takes the next four bytes as one full 32-bit value for the rare wide ranges
// (durations). A log that runs out continues with 0, the benign choice, so short inputs end quickly.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "decisions.hpp"
#include "fuzz_check.hpp"
#include "runner.hpp"
#include "sim_config.hpp"
#include "trace.hpp"

namespace {

// Bounds each iteration: a run that reaches it only skips its liveness checks (the safety invariants
// are checked at every step), and thousands of iterations a second matter more than long runs.
constexpr std::uint64_t steps_per_run_max = 3000;
// A decision log longer than this is truncated; it also bounds the decoding loop.
constexpr std::size_t decisions_max = 4096;
constexpr std::uint8_t wide_escape = 0xFF;

tether::sim::SimConfig config_from(std::uint8_t byte) {
  tether::sim::SimConfig config;
  config.protocol = tether::sim::Protocol::tether;
  config.mutant = tether::sim::Mutant::none;
  config.steps_max = steps_per_run_max;
  // Bit 0: the small fixed world of `explore`, where bits 1-3 are the crashes the scheduler may insert.
  // Otherwise bits 4-6 size the pid space (3..10), small so that pids are reused within a run.
  config.explore = (byte & 1U) != 0;
  if (config.explore) config.crash_budget = (byte >> 1U) & 7U;
  config.pid_count = tether::sim::SimConfig::pid_count_min + ((byte >> 4U) & 7U);
  return config;
}

std::vector<std::uint32_t> decisions_from(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint32_t> decisions;
  std::size_t at = 0;
  while (at < size && decisions.size() < decisions_max) {
    if (data[at] == wide_escape && at + 4 < size) {
      std::uint32_t value = 0;
      for (std::size_t i = 1; i <= 4; ++i) value = (value << 8U) | data[at + i];
      decisions.push_back(value);
      at += 5;
    } else {
      decisions.push_back(data[at]);
      at += 1;
    }
  }
  return decisions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const tether::sim::SimConfig config = config_from(data[0]);
  TETHER_FUZZ_CHECK(!config.problem().has_value(), "the fuzzer builds only valid configurations");
  tether::sim::Trace trace;
  const auto output = tether::sim::run_decisions(config, decisions_from(data + 1, size - 1), trace);
  TETHER_FUZZ_CHECK(output.result.steps <= steps_per_run_max, "the step budget bounds the run");
  if (output.result.violation) {
    const auto& violation = *output.result.violation;
    std::fprintf(stderr, "step %llu at %llu ns: %s: %s\n", static_cast<unsigned long long>(violation.step),
                 static_cast<unsigned long long>(violation.time_ns), violation.invariant.c_str(),
                 violation.detail.c_str());
  }
  TETHER_FUZZ_CHECK(!output.result.violation, "our protocol keeps every invariant under any schedule");
  return 0;
}
