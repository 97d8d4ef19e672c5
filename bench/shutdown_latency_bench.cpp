// BM_ShutdownLatency: from `tether shutdown`'s write to an idle listener process waking, one way.
//   tether       the write `tether shutdown` does (MappedSegment::store(shutdown_request, 1) and
//                wake_shutdown_waiters()) to a real listener process idling in the public API's
//                ListenerSession::wait_for_shutdown (tether-bench-helper idle).
//   futex_floor  a bare cross-process futex wake: a word in a plain shared-memory object, FUTEX_WAKE to
//                a process sleeping in FUTEX_WAIT on it (tether-bench-helper futex).
//   poll_1ms     the same write to a listener that polls should_stop() every millisecond instead.
// The waker and the woken process are pinned to the same CPU in every variant (CpuPin; the child
// inherits it): a wake-up across cores costs about ten times one on the same core, so a difference in
// placement would swamp the difference being measured. Each iteration starts a fresh waiting process
// (a shutdown request is final: it is never cleared while a segment lives), waits until the kernel
// shows it asleep in the expected place, then takes the time and writes; the woken process reports the
// time it woke. Target: tether within 2x of the floor.
#include <benchmark/benchmark.h>
#include <charconv>
#include <fcntl.h>
#include <random>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <variant>

#include "adapters/futex.hpp"
#include "core/names.hpp"
#include "support/bare_segment.hpp"
#include "support/latencies.hpp"
#include "support/line_pipe.hpp"
#include "support/processes.hpp"
#include "support/run_size.hpp"

namespace {

using namespace std::chrono_literals;
using namespace tether;
using namespace tether::bench;

enum class Waiter { tether, futex_floor, poll_1ms };

constexpr auto step_timeout = 10s;

// A plain one-page shared-memory object holding the floor's futex word.
class FutexObject {
 public:
  explicit FutexObject(const std::string& name) : object_(segment_object_name(name)) {
    const int fd = shm_open(object_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return;
    if (ftruncate(fd, 4096) == 0) {
      void* address = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (address != MAP_FAILED) word_ = static_cast<std::atomic<std::uint32_t>*>(address);
    }
    close(fd);
  }
  ~FutexObject() {
    if (word_ != nullptr) munmap(word_, 4096);
    shm_unlink(object_.c_str());
  }
  FutexObject(const FutexObject&) = delete;
  FutexObject& operator=(const FutexObject&) = delete;

  [[nodiscard]] std::atomic<std::uint32_t>* word() const { return word_; }
  [[nodiscard]] const std::string& object() const { return object_; }

 private:
  std::string object_;
  std::atomic<std::uint32_t>* word_ = nullptr;
};

std::optional<std::uint64_t> woke_ns(const std::string& line) {
  const auto at = line.find(" woke ");
  if (at == std::string::npos) return std::nullopt;
  const char* first = line.data() + at + 6;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(first, line.data() + line.size(), value);
  if (error != std::errc{}) return std::nullopt;
  return value;
}

// One measurement: start the waiting process, wait until it sleeps, write, read when it woke.
// Returns the latency, or an error message.
std::variant<std::uint64_t, std::string> measure_once(Waiter waiter, RunGuard& guard, LinePipe& pipe,
                                                      FutexObject& futex, std::minstd_rand& random) {
  std::uniform_int_distribution<int> phase_us(0, 999);
  std::string error;
  std::optional<BareSegment> bare =
      waiter == Waiter::futex_floor ? std::optional<BareSegment>{} : BareSegment::create(guard.name("shutdown"), error);
  std::vector<std::string> argv;
  if (waiter == Waiter::futex_floor) {
    futex.word()->store(0);
    argv = {binary("tether-bench-helper"), "futex", futex.object()};
  } else {
    if (!bare) return error;
    argv = {binary("tether-bench-helper"), waiter == Waiter::tether ? "idle" : "poll", bare->name()};
  }
  const pid_t pid = spawn(argv, pipe.write_fd());
  if (pid < 0) return std::string("cannot start tether-bench-helper");
  const std::string me = "tether-bench-helper[" + std::to_string(pid) + "]";
  if (!pipe.wait_for({me, "ready"}, step_timeout)) return std::string("the helper never got ready");
  const std::string_view sleep_site = waiter == Waiter::poll_1ms ? "hrtimer_nanosleep" : "futex";
  if (!wait_until_sleeping_in(pid, sleep_site, step_timeout)) return std::string("the helper never slept");
  // What `tether shutdown` does, through its own mapping of the segment, opened before the clock starts
  // and unmapped only after the wake-up was seen: with both processes on one CPU, anything the waker
  // does after the wake delays the woken process.
  std::optional<MappedSegment> tool;
  if (waiter != Waiter::futex_floor) {
    auto opened = MappedSegment::open_existing(bare->name(), MappedSegment::Access::read_write);
    if (!opened.ok()) return opened.error().message;
    tool.emplace(std::move(opened.value()));
  }
  // A random phase within the poller's period: right after it fell asleep the write would always find
  // a whole millisecond ahead of it. The same wait in every variant keeps the procedure identical.
  std::this_thread::sleep_for(std::chrono::microseconds(phase_us(random)));
  std::uint64_t start_ns = 0;
  if (waiter == Waiter::futex_floor) {
    start_ns = now_ns();
    futex.word()->store(1);
    futex_wake_all(*futex.word());
  } else {
    start_ns = now_ns();
    tool->store(Field::shutdown_request, 1);
    tool->wake_shutdown_waiters();
  }
  const auto line = pipe.wait_for({me, "woke"}, step_timeout);
  if (!line) return std::string("the helper did not wake");
  const auto end_ns = woke_ns(line->text);
  if (reap(pid, step_timeout) != 0) return std::string("the helper failed");
  if (!end_ns || *end_ns < start_ns) return std::string("bad wake time: " + line->text);
  return *end_ns - start_ns;
}

void BM_ShutdownLatency(benchmark::State& state, Waiter waiter, const char* label) {
  RunGuard guard;
  const ScopedNice measured(measured_nice);  // inherited by every process this run starts
  LinePipe pipe;
  FutexObject futex(guard.name("futex"));
  const CpuPin pin;
  if (!pipe.ok() || futex.word() == nullptr || !pin.ok()) {
    state.SkipWithError("cannot set up the pipe, the futex object or the CPU pin");
    return;
  }
  Latencies latencies(label);
  std::minstd_rand random(1);  // fixed seed: every run draws the same phases
  for (auto _ : state) {
    const auto outcome = measure_once(waiter, guard, pipe, futex, random);
    if (const auto* error = std::get_if<std::string>(&outcome)) {
      state.SkipWithError(error->c_str());
      break;
    }
    latencies.add(state, std::get<std::uint64_t>(outcome));
  }
  latencies.report(state);
  state.counters["nice"] = measured.raised() ? measured_nice : 0;
  state.counters["cpu"] = pin.cpu();
}

constexpr std::int64_t full_iterations = 400;

BENCHMARK_CAPTURE(BM_ShutdownLatency, tether, Waiter::tether, "BM_ShutdownLatency/tether")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ShutdownLatency, futex_floor, Waiter::futex_floor, "BM_ShutdownLatency/futex_floor")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ShutdownLatency, poll_1ms, Waiter::poll_1ms, "BM_ShutdownLatency/poll_1ms")
    ->Iterations(iterations(full_iterations))
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
