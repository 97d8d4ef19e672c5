// Goal: what the driver reports between steps never makes the controller act on stale
// knowledge: no signal reaches a listener after its exit was reported, and the per-step invariants of
// controller_driver.hpp hold. Method: generated schedules at the finest grain (one step, a reported
// exit, a shutdown signal or notice, time jumping to the next deadline, a heartbeat), so that events
// land inside the core's multi-step sequences, which the model test (settled steps) cannot reach.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "controller_driver.hpp"
#include "core/controller_core.hpp"

namespace {

using namespace tether;
using namespace tether::testing;

enum class Beat : std::uint8_t { step, exit, shutdown_signal, shutdown_posted, timer, heartbeat };

void showValue(Beat beat, std::ostream& os) {
  static constexpr const char* names[] = {"step", "exit", "shutdown_signal", "shutdown_posted", "timer", "heartbeat"};
  os << names[static_cast<int>(beat)];
}

ControllerConfig interleaving_config() {
  ControllerConfig config;
  config.restart = *rc::gen::element(RestartMode::always, RestartMode::on_failure);
  config.restart_delay_ms = *rc::gen::inRange<std::uint64_t>(0, 20);
  config.restart_delay_max_ms = config.restart_delay_ms * 4;
  config.start_limit = 1000;  // no giving up: keep the listener cycling
  config.start_limit_interval_ms = 1;
  config.stop_timeout_ms = *rc::gen::inRange<std::uint64_t>(0, 50);
  config.kill_timeout_ms = *rc::gen::inRange<std::uint64_t>(0, 50);
  config.stop_timeout_max_ms = *rc::gen::inRange<std::uint64_t>(0, 200);
  config.watchdog_ms = *rc::gen::element<std::uint64_t>(0, 1, 20);
  return config;
}

// `exits_only_when_waiting`: the real driver (src/adapters/controller_loop.cpp) polls for exits only
// after a step returned `waiting`; the simulator may report them between any two steps.
void run_schedule(const ControllerConfig& config, const std::vector<Beat>& schedule, bool exits_only_when_waiting) {
  FakeSegment segment;
  FakeProcesses processes{segment};
  ControllerCore core(config, segment, processes, ProcessIdentity{50, 7});
  std::uint64_t now_ns = 1'000'000'000;
  ControllerEvent event{};
  StepOutcome last_outcome = StepOutcome::waiting;
  bool signalled = false;
  // Start from the first launch: initialisation takes a score of steps that would dilute the schedule.
  RC_ASSERT(settle(core, segment, processes, now_ns).violation == std::string());

  for (const Beat beat : schedule) {
    if (core.finished()) break;
    const ProcessIdentity listener = core.listener();
    switch (beat) {
      case Beat::step: {
        const std::uint64_t operations = segment.operations();
        const std::uint64_t wakes = segment.wakes();
        const std::size_t signals = processes.signals().size();
        last_outcome = core.step(now_ns);
        RC_ASSERT(check_step(segment, processes, core, operations, wakes, signals) == std::string());
        signalled = signalled || processes.signals().size() > signals;
        while (core.pop_event(event)) {
        }
        break;
      }
      case Beat::exit:
        if (exits_only_when_waiting && last_outcome != StepOutcome::waiting) break;
        if (listener.valid() && processes.is_alive(listener)) {
          processes.end(listener);
          processes.note_exit_reported(listener);
          core.handle_listener_exit(listener, ExitStatus::signal(9));
        }
        break;
      case Beat::shutdown_signal:
        core.handle_shutdown_signal();
        break;
      case Beat::shutdown_posted:
        segment.set_word(Field::shutdown_request, 1);
        core.handle_shutdown_notice();
        break;
      case Beat::timer:
        if (const auto deadline = core.deadline_ns(); deadline.has_value() && *deadline > now_ns) now_ns = *deadline;
        break;
      case Beat::heartbeat:
        now_ns += 1'000'000;
        segment.set_word(Field::heartbeat_ns, now_ns);
        break;
    }
  }
  RC_CLASSIFY(signalled);
}

rc::Gen<std::vector<Beat>> schedule_gen() {
  return rc::gen::container<std::vector<Beat>>(rc::gen::weightedElement<Beat>(
      {{12, Beat::step}, {3, Beat::exit}, {1, Beat::shutdown_signal}, {1, Beat::shutdown_posted},
       {4, Beat::timer}, {2, Beat::heartbeat}}));
}

}  // namespace

// As the real driver delivers exits: only when the core waits. Shutdowns and heartbeats still land
// between any two steps.
RC_GTEST_PROP(ControllerInterleaving, NoSignalAfterAnExitReportedAtQuiescence, ()) {
  run_schedule(interleaving_config(), *schedule_gen(), true);
}

// DISABLED: core bug (reported; src/core is not ours to edit), in the issue-5 core (not yet committed
// when found). When the stop deadline (or the watchdog's) passes, step_running moves to
// Phase::read_heartbeat and the NEXT step sends SIGTERM (or the watchdog's SIGKILL) without looking at
// exit_pending_: an exit reported between those two steps does not prevent the signal. Unreachable
// with the real driver (it reports exits only when the core waits), reachable by any driver that
// reports between steps, such as the simulator. The adapters verify identities, so the signal meets a
// dead pidfd, but the core logs a false escalation and acts on stale knowledge. Found by
// fuzz_controller_events ("signalled a listener that is not alive"). Shrunk counterexample: any config
// with stop_timeout_ms=0 and kill_timeout_ms=0; [shutdown_posted, step, step, step, exit, step]: the
// last step sends SIGTERM to the exited listener. Fix: in step_read_heartbeat, go back to running when
// exit_pending_ is set. Enable once fixed.
RC_GTEST_PROP(ControllerInterleaving, DISABLED_NoSignalAfterAnExitReportedMidSequence, ()) {
  run_schedule(interleaving_config(), *schedule_gen(), false);
}
