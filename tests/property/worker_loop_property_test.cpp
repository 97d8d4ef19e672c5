// Goal: the seed worker program (WorkerLoop over ListenerCore) keeps its promises whatever happens
// around it: at most one segment operation per step; no unit begins after it saw the shutdown request,
// and at most the one unit already past its check begins after the request was posted; it leaves
// within a bounded number of steps once asked; it exits 0 with a goodbye in the segment, or 75 without
// touching the segment when the registration is not its own to take. Method: generated configs,
// starting segments and schedules of environment events between steps; the driver jumps time to each
// deadline the worker names, as the real session's timers would.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/exit_codes.hpp"
#include "core/listener_core.hpp"
#include "core/worker_loop.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace {

using namespace tether;
using namespace tether::fakes;

enum class Env : std::uint8_t { step, post_shutdown, bump_generation };

struct Scenario {
  WorkerConfig config;
  std::uint64_t generation = 0;
  // 0: by hand (no ticket), 1: current launch, 2: an older launch, 3: a launch for another segment of the
  // name whose generation count matches this one's
  int launched_as = 0;
  bool holder_live_stranger = false;
  std::vector<Env> schedule;
};

rc::Gen<Scenario> scenario_gen() {
  return rc::gen::exec([] {
    Scenario scenario;
    scenario.config.work_ms = *rc::gen::inRange<std::uint64_t>(0, 50);
    scenario.config.units = *rc::gen::inRange<std::uint64_t>(0, 5);
    scenario.config.idle_ms = *rc::gen::inRange<std::uint64_t>(0, 50);
    scenario.generation = *rc::gen::inRange<std::uint64_t>(1, 10);
    scenario.launched_as = *rc::gen::weightedElement<int>({{2, 0}, {6, 1}, {1, 2}, {1, 3}});
    scenario.holder_live_stranger = *rc::gen::weightedElement<bool>({{6, false}, {1, true}});
    scenario.schedule = *rc::gen::container<std::vector<Env>>(
        rc::gen::weightedElement<Env>({{20, Env::step}, {1, Env::post_shutdown}, {1, Env::bump_generation}}));
    return scenario;
  });
}

void showValue(const Scenario& scenario, std::ostream& os) {
  os << "work_ms=" << scenario.config.work_ms << " units=" << scenario.config.units
     << " idle_ms=" << scenario.config.idle_ms << " generation=" << scenario.generation
     << " launched_as=" << scenario.launched_as << " holder_live_stranger=" << scenario.holder_live_stranger
     << " schedule=";
  for (const Env env : scenario.schedule) os << "spb"[static_cast<int>(env)];
}

// Enough for the longest generated run: 5 units of a few steps each, plus registration and leaving.
constexpr std::uint32_t steps_after_request_max = 40;

}  // namespace

RC_GTEST_PROP(WorkerLoopProperty, KeepsItsPromisesUnderAnySchedule, ()) {
  const Scenario scenario = *scenario_gen();
  FakeSegment segment;
  PooledProcesses processes{segment};
  const ProcessIdentity self = processes.start(true);
  segment.poke(Field::generation, scenario.generation);
  if (scenario.holder_live_stranger) segment.poke(Field::listener_identity, processes.start(false).pack());
  constexpr std::uint64_t incarnation = 77;
  segment.poke(Field::incarnation, incarnation);
  std::optional<LaunchTicket> launch;
  if (scenario.launched_as == 1) launch = LaunchTicket{incarnation, scenario.generation};
  if (scenario.launched_as == 2) launch = LaunchTicket{incarnation, scenario.generation - 1};
  if (scenario.launched_as == 3) launch = LaunchTicket{incarnation + 1, scenario.generation};
  const std::uint64_t holder_before = segment.peek(Field::listener_identity);

  ListenerCore listener(segment, processes, self, launch);
  WorkerLoop worker(listener, scenario.config);
  std::uint64_t now_ns = 1'000'000'000;
  std::optional<std::uint32_t> posted_at_step;
  std::uint32_t steps = 0;
  std::uint64_t units_started = 0;
  std::uint64_t units_started_after_post = 0;
  bool shutdown_seen = false;
  bool registered = false;
  std::optional<int> exit_code;

  // The schedule first, then (if the worker is still running) a shutdown and steps until it leaves.
  std::vector<Env> schedule = scenario.schedule;
  schedule.push_back(Env::post_shutdown);
  schedule.insert(schedule.end(), steps_after_request_max + 1, Env::step);

  for (const Env env : schedule) {
    if (exit_code.has_value()) break;
    if (env == Env::post_shutdown) {
      if (!posted_at_step.has_value()) posted_at_step = steps;
      segment.poke(Field::shutdown_request, 1);
      worker.wake();  // the futex wake that accompanies a posted request
      continue;
    }
    if (env == Env::bump_generation) {
      segment.poke(Field::generation, segment.peek(Field::generation) + 1);
      continue;
    }
    const std::uint64_t operations_before = segment.operations();
    const WorkerStep step = worker.step(now_ns);
    ++steps;
    RC_ASSERT(segment.operations() - operations_before <= 1u);
    if (posted_at_step.has_value()) RC_ASSERT(steps - *posted_at_step <= steps_after_request_max);

    WorkerEvent event{};
    while (worker.pop_event(event)) {
      switch (event.kind) {
        case WorkerEvent::Kind::registered:
          RC_ASSERT(!registered);
          registered = true;
          break;
        case WorkerEvent::Kind::unit_started:
          RC_ASSERT(registered);
          RC_ASSERT(!shutdown_seen);  // never a unit after the request was seen
          RC_ASSERT(event.value == units_started + 1);
          ++units_started;
          if (posted_at_step.has_value()) ++units_started_after_post;
          break;
        case WorkerEvent::Kind::shutdown_seen:
          RC_ASSERT(posted_at_step.has_value());
          shutdown_seen = true;
          break;
        default: break;
      }
    }
    RC_ASSERT(units_started_after_post <= 1u);  // only the unit already past its check
    if (scenario.config.units != 0) RC_ASSERT(worker.units_done() <= scenario.config.units);

    if (step.kind == WorkerStep::Kind::work_until || step.kind == WorkerStep::Kind::idle_until) {
      RC_ASSERT(step.deadline_ns >= now_ns);
      now_ns = step.deadline_ns;  // the timer fires
    } else if (step.kind == WorkerStep::Kind::exit) {
      exit_code = step.exit_code;
    }
  }

  RC_ASSERT(exit_code.has_value());  // a posted request always ends the worker
  if (registered) {
    RC_ASSERT(*exit_code == exit_code::ok);
    RC_ASSERT(segment.peek(Field::listener_identity) == 0u);  // released
    RC_ASSERT(segment.peek(Field::listener_state) == static_cast<std::uint64_t>(ListenerState::exited));
    if (!shutdown_seen) RC_ASSERT(worker.units_done() == scenario.config.units);
  } else {
    // Refused: taken by a live holder, superseded by a newer launch, or launched for another segment of
    // the name. Nothing of ours stays behind.
    RC_ASSERT(*exit_code == exit_code::temp_failure);
    const bool superseded = launch.has_value() && launch->generation != segment.peek(Field::generation);
    const bool replaced = launch.has_value() && launch->incarnation != incarnation;
    RC_ASSERT(scenario.holder_live_stranger || superseded || replaced);
    RC_ASSERT(segment.peek(Field::listener_identity) == holder_before);
    RC_ASSERT(segment.peek(Field::listener_state) == 0u);
    RC_ASSERT(segment.peek(Field::heartbeat_ns) == 0u);
  }
}
