#pragma once
// Drives a ControllerCore to quiescence over the fakes and checks the invariants that hold after every
// single step, whatever the scenario. Shared by the model-based property test and the fuzz target.
#include <cstdint>
#include <string>

#include "core/controller_core.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace tether::testing {

using fakes::FakeSegment;
using fakes::PooledProcess;
using fakes::PooledProcesses;
using fakes::SegmentAccess;

struct SettleResult {
  StepOutcome outcome = StepOutcome::progressed;
  std::uint32_t steps = 0;
  std::string violation;  // empty when every step kept the invariants
};

// Far above what any settle needs (initialisation is about 20 steps, a launch about 6, and the start
// limit bounds how many launches one instant can see); reaching it means the core spins.
inline constexpr std::uint32_t settle_steps_max = 400;

inline std::string check_step(const FakeSegment& segment, const PooledProcesses& processes, const ControllerCore& core,
                              std::uint64_t operations_before, std::uint64_t wakes_before,
                              std::uint64_t signals_before) {
  const std::uint64_t operations = segment.operations() - operations_before;
  if (operations > 1) return "a step performed " + std::to_string(operations) + " segment operations";
  const std::uint64_t wakes = segment.wakes() - wakes_before;
  if (wakes > 1) return "a step woke the shutdown waiters twice";
  if (wakes == 1 && (operations != 1 || segment.last().kind != SegmentAccess::Kind::store ||
                     segment.last().field != Field::shutdown_request)) {
    return "a wake without the store of the shutdown request in the same step";
  }
  if (processes.spawns_after_shutdown() != 0) return "spawned while a shutdown request was posted";
  if (processes.releases_unrecorded() != 0) return "released a launch the segment does not record";
  for (std::size_t i = signals_before; i < processes.signals().size(); ++i) {
    // Signals go only to the listener the core watches, and never after its exit was reported (a
    // death not yet reported cannot be known: such a signal is harmless, the pidfd refuses it).
    const ProcessIdentity target = processes.signals()[i].first;
    if (!target.valid() || target != core.listener()) return "signalled a process other than the listener";
    for (const PooledProcess& process : processes.table()) {
      if (process.identity == target && process.exit_reported) return "signalled a listener whose exit was reported";
    }
  }
  return {};
}

inline SettleResult settle(ControllerCore& core, FakeSegment& segment, PooledProcesses& processes,
                           std::uint64_t now_ns) {
  SettleResult result;
  ControllerEvent event{};
  while (result.steps < settle_steps_max) {
    const std::uint64_t operations_before = segment.operations();
    const std::uint64_t wakes_before = segment.wakes();
    const std::uint64_t signals_before = processes.signals().size();
    result.outcome = core.step(now_ns);
    ++result.steps;
    result.violation = check_step(segment, processes, core, operations_before, wakes_before, signals_before);
    while (core.pop_event(event)) {
    }
    if (!result.violation.empty() || result.outcome != StepOutcome::progressed) return result;
  }
  result.violation = "the core did not settle within " + std::to_string(settle_steps_max) + " steps";
  return result;
}

}  // namespace tether::testing
