#pragma once
// A test driver for ControllerCore over the fake ports: it steps the core as the real event loop would,
// checks after every single step that the core performed at most one segment operation, and collects
// the events the core emits.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/controller_core.hpp"
#include "core/exit_codes.hpp"
#include "core/units.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace tether::test {

class ControllerTest : public ::testing::Test {
 protected:
  // More steps than any settle needs (initialisation is 12, a restart 5): reaching it means a livelock.
  static constexpr std::uint32_t settle_steps_max = 100;

  void start() { core.emplace(config, segment, processes, self); }

  StepOutcome step() {
    segment.begin_step();
    const StepOutcome outcome = core->step(now_ns);
    EXPECT_LE(segment.ops_in_step(), 1u) << "step " << steps_taken << " at " << now_ns << " ns";
    ++steps_taken;
    ControllerEvent event{};
    while (core->pop_event(event)) events.push_back(event);
    return outcome;
  }

  // Steps until the core waits or finishes.
  StepOutcome settle() {
    for (std::uint32_t i = 0; i < settle_steps_max; ++i) {
      const StepOutcome outcome = step();
      if (outcome != StepOutcome::progressed) return outcome;
    }
    ADD_FAILURE() << "the core kept progressing for " << settle_steps_max << " steps";
    return StepOutcome::progressed;
  }

  // Moves the clock to `time_ns` and settles.
  StepOutcome settle_at(std::uint64_t time_ns) {
    EXPECT_GE(time_ns, now_ns);
    now_ns = time_ns;
    return settle();
  }

  // Starts a controller on a fresh segment and lets it launch its first listener, which registers; the
  // clock moves to the ready timeout, where the controller confirms the registration.
  ProcessIdentity start_and_launch() {
    start();
    EXPECT_EQ(settle(), StepOutcome::waiting);
    EXPECT_EQ(processes.spawned().size(), 1u);
    if (processes.spawned().empty()) return {};
    const ProcessIdentity listener = processes.spawned().back();
    EXPECT_EQ(core->listener(), listener);
    register_and_confirm(listener);
    return listener;
  }

  // The launched `listener` registers; the controller confirms it when its ready timeout passes.
  void register_and_confirm(ProcessIdentity listener) {
    segment.poke(Field::listener_identity, listener.pack());
    const auto ready_ns = core->deadline_ns();
    EXPECT_EQ(ready_ns, now_ns + config.ready_timeout_ms * ns_per_ms);
    EXPECT_EQ(settle_at(ready_ns.value_or(now_ns)), StepOutcome::waiting);
    EXPECT_EQ(count(ControllerEvent::Kind::unregistered), 0u);
  }

  // A live process left behind by an earlier controller, recorded in `field` of an initialised segment
  // (listener_identity: it registered; launched_identity: it was launched and has not registered).
  void leave_live_process(ProcessIdentity process, Field field) {
    processes.add_live(process);
    segment.poke_initialised_header();
    segment.poke(field, process.pack());
  }

  // Steps until the core sends its first signal; true when the shutdown request was already visible in
  // the segment at the step that sent it (a signal must never overtake the request).
  bool request_visible_before_first_signal() {
    bool visible = false;
    for (std::uint32_t steps = 0; steps < settle_steps_max && processes.signals().empty(); ++steps) {
      visible = segment.peek(Field::shutdown_request) != 0;
      step();
    }
    return visible && !processes.signals().empty();
  }

  // The listener process ends and the driver reports it.
  void end_listener(ProcessIdentity listener, ExitStatus status) {
    processes.end(listener);
    core->handle_listener_exit(listener, status);
  }

  // Ends `listener` with `status` and settles; returns the restart deadline the core then waits for.
  std::uint64_t fail_and_expect_restart(ProcessIdentity listener, ExitStatus status) {
    const std::size_t restarting_before = count(ControllerEvent::Kind::restarting);
    end_listener(listener, status);
    EXPECT_EQ(settle(), StepOutcome::waiting);
    EXPECT_EQ(count(ControllerEvent::Kind::restarting), restarting_before + 1);
    const auto deadline_ns = core->deadline_ns();
    EXPECT_TRUE(deadline_ns.has_value());
    return deadline_ns.value_or(now_ns);
  }

  [[nodiscard]] std::size_t count(ControllerEvent::Kind kind) const {
    std::size_t n = 0;
    for (const ControllerEvent& event : events) n += event.kind == kind ? 1 : 0;
    return n;
  }
  [[nodiscard]] std::optional<ControllerEvent> last(ControllerEvent::Kind kind) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->kind == kind) return *it;
    }
    return std::nullopt;
  }
  [[nodiscard]] std::size_t stores_of(Field field) const {
    std::size_t n = 0;
    for (const fakes::SegmentAccess& op : segment.log())
      n += (op.kind == fakes::SegmentAccess::Kind::store && op.field == field) ? 1 : 0;
    return n;
  }

  fakes::FakeSegment segment;
  fakes::ScriptedProcesses processes;
  ControllerConfig config;
  const ProcessIdentity self{100, 7};
  std::optional<ControllerCore> core;
  std::vector<ControllerEvent> events;
  std::uint64_t now_ns = 1'000 * ns_per_ms;  // not zero: a zero clock hides "deadline = now + 0" mistakes
  std::uint32_t steps_taken = 0;
};

}  // namespace tether::test
