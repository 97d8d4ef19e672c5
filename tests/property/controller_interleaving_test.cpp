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
using namespace tether::fakes;

enum class Beat : std::uint8_t { step, exit, shutdown_signal, shutdown_posted, timer, heartbeat, registers };

void showValue(Beat beat, std::ostream& os) {
  static constexpr const char* names[] = {"step",  "exit",      "shutdown_signal", "shutdown_posted",
                                          "timer", "heartbeat", "registers"};
  os << names[static_cast<int>(beat)];
}

// When the driver may hand a listener's exit to the core.
enum class ExitDelivery : std::uint8_t {
  any_time,               // between any two steps (a driver that reports as soon as it learns)
  when_waiting,           // only after a step returned `waiting`, as src/adapters/controller_loop.cpp
                          // does; a shutdown signal may arrive in the same wakeup
  when_waiting_and_alone  // as when_waiting, but never in the same wakeup as a shutdown
};

ControllerConfig interleaving_config() {
  ControllerConfig config;
  config.restart = *rc::gen::element(RestartMode::always, RestartMode::on_failure);
  config.restart_delay_ms = *rc::gen::inRange<std::uint64_t>(0, 20);
  config.restart_delay_ms_max = config.restart_delay_ms * 4;
  config.start_limit = 1000;  // no giving up: keep the listener cycling
  config.start_limit_interval_ms = 1;
  config.stop_timeout_ms = *rc::gen::inRange<std::uint64_t>(0, 50);
  config.kill_timeout_ms = *rc::gen::inRange<std::uint64_t>(0, 50);
  config.stop_timeout_ms_max = *rc::gen::inRange<std::uint64_t>(0, 200);
  config.watchdog_ms = *rc::gen::element<std::uint64_t>(0, 1, 20);
  config.ready_timeout_ms = *rc::gen::element<std::uint64_t>(0, 1, 30, 5000);
  return config;
}

void run_schedule(const ControllerConfig& config, const std::vector<Beat>& schedule, ExitDelivery delivery) {
  FakeSegment segment;
  PooledProcesses processes{segment};
  ControllerCore core(config, segment, processes, ProcessIdentity{50, 7});
  std::uint64_t now_ns = 1'000'000'000;
  ControllerEvent event{};
  StepOutcome last_outcome = StepOutcome::waiting;
  bool shutdown_since_step = false;
  bool exit_since_step = false;
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
        shutdown_since_step = false;
        exit_since_step = false;
        RC_ASSERT(check_step(segment, processes, core, operations, wakes, signals) == std::string());
        signalled = signalled || processes.signals().size() > signals;
        while (core.pop_event(event)) {
        }
        break;
      }
      case Beat::exit:
        if (delivery != ExitDelivery::any_time && last_outcome != StepOutcome::waiting) break;
        if (delivery == ExitDelivery::when_waiting_and_alone && shutdown_since_step) break;
        if (listener.valid() && processes.is_alive(listener)) {
          processes.end(listener);
          processes.note_exit_reported(listener);
          core.handle_listener_exit(listener, ExitStatus::signal(9));
          exit_since_step = true;
        }
        break;
      case Beat::shutdown_signal:
        if (delivery == ExitDelivery::when_waiting_and_alone && exit_since_step) break;
        core.handle_shutdown_signal();
        shutdown_since_step = true;
        break;
      case Beat::shutdown_posted:
        if (delivery == ExitDelivery::when_waiting_and_alone && exit_since_step) break;
        segment.poke(Field::shutdown_request, 1);
        core.handle_shutdown_notice();
        shutdown_since_step = true;
        break;
      case Beat::timer:
        if (const auto deadline = core.deadline_ns(); deadline.has_value() && *deadline > now_ns) now_ns = *deadline;
        break;
      case Beat::heartbeat:
        now_ns += 1'000'000;
        segment.poke(Field::heartbeat_ns, now_ns);
        break;
      case Beat::registers:
        if (listener.valid() && processes.is_alive(listener)) segment.poke(Field::listener_identity, listener.pack());
        break;
    }
  }
  RC_CLASSIFY(signalled);
}

rc::Gen<std::vector<Beat>> schedule_gen() {
  return rc::gen::container<std::vector<Beat>>(rc::gen::weightedElement<Beat>({{12, Beat::step},
                                                                               {3, Beat::exit},
                                                                               {1, Beat::shutdown_signal},
                                                                               {1, Beat::shutdown_posted},
                                                                               {4, Beat::timer},
                                                                               {2, Beat::heartbeat},
                                                                               {2, Beat::registers}}));
}

}  // namespace

// Exits reported as the real driver does: only when the core waits.
RC_GTEST_PROP(ControllerInterleaving, NoSignalAfterAnExitReportedAtQuiescence, ()) {
  run_schedule(interleaving_config(), *schedule_gen(), ExitDelivery::when_waiting_and_alone);
}

// Was a core bug, reachable with the real driver: with a shutdown signal and the listener's exit in the
// same wakeup (Ctrl-C reaches a whole foreground process group), read_registration_for_stop sent the
// stop signal to the exited listener. Shrunk counterexample: stop_timeout_ms=0, kill_timeout_ms=0;
// after the first launch: [shutdown_signal, exit, step, step, step]. Fixed: pending exits come first.
RC_GTEST_PROP(ControllerInterleaving, NoSignalAfterAnExitReportedWithAShutdown, ()) {
  run_schedule(interleaving_config(), *schedule_gen(), ExitDelivery::when_waiting);
}

// Was a core bug, found by fuzz_controller_events: step_read_heartbeat sent SIGTERM (or the watchdog's
// SIGKILL) although an exit had been reported since the deadline passed. Shrunk counterexample:
// stop_timeout_ms=0, kill_timeout_ms=0; [shutdown_posted, step, step, step, exit, step]. Fixed: a
// pending exit makes the step a no-op.
RC_GTEST_PROP(ControllerInterleaving, NoSignalAfterAnExitReportedMidSequence, ()) {
  run_schedule(interleaving_config(), *schedule_gen(), ExitDelivery::any_time);
}
