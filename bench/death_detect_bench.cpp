// BM_DeathDetect: from a listener's death (SIGKILL) to its watcher knowing, seen by this process.
//   tether       a real tether-controller notices: the time is taken when its "exited" log line
//                arrives. That line is written by the controller's event loop itself (poll on the
//                listener's pidfd wakes, handle_listener_exit, one step of the core, the event drained
//                to the log), so it observes exactly the path a user depends on; the segment would not
//                do, since the controller's first reaction there is a later step.
//   pidfd_floor  a bare pidfd poll in a long-lived process of its own (tether-bench-helper watch -, told
//                each victim's pid on stdin) prints a line the moment its poll returns, and the time is
//                taken when that line arrives.
// Both are observed the same way, through a line in the same pipe read by this process at raised
// priority (ScopedNice: on a loaded machine an observer woken at normal priority may wait
// milliseconds for a CPU), so that the difference between the two is the controller's event loop, not
// the observation. The victim is the same program in both
// (tether-listener, idle; for the floor against a segment without a controller). The dying process's
// own teardown is most of both figures. Target: tether within 2x of the floor.
#include <benchmark/benchmark.h>
#include <array>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

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
// The controller restarts the dead listener after this delay, well past the ~1 ms being measured: the
// restart (a fork, then the child's exec once the launch is recorded) is BM_Restart's subject, and
// right after the death it would only compete with the observer for the two CPUs and be counted as
// detection time (measured: about 250 us of it with a delay of 0). The floor restarts nothing either.
constexpr int restart_delay_ms = 30;

void BM_DeathDetect_tether(benchmark::State& state) {
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  LinePipe pipe;
  const std::string name = guard.name("death");
  const pid_t controller = spawn(controller_argv(name, restart_delay_ms), pipe.write_fd());
  pid_t listener = controller > 0 ? wait_for_idle_listener(pipe, -1, step_timeout) : -1;
  if (listener <= 0) {
    state.SkipWithError("the pair did not start");
    return;
  }
  const std::string controller_prefix = log_prefix("tether-controller", controller);
  Latencies latencies("BM_DeathDetect/tether");
  for (auto _ : state) {
    const std::string victim = "listener_pid=" + std::to_string(listener) + " ";
    std::optional<Line> line;
    std::uint64_t start_ns = 0;
    {
      const ScopedNice observer(observer_nice);
      start_ns = now_ns();
      kill(listener, SIGKILL);
      line = pipe.wait_for({controller_prefix, ": exited", victim}, step_timeout);
    }
    if (!line) {
      state.SkipWithError("the controller did not report the death");
      break;
    }
    latencies.add(state, line->read_ns - start_ns);
    // The controller restarts it (after restart_delay_ms); the next iteration kills the new one once it idles.
    listener = wait_for_idle_listener(pipe, listener, step_timeout);
    if (listener <= 0) {
      state.SkipWithError("the controller did not restart the listener");
      break;
    }
  }
  latencies.report(state);
  state.counters["nice"] = measured.raised() ? measured_nice : 0;
}

void BM_DeathDetect_pidfd_floor(benchmark::State& state) {
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  LinePipe pipe;
  std::string error;
  auto bare = BareSegment::create(guard.name("death-floor"), error);
  if (!bare) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<std::string> argv = listener_argv();
  argv.insert(argv.begin() + 1, {"--name", bare->name()});
  // The watcher lives for the whole run, like a controller, and is told each victim's pid on stdin.
  std::array<int, 2> to_watcher{-1, -1};
  if (pipe2(to_watcher.data(), O_CLOEXEC) != 0) {
    state.SkipWithError("cannot create the watcher's pipe");
    return;
  }
  const pid_t watcher = spawn({binary("tether-bench-helper"), "watch", "-"}, pipe.write_fd(), to_watcher[0]);
  close(to_watcher[0]);
  const std::string watcher_prefix = log_prefix("tether-bench-helper", watcher);
  Latencies latencies("BM_DeathDetect/pidfd_floor");
  pid_t previous = -1;
  for (auto _ : state) {
    const pid_t listener = spawn(argv, pipe.write_fd());
    if (listener <= 0 || wait_for_idle_listener(pipe, previous, step_timeout) != listener) {
      state.SkipWithError("the listener did not start");
      break;
    }
    const std::string victim = std::to_string(listener);
    const std::string request = victim + "\n";
    if (watcher <= 0 || write(to_watcher[1], request.data(), request.size()) != static_cast<ssize_t>(request.size()) ||
        !pipe.wait_for({watcher_prefix, "watching " + victim}, step_timeout) ||
        !wait_until_sleeping_in(watcher, "poll", step_timeout)) {
      state.SkipWithError("the watcher did not take the victim");
      break;
    }
    std::optional<Line> line;
    std::uint64_t start_ns = 0;
    {
      const ScopedNice observer(observer_nice);
      start_ns = now_ns();
      kill(listener, SIGKILL);
      line = pipe.wait_for({watcher_prefix, "died " + victim}, step_timeout);
    }
    reap(listener, step_timeout);
    if (!line) {
      state.SkipWithError("the death was not seen");
      break;
    }
    latencies.add(state, line->read_ns - start_ns);
    previous = listener;
  }
  close(to_watcher[1]);  // EOF ends the watcher
  if (watcher > 0) reap(watcher, step_timeout);
  latencies.report(state);
  state.counters["nice"] = measured.raised() ? measured_nice : 0;
}

constexpr std::int64_t full_iterations = 300;

BENCHMARK(BM_DeathDetect_tether)
    ->Name("BM_DeathDetect/tether")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DeathDetect_pidfd_floor)
    ->Name("BM_DeathDetect/pidfd_floor")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
