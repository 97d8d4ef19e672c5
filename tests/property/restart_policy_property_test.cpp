// Goal: restart arithmetic never exceeds its cap, never overflows, backs off monotonically, and the
// crash-loop limit triggers exactly at N starts within the interval. Method: compare with naive models
// (128-bit doubling; a full list of start times) over generated parameters and time lines.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/controller_config.hpp"
#include "core/restart_policy.hpp"

namespace {

using tether::StartLimiter;

// The documented formula, min(base * 2^(failures-1), max), computed with shifts: base * 2^k exceeds
// max exactly when base > max >> k, so the product is only formed when it cannot overflow.
std::uint64_t naive_delay_ms(std::uint64_t base_ms, std::uint64_t max_ms, std::uint32_t failures) {
  const std::uint32_t k = failures - 1;
  if (base_ms == 0) return 0;
  if (k >= 64 || base_ms > (max_ms >> k)) return max_ms;
  return base_ms << k;
}

rc::Gen<std::uint64_t> any_duration_ms() {
  return rc::gen::oneOf(rc::gen::arbitrary<std::uint64_t>(),
                        rc::gen::inRange<std::uint64_t>(0, tether::ControllerConfig::duration_ms_max + 1),
                        rc::gen::element<std::uint64_t>(0, 1, UINT64_MAX / 2, UINT64_MAX / 2 + 1, UINT64_MAX));
}

rc::Gen<std::uint32_t> failures() {
  return rc::gen::oneOf(rc::gen::inRange<std::uint32_t>(1, 80),
                        rc::gen::element<std::uint32_t>(63, 64, 65, UINT32_MAX));
}

// Naive start limit: keep every start, count the ones inside the window.
struct NaiveLimiter {
  std::uint32_t limit;
  std::uint64_t interval_ns;
  std::vector<std::uint64_t> starts_ns;

  [[nodiscard]] bool allows_start(std::uint64_t now_ns) const {
    const auto inside = std::count_if(starts_ns.begin(), starts_ns.end(),
                                      [&](std::uint64_t start_ns) { return now_ns - start_ns < interval_ns; });
    return static_cast<std::uint64_t>(inside) < limit;
  }
};

}  // namespace

RC_GTEST_PROP(RestartDelayProperty, NeverAboveTheMaximum, ()) {
  const std::uint64_t base_ms = *any_duration_ms();
  const std::uint64_t max_ms = *any_duration_ms();
  const std::uint32_t n = *failures();
  RC_ASSERT(tether::restart_delay_ms(base_ms, max_ms, n) <= max_ms);
}

RC_GTEST_PROP(RestartDelayProperty, MonotoneInFailures, ()) {
  const std::uint64_t base_ms = *any_duration_ms();
  const std::uint64_t max_ms = *any_duration_ms();
  const std::uint32_t n = *rc::gen::inRange<std::uint32_t>(1, UINT32_MAX);
  RC_ASSERT(tether::restart_delay_ms(base_ms, max_ms, n) <= tether::restart_delay_ms(base_ms, max_ms, n + 1));
}

RC_GTEST_PROP(RestartDelayProperty, MatchesNaiveDoublingWithinConfigLimits, ()) {
  // The range ControllerConfig admits: every duration at most a day, base not above max.
  const std::uint64_t max_ms = *rc::gen::inRange<std::uint64_t>(0, tether::ControllerConfig::duration_ms_max + 1);
  const std::uint64_t base_ms = *rc::gen::inRange<std::uint64_t>(0, max_ms + 1);
  const std::uint32_t n = *failures();
  RC_ASSERT(tether::restart_delay_ms(base_ms, max_ms, n) == naive_delay_ms(base_ms, max_ms, n));
}

// Was a core bug, fixed in 059a3d3: restart_delay_ms stopped after 63 doublings,
// so with base 1 and a cap above 2^63 it returned 2^63 instead of the cap. Shrunk counterexample
// (RC_PARAMS="max_success=3000"): base_ms=1, max_ms=18446744073709551615, failures=65 gives
// 9223372036854775808, expected 18446744073709551615. Unreachable through ControllerConfig (a day at
// most, see the test above), but the function's contract has no range.
RC_GTEST_PROP(RestartDelayProperty, MatchesNaiveDoublingOverFullRange, ()) {
  // Outside ControllerConfig's limits too: the function is public and documents the formula without
  // a range. Any mismatch here means the doubling saturates somewhere other than at the cap.
  const std::uint64_t base_ms = *any_duration_ms();
  const std::uint64_t max_ms = *any_duration_ms();
  const std::uint32_t n = *failures();
  RC_ASSERT(tether::restart_delay_ms(base_ms, max_ms, n) == naive_delay_ms(base_ms, max_ms, n));
}

RC_GTEST_PROP(StartLimiterProperty, AgreesWithNaiveModelOnAnyTimeline, ()) {
  const auto limit = *rc::gen::oneOf(rc::gen::inRange<std::uint32_t>(1, 8),
                                     rc::gen::inRange<std::uint32_t>(1, StartLimiter::start_limit_max + 1));
  const auto interval_ns = *rc::gen::inRange<std::uint64_t>(1, 1'000'000);
  StartLimiter limiter(limit, interval_ns);
  NaiveLimiter naive{limit, interval_ns, {}};
  std::uint64_t now_ns = *rc::gen::arbitrary<std::uint32_t>();
  // Steps: 0 = record a start, otherwise advance time by a step scaled to the interval, then compare.
  const auto steps = *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::inRange<std::uint32_t>(0, 6));
  for (const std::uint32_t step : steps) {
    if (step == 0) {
      limiter.record_start(now_ns);
      naive.starts_ns.push_back(now_ns);
    } else {
      now_ns += (interval_ns * step) / 4;
    }
    RC_ASSERT(limiter.allows_start(now_ns) == naive.allows_start(now_ns));
  }
}

RC_GTEST_PROP(StartLimiterProperty, TriggersExactlyAtNStartsWithinTheInterval, ()) {
  const auto limit = *rc::gen::inRange<std::uint32_t>(1, StartLimiter::start_limit_max + 1);
  const auto interval_ns = *rc::gen::inRange<std::uint64_t>(1, 1'000'000'000);
  const auto gap_ns = *rc::gen::inRange<std::uint64_t>(0, interval_ns / limit + 1);
  StartLimiter limiter(limit, interval_ns);
  std::uint64_t now_ns = 0;
  std::uint64_t first_ns = 0;
  for (std::uint32_t start = 0; start < limit; ++start) {
    RC_ASSERT(limiter.allows_start(now_ns));  // fewer than N so far
    if (start == 0) first_ns = now_ns;
    limiter.record_start(now_ns);
    if (start + 1 < limit) now_ns += gap_ns;
  }
  // N starts within the interval (the last one at most (N-1)*gap < interval after the first).
  RC_ASSERT(now_ns - first_ns < interval_ns);
  RC_ASSERT(!limiter.allows_start(now_ns));
  RC_ASSERT(!limiter.allows_start(first_ns + interval_ns - 1));
  // Once the first start leaves the window, one more is allowed.
  RC_ASSERT(limiter.allows_start(first_ns + interval_ns));
}
