#pragma once
// A test driver for ListenerCore over the fake ports: runs one operation to completion, checking after
// every step that the core performed at most one segment operation and that the operation ends within
// its documented step bound.
#include <gtest/gtest.h>

#include <optional>

#include "core/listener_core.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace tether::test {

class ListenerTest : public ::testing::Test {
 protected:
  ListenerTest() {
    segment.poke_initialised_header();
    segment.poke(Field::generation, launch_generation);
  }

  void start(std::optional<LaunchTicket> launch) { core.emplace(segment, identities, self, launch); }
  void start() { start(LaunchTicket{fakes::FakeSegment::earlier_incarnation, launch_generation}); }

  // Runs `operation` to completion; returns the number of steps it took.
  std::uint32_t run(ListenerOperation operation) {
    core->begin(operation, now_ns);
    for (std::uint32_t steps = 1; steps <= ListenerCore::operation_steps_max; ++steps) {
      segment.begin_step();
      const bool complete = core->step();
      EXPECT_LE(segment.ops_in_step(), 1u) << "step " << steps;
      if (complete) return steps;
    }
    ADD_FAILURE() << "the operation did not complete within " << ListenerCore::operation_steps_max << " steps";
    return ListenerCore::operation_steps_max;
  }

  [[nodiscard]] std::uint64_t state() const { return segment.peek(Field::listener_state); }
  static std::uint64_t word(ListenerState state) { return static_cast<std::uint64_t>(state); }

  static constexpr std::uint64_t launch_generation = 3;
  fakes::FakeSegment segment;
  fakes::ScriptedProcesses identities;
  const ProcessIdentity self{3000, 900};
  std::optional<ListenerCore> core;
  std::uint64_t now_ns = 5'000'000'000;
};

}  // namespace tether::test
