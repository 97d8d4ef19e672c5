// BM_Scale/pairs:N: N supervised pairs on one host. Launches N controllers (each launching its
// listener), waits until every listener is registered and idle, kills every listener with SIGKILL and
// waits until every pair has a new one, then shuts every pair down the way `tether shutdown` does and
// waits until every controller has exited 0 and removed its segment. The time column is the total per
// pair; counters give each phase per pair and the peak RSS (VmHWM) of the largest controller and
// listener, and the segment's size. Targets: controller and listener under 4 MiB, segment one page.
#include <benchmark/benchmark.h>
#include <csignal>
#include <sys/stat.h>
#include <thread>

#include "adapters/mapped_segment.hpp"
#include "adapters/proc_identity.hpp"
#include "core/names.hpp"
#include "support/pair.hpp"
#include "support/processes.hpp"
#include "support/run_size.hpp"

namespace {

using namespace std::chrono_literals;
using namespace tether;
using namespace tether::bench;

// Generous: 200 pairs start in a few seconds even on a loaded two-core machine.
constexpr auto phase_timeout = 120s;

struct Pair {
  std::string name;
  pid_t controller = -1;
  std::optional<MappedSegment> segment;  // mapped once the controller has initialised it
  ProcessIdentity listener{};
};

// True when the pair's registered listener is alive, idle, and not `previous`.
bool has_idle_listener(Pair& pair, ProcessIdentity previous) {
  if (!pair.segment) {
    auto opened = MappedSegment::open_existing(pair.name, MappedSegment::Access::read_write);
    if (!opened.ok()) return false;  // not created or not initialised yet
    pair.segment.emplace(std::move(opened.value()));
  }
  const auto identity = ProcessIdentity::unpack(pair.segment->load(Field::listener_identity));
  const auto state = pair.segment->load(Field::listener_state);
  if (!identity.valid() || identity == previous || state != static_cast<std::uint64_t>(ListenerState::idle)) {
    return false;
  }
  if (!identity_alive(identity)) return false;
  pair.listener = identity;
  return true;
}

// Waits until every pair has a new idle listener; false after the timeout.
bool wait_all_idle(std::vector<Pair>& pairs, const std::vector<ProcessIdentity>& previous) {
  const auto deadline = std::chrono::steady_clock::now() + phase_timeout;
  std::vector<bool> done(pairs.size(), false);
  std::size_t remaining = pairs.size();
  while (remaining > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    for (std::size_t index = 0; index < pairs.size(); ++index) {
      if (done[index] || !has_idle_listener(pairs[index], previous[index])) continue;
      done[index] = true;
      --remaining;
    }
    // The polling interval of a bounded wait; at this scale a millisecond is noise per pair.
    if (remaining > 0) std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The largest figures over all processes of one kind.
struct Memory {
  std::uint64_t peak_rss_kib = 0;
  std::uint64_t private_kib = 0;
  std::uint64_t pss_kib = 0;

  void add(pid_t pid) {
    peak_rss_kib = std::max(peak_rss_kib, proc_kib(pid, "status", "VmHWM").value_or(0));
    private_kib = std::max(private_kib, proc_kib(pid, "status", "RssAnon").value_or(0));
    pss_kib = std::max(pss_kib, proc_kib(pid, "smaps_rollup", "Pss").value_or(0));
  }
  void report(benchmark::State& state, const std::string& who) const {
    state.counters[who + "_peak_rss_kib"] = static_cast<double>(peak_rss_kib);
    state.counters[who + "_private_kib"] = static_cast<double>(private_kib);
    state.counters[who + "_pss_kib"] = static_cast<double>(pss_kib);
  }
};

double per_pair_ms(std::uint64_t from_ns, std::uint64_t to_ns, std::size_t pairs) {
  return static_cast<double>(to_ns - from_ns) / 1e6 / static_cast<double>(pairs);
}

void BM_Scale(benchmark::State& state) {
  const auto pair_count = static_cast<std::size_t>(state.range(0));
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  for (auto _ : state) {
    std::vector<Pair> pairs(pair_count);
    const std::uint64_t start_ns = now_ns();
    for (auto& pair : pairs) {
      pair.name = guard.name("scale");
      pair.controller = spawn(controller_argv(pair.name), -1);
    }
    if (!wait_all_idle(pairs, std::vector<ProcessIdentity>(pair_count))) {
      state.SkipWithError("not every pair started");
      break;
    }
    const std::uint64_t launched_ns = now_ns();

    std::vector<ProcessIdentity> killed;
    for (auto& pair : pairs) {
      killed.push_back(pair.listener);
      kill(pair.listener.pid, SIGKILL);
    }
    if (!wait_all_idle(pairs, killed)) {
      state.SkipWithError("not every listener was restarted");
      break;
    }
    const std::uint64_t restarted_ns = now_ns();

    // Peak RSS counts every page mapped in, shared library pages included (most of it: libstdc++ and
    // libc are shared by every process on the host); the private (anonymous) and proportional (PSS)
    // figures show what one more pair really costs.
    Memory controller_memory;
    Memory listener_memory;
    for (const auto& pair : pairs) {
      controller_memory.add(pair.controller);
      listener_memory.add(pair.listener.pid);
    }
    struct stat object {};
    const std::string path = "/dev/shm/" + segment_object_name(pairs.front().name).substr(1);
    const auto segment_bytes = stat(path.c_str(), &object) == 0 ? static_cast<double>(object.st_size) : -1.0;

    // What `tether shutdown` does for each pair: post the request, wake the listener, tell the controller.
    const std::uint64_t stopping_ns = now_ns();
    for (auto& pair : pairs) {
      pair.segment->store(Field::shutdown_request, 1);
      pair.segment->wake_shutdown_waiters();
      kill(pair.controller, SIGUSR1);
    }
    bool all_clean = true;
    for (auto& pair : pairs) {
      all_clean = reap(pair.controller, phase_timeout) == 0 && all_clean;
      pair.segment.reset();
    }
    const std::uint64_t stopped_ns = now_ns();
    for (const auto& pair : pairs) all_clean = all_clean && !MappedSegment::remove(pair.name);
    if (!all_clean) {
      state.SkipWithError("a controller did not exit 0 or left its segment behind");
      break;
    }

    state.SetIterationTime(static_cast<double>(stopped_ns - start_ns) / 1e9 / static_cast<double>(pair_count));
    state.counters["launch_ms_per_pair"] = per_pair_ms(start_ns, launched_ns, pair_count);
    state.counters["restart_ms_per_pair"] = per_pair_ms(launched_ns, restarted_ns, pair_count);
    state.counters["shutdown_ms_per_pair"] = per_pair_ms(stopping_ns, stopped_ns, pair_count);
    controller_memory.report(state, "controller");
    listener_memory.report(state, "listener");
    state.counters["segment_bytes"] = segment_bytes;
    state.counters["nice"] = measured.raised() ? measured_nice : 0;
  }
}

void scale_arguments(benchmark::internal::Benchmark* benchmark) {
  if (smoke_run()) {
    benchmark->Arg(4);
    return;
  }
  for (const int pairs : {10, 50, 200}) benchmark->Arg(pairs);
}

BENCHMARK(BM_Scale)
    ->ArgName("pairs")
    ->Apply(scale_arguments)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
