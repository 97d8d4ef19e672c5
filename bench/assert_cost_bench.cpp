// BM_AssertCost: what the cores' assertions (TETHER_ASSERT, kept in release builds) cost on the path a
// worker runs for every unit: check_shutdown, begin_unit, end_unit, heartbeat, each run step by step
// through the listener core (about a dozen steps, each checked against the phase table and its one
// declared segment operation).
//   checked    bench_assert_cost: the core as shipped.
//   unchecked  bench_assert_cost_unchecked: the same source over a copy of the core compiled without
//              its assertions (TETHER_ASSERT_COST_BASELINE, that target only). ci/bench runs both in one
//              run; report.py divides.
// Target: at most 2x, i.e. the checks cost no more than the steps they check. A unit of real work
// takes microseconds at least, and the listener API's per-check fast path (one atomic load) runs no
// step at all, so a few tens of nanoseconds per unit do not justify shipping an unchecked core.
#include <array>
#include <benchmark/benchmark.h>

#include "core/listener_core.hpp"
#include "core/ports.hpp"
#include "core/segment_layout.hpp"

namespace {

using namespace tether;

// The words of a segment, without the fakes' access log: the core's own cost, not the bench's.
class WordsSegment final : public SegmentPort {
 public:
  std::uint64_t load(Field field) override { return words_[index(field)]; }
  void store(Field field, std::uint64_t value) override { words_[index(field)] = value; }
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override {
    std::uint64_t& word = words_[index(field)];
    if (word != expected) {
      expected = word;
      return false;
    }
    word = desired;
    return true;
  }
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override {
    const std::uint64_t before = words_[index(field)];
    words_[index(field)] = before + delta;
    return before;
  }
  void wake_shutdown_waiters() override {}

 private:
  static std::size_t index(Field field) { return static_cast<std::size_t>(field); }
  std::array<std::uint64_t, field_count> words_{};
};

class NobodyElse final : public IdentityPort {
 public:
  bool is_alive(ProcessIdentity /*identity*/) override { return false; }
};

// Runs one operation to completion, within the core's own bound on its steps.
void run(ListenerCore& core, ListenerOperation operation, std::uint64_t now_ns) {
  core.begin(operation, now_ns);
  for (std::uint32_t step = 0; step < ListenerCore::operation_steps_max && !core.step(); ++step) {
  }
}

void BM_AssertCost(benchmark::State& state) {
  WordsSegment segment;
  NobodyElse identities;
  ListenerCore core(segment, identities, ProcessIdentity{4242, 17}, std::nullopt);
  run(core, ListenerOperation::register_self, 0);
  if (!core.registered()) {
    state.SkipWithError("the listener core did not register in an empty segment");
    return;
  }
  std::uint64_t now_ns = 0;
  for (auto _ : state) {
    now_ns += 1000;
    run(core, ListenerOperation::check_shutdown, now_ns);
    run(core, ListenerOperation::begin_unit, now_ns);
    run(core, ListenerOperation::end_unit, now_ns);
    run(core, ListenerOperation::heartbeat, now_ns);
    benchmark::DoNotOptimize(core.state());
  }
  if (core.busy()) state.SkipWithError("an operation did not complete within its step bound");
  if (core.shutdown_seen()) state.SkipWithError("a shutdown request appeared in a private segment");
}

}  // namespace

#if defined(TETHER_ASSERT_COST_BASELINE)
BENCHMARK(BM_AssertCost)->Name("BM_AssertCost/unchecked");
#else
BENCHMARK(BM_AssertCost)->Name("BM_AssertCost/checked");
#endif
