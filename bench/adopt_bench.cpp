// BM_Adopt: from a controller's start (posix_spawn of tether-controller) to a live listener adopted,
// seen as the new controller's "adopted" log line. Before each iteration the previous controller is
// killed with SIGKILL and reaped, leaving its listener idle and registered (it comes back to this
// process, a subreaper, as its parent). The figure includes the controller's exec and dynamic linking:
// what a user pays when a controller is restarted by hand or by systemd. This process waits for the line
// at raised priority (ScopedNice), so that its own wait for a CPU is not counted.
#include <benchmark/benchmark.h>
#include <csignal>

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

void BM_Adopt_tether(benchmark::State& state) {
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  LinePipe pipe;
  const std::string name = guard.name("adopt");
  pid_t controller = spawn(controller_argv(name), pipe.write_fd());
  const pid_t listener = controller > 0 ? wait_for_idle_listener(pipe, -1, step_timeout) : -1;
  if (listener <= 0) {
    state.SkipWithError("the pair did not start");
    return;
  }
  Latencies latencies("BM_Adopt/tether");
  for (auto _ : state) {
    kill(controller, SIGKILL);
    reap(controller, step_timeout);
    const std::uint64_t start_ns = now_ns();
    controller = spawn(controller_argv(name), pipe.write_fd());
    const std::string adopted_listener = "listener_pid=" + std::to_string(listener);
    std::optional<Line> line;
    if (controller > 0) {
      const ScopedNice observer(observer_nice);  // after the spawn, which must not inherit it
      line = pipe.wait_for({log_prefix("tether-controller", controller), ": adopted", adopted_listener}, step_timeout);
    }
    if (!line) {
      state.SkipWithError("the new controller did not adopt the listener");
      break;
    }
    latencies.add(state, line->read_ns - start_ns);
  }
  latencies.report(state);
  state.counters["nice"] = measured.raised() ? measured_nice : 0;
}

BENCHMARK(BM_Adopt_tether)
    ->Name("BM_Adopt/tether")
    ->Iterations(iterations(200))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
