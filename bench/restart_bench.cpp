// BM_Restart: from SIGKILL of the listener to a new listener registered.
//   tether       a real tether-controller (--restart-delay-ms 0) and tether-listener: the time is taken
//                when the new listener's "registered" log line arrives (it logs it right after its
//                registration in the segment succeeded).
//   spawn_floor  this process does the least any supervisor must: SIGKILL, a pidfd poll for the death,
//                reaping, posix_spawn of a minimal program that maps the segment and registers
//                (tether-bench-helper register), and the time is taken when its "registered" line
//                arrives, through the same kind of pipe. The supervising (poll, reap, spawn) runs at
//                normal priority, as the controller does.
// In both, this process observes the registration line at raised priority (ScopedNice), so that
// its own wait for a CPU on a loaded machine is not counted.
// Target: tether within 1.5x of the floor.
#include <benchmark/benchmark.h>
#include <csignal>
#include <unistd.h>

#include "adapters/pidfd.hpp"
#include "support/bare_segment.hpp"
#include "support/latencies.hpp"
#include "support/line_pipe.hpp"
#include "support/pair.hpp"
#include "support/processes.hpp"
#include "support/run_size.hpp"

namespace {

using namespace std::chrono_literals;
using namespace tether;
using namespace tether::bench;

constexpr auto step_timeout = 10s;

void BM_Restart_tether(benchmark::State& state) {
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  LinePipe pipe;
  const pid_t controller = spawn(controller_argv(guard.name("restart")), pipe.write_fd());
  pid_t listener = controller > 0 ? wait_for_idle_listener(pipe, -1, step_timeout) : -1;
  if (listener <= 0) {
    state.SkipWithError("the pair did not start");
    return;
  }
  Latencies latencies("BM_Restart/tether");
  for (auto _ : state) {
    std::optional<Line> registered;
    std::uint64_t start_ns = 0;
    {
      const ScopedNice observer(observer_nice);
      start_ns = now_ns();
      kill(listener, SIGKILL);
      // Skips a line of the killed listener that might still be in the pipe; the timeout bounds it.
      for (int lines = 0; lines < 8; ++lines) {
        registered = pipe.wait_for({"tether-listener[", ": registered"}, step_timeout);
        if (!registered || logged_pid(registered->text, "tether-listener") != listener) break;
      }
    }
    if (!registered) {
      state.SkipWithError("no new listener registered");
      break;
    }
    latencies.add(state, registered->read_ns - start_ns);
    listener = wait_for_idle_listener(pipe, listener, step_timeout);
    if (listener <= 0) {
      state.SkipWithError("the new listener did not go idle");
      break;
    }
  }
  latencies.report(state);
  state.counters["nice"] = measured.raised() ? measured_nice : 0;
}

// Starts the floor's registering program; its pid once it registered, or -1. The spawn runs at our
// normal priority (the child must not inherit a raised one); only the wait for its line is raised.
pid_t start_registrant(LinePipe& pipe, const std::string& name, std::optional<Line>& registered) {
  const pid_t pid = spawn({binary("tether-bench-helper"), "register", name}, pipe.write_fd());
  if (pid <= 0) return -1;
  const ScopedNice observer(observer_nice);
  registered = pipe.wait_for({log_prefix("tether-bench-helper", pid), "registered"}, step_timeout);
  return registered ? pid : -1;
}

void BM_Restart_spawn_floor(benchmark::State& state) {
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  LinePipe pipe;
  std::string error;
  auto bare = BareSegment::create(guard.name("restart-floor"), error);
  if (!bare) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::optional<Line> registered;
  pid_t victim = start_registrant(pipe, bare->name(), registered);
  if (victim <= 0 || !wait_until_sleeping_in(victim, "futex", step_timeout)) {
    state.SkipWithError("the registering program did not start");
    return;
  }
  Latencies latencies("BM_Restart/spawn_floor");
  for (auto _ : state) {
    const int pidfd = pidfd_open_process(victim);
    if (pidfd < 0) {
      state.SkipWithError("pidfd_open failed");
      break;
    }
    const std::uint64_t start_ns = now_ns();
    kill(victim, SIGKILL);
    const bool died = wait_for_death(pidfd, step_timeout);
    close(pidfd);
    reap(victim, step_timeout);
    victim = died ? start_registrant(pipe, bare->name(), registered) : -1;
    if (victim <= 0) {
      state.SkipWithError("the floor's restart failed");
      break;
    }
    latencies.add(state, registered->read_ns - start_ns);
    if (!wait_until_sleeping_in(victim, "futex", step_timeout)) {
      state.SkipWithError("the registering program did not go idle");
      break;
    }
  }
  latencies.report(state);
  state.counters["nice"] = measured.raised() ? measured_nice : 0;
}

constexpr std::int64_t full_iterations = 300;

BENCHMARK(BM_Restart_tether)
    ->Name("BM_Restart/tether")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Restart_spawn_floor)
    ->Name("BM_Restart/spawn_floor")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
