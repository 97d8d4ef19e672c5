// Goal: the restart arithmetic — backoff doubling with a cap and no overflow, the crash-loop limit that
// triggers exactly on start N+1 inside the interval, and the restart mode names. Method: exact values
// at the boundaries, plus sweeps over many failures for the invariants.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "core/restart_policy.hpp"

namespace tether {
namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t u32_max = std::numeric_limits<std::uint32_t>::max();

TEST(RestartDelay, DoublesPerConsecutiveFailure) {
  EXPECT_EQ(restart_delay_ms(100, 5000, 1), 100u);
  EXPECT_EQ(restart_delay_ms(100, 5000, 2), 200u);
  EXPECT_EQ(restart_delay_ms(100, 5000, 3), 400u);
  EXPECT_EQ(restart_delay_ms(100, 5000, 6), 3200u);
}

TEST(RestartDelay, IsCappedAtTheMaximum) {
  EXPECT_EQ(restart_delay_ms(100, 5000, 7), 5000u);  // 6400 would pass the cap
  EXPECT_EQ(restart_delay_ms(100, 5000, 1000), 5000u);
  EXPECT_EQ(restart_delay_ms(100, 5000, u32_max), 5000u);
  EXPECT_EQ(restart_delay_ms(5000, 5000, 1), 5000u);
  EXPECT_EQ(restart_delay_ms(100, 150, 2), 150u);
}

TEST(RestartDelay, ZeroBaseStaysZero) {
  EXPECT_EQ(restart_delay_ms(0, 5000, 1), 0u);
  EXPECT_EQ(restart_delay_ms(0, 5000, 50), 0u);
}

TEST(RestartDelay, HugeInputsDoNotOverflow) {
  // Doubling 2^63 would wrap to 0; the cap must win instead.
  EXPECT_EQ(restart_delay_ms(std::uint64_t{1} << 63, u64_max, 2), u64_max);
  EXPECT_EQ(restart_delay_ms(3, u64_max, u32_max), u64_max);
  EXPECT_EQ(restart_delay_ms(u64_max - 1, u64_max, u32_max), u64_max);
  EXPECT_EQ(restart_delay_ms(1, u64_max, 64), std::uint64_t{1} << 63);
  // The 64th doubling of 1 passes 2^64 - 1: from there on the delay is the cap, not stuck at 2^63.
  EXPECT_EQ(restart_delay_ms(1, u64_max, 65), u64_max);
  EXPECT_EQ(restart_delay_ms(1, u64_max, u32_max), u64_max);
}

TEST(RestartDelay, NeverDecreasesAndNeverPassesTheCap) {
  for (const std::uint64_t base : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{100}, u64_max / 3}) {
    for (const std::uint64_t cap : {base, base * 2 + 1, u64_max}) {
      std::uint64_t previous = 0;
      for (std::uint32_t failures = 1; failures <= 130; ++failures) {
        const std::uint64_t delay = restart_delay_ms(base, cap, failures);
        EXPECT_GE(delay, previous) << base << " " << cap << " " << failures;
        EXPECT_LE(delay, cap);
        EXPECT_GE(delay, base);
        previous = delay;
      }
    }
  }
}

TEST(StartLimiter, AllowsTheFirstNStarts) {
  StartLimiter limiter(3, 1000);
  for (std::uint64_t t = 0; t < 3; ++t) {
    EXPECT_TRUE(limiter.allows_start(t));
    limiter.record_start(t);
  }
  EXPECT_FALSE(limiter.allows_start(3));
}

TEST(StartLimiter, TriggersExactlyWhenStartNPlusOneIsInsideTheInterval) {
  StartLimiter limiter(3, 1000);
  limiter.record_start(100);
  limiter.record_start(110);
  limiter.record_start(120);
  EXPECT_FALSE(limiter.allows_start(120));
  EXPECT_FALSE(limiter.allows_start(1099));  // the first start is 999 ns back: inside the interval
  EXPECT_TRUE(limiter.allows_start(1100));   // exactly one interval back: outside
}

TEST(StartLimiter, WindowSlides) {
  StartLimiter limiter(3, 1000);
  for (const std::uint64_t t : {0u, 10u, 20u, 1000u}) limiter.record_start(t);
  // The last three starts are 10, 20, 1000: the window now hangs on the start at 10.
  EXPECT_FALSE(limiter.allows_start(1009));
  EXPECT_TRUE(limiter.allows_start(1010));
}

TEST(StartLimiter, StartsLeftCountsTheStartsInsideTheWindow) {
  StartLimiter limiter(3, 1000);
  EXPECT_EQ(limiter.starts_left(0), 3u);
  limiter.record_start(100);
  limiter.record_start(600);
  EXPECT_EQ(limiter.starts_left(600), 1u);
  EXPECT_EQ(limiter.starts_left(1099), 1u);  // the start at 100 is 999 ns back: inside
  EXPECT_EQ(limiter.starts_left(1100), 2u);  // exactly one interval back: outside
  limiter.record_start(1100);
  EXPECT_EQ(limiter.starts_left(1100), 1u);
  limiter.record_start(1200);
  EXPECT_EQ(limiter.starts_left(1200), 0u);
  EXPECT_FALSE(limiter.allows_start(1200)) << "no starts left is what the limit refuses";
  EXPECT_EQ(limiter.starts_left(2150), 2u);  // 600 and 1100 gone from the window, 1200 still in it
  limiter.forget_starts();
  EXPECT_EQ(limiter.starts_left(1200), 3u);
}

TEST(StartLimiter, LimitOfOne) {
  StartLimiter limiter(1, 500);
  EXPECT_TRUE(limiter.allows_start(0));
  limiter.record_start(7);
  EXPECT_FALSE(limiter.allows_start(506));
  EXPECT_TRUE(limiter.allows_start(507));
}

TEST(StartLimiter, RingWrapsAtTheMaximumLimit) {
  StartLimiter limiter(StartLimiter::start_limit_max, 10'000);
  const std::uint64_t starts = StartLimiter::start_limit_max + StartLimiter::start_limit_max / 2;
  for (std::uint64_t t = 0; t < starts; ++t) limiter.record_start(t);
  // The most recent 1000 starts began at t = 500.
  const std::uint64_t oldest_in_window = starts - StartLimiter::start_limit_max;
  EXPECT_FALSE(limiter.allows_start(oldest_in_window + 10'000 - 1));
  EXPECT_TRUE(limiter.allows_start(oldest_in_window + 10'000));
}

TEST(StartLimiter, SmallLimitAfterManyStarts) {
  StartLimiter limiter(2, 100);
  for (std::uint64_t t = 0; t < 2500; t += 50) limiter.record_start(t);
  // The last two starts are 2400 and 2450.
  EXPECT_FALSE(limiter.allows_start(2499));
  EXPECT_TRUE(limiter.allows_start(2500));
}

TEST(RestartMode, Parses) {
  EXPECT_EQ(parse_restart_mode("always"), RestartMode::always);
  EXPECT_EQ(parse_restart_mode("on-failure"), RestartMode::on_failure);
  EXPECT_EQ(parse_restart_mode("never"), RestartMode::never);
}

TEST(RestartMode, RefusesOtherSpellings) {
  for (const char* text : {"", "on_failure", "Always", "never ", "onfailure", "no"}) {
    EXPECT_FALSE(parse_restart_mode(text).has_value()) << text;
  }
}

TEST(RestartMode, NamesRoundTrip) {
  for (const RestartMode mode : {RestartMode::always, RestartMode::on_failure, RestartMode::never}) {
    EXPECT_EQ(parse_restart_mode(restart_mode_name(mode)), mode);
  }
}

}  // namespace
}  // namespace tether
