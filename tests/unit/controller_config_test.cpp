// Goal: every limit of the controller's options is enforced, with a message naming the option. Method:
// start from the defaults (valid) and break one option at a time, on both sides of each bound.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/controller_config.hpp"

namespace tether {
namespace {

constexpr std::uint64_t day_ms = ControllerConfig::duration_ms_max;

// The message, and with it the one error shape's exit code: every configuration problem is a usage error.
std::string problem_of(const ControllerConfig& config) {
  const auto problem = config.problem();
  if (!problem.has_value()) return "";
  EXPECT_EQ(problem->exit_code, 64) << problem->message;
  return problem->message;
}

std::optional<ConfigErrorKind> kind_of(const ControllerConfig& config) {
  const auto problem = config.problem();
  return problem.has_value() ? std::optional(problem->kind) : std::nullopt;
}

TEST(ControllerConfig, EachProblemHasItsKind) {
  ControllerConfig config;
  EXPECT_EQ(kind_of(config), std::nullopt);
  config.watchdog_ms = day_ms + 1;
  EXPECT_EQ(kind_of(config), ConfigErrorKind::duration_too_long);
  config = ControllerConfig{};
  config.restart_delay_ms = 300;
  config.restart_delay_ms_max = 299;
  EXPECT_EQ(kind_of(config), ConfigErrorKind::restart_delays_inverted);
  config = ControllerConfig{};
  config.start_limit = 0;
  EXPECT_EQ(kind_of(config), ConfigErrorKind::start_limit_out_of_range);
  config = ControllerConfig{};
  config.start_limit_interval_ms = 0;
  EXPECT_EQ(kind_of(config), ConfigErrorKind::start_limit_out_of_range);
}

TEST(ControllerConfig, DefaultsAreValid) {
  const ControllerConfig config;
  EXPECT_FALSE(config.problem().has_value());
  EXPECT_EQ(config.restart, RestartMode::always);
  EXPECT_EQ(config.restart_delay_ms, 100u);
  EXPECT_EQ(config.restart_delay_ms_max, 5000u);
  EXPECT_EQ(config.start_limit, 5u);
  EXPECT_EQ(config.start_limit_interval_ms, 10000u);
  EXPECT_EQ(config.stop_timeout_ms, 10000u);
  EXPECT_EQ(config.kill_timeout_ms, 5000u);
}

TEST(ControllerConfig, ADayIsTheLongestDuration) {
  ControllerConfig config;
  config.restart_delay_ms = day_ms;
  config.restart_delay_ms_max = day_ms;
  config.start_limit_interval_ms = day_ms;
  config.stop_timeout_ms = day_ms;
  config.kill_timeout_ms = day_ms;
  EXPECT_EQ(problem_of(config), "");
}

TEST(ControllerConfig, RestartDelayTooLong) {
  ControllerConfig config;
  config.restart_delay_ms = day_ms + 1;
  config.restart_delay_ms_max = day_ms;
  EXPECT_EQ(problem_of(config), "--restart-delay-ms is longer than a day");
}

TEST(ControllerConfig, RestartDelayMaxTooLong) {
  ControllerConfig config;
  config.restart_delay_ms_max = day_ms + 1;
  EXPECT_EQ(problem_of(config), "--restart-delay-max-ms is longer than a day");
}

TEST(ControllerConfig, RestartDelayMaxBelowTheDelay) {
  ControllerConfig config;
  config.restart_delay_ms = 300;
  config.restart_delay_ms_max = 299;
  EXPECT_EQ(problem_of(config), "--restart-delay-max-ms must not be smaller than --restart-delay-ms");
  config.restart_delay_ms_max = 300;
  EXPECT_EQ(problem_of(config), "");
}

TEST(ControllerConfig, StartLimitBounds) {
  ControllerConfig config;
  for (const std::uint32_t bad : {0u, StartLimiter::start_limit_max + 1}) {
    config.start_limit = bad;
    EXPECT_EQ(problem_of(config), "--start-limit must be between 1 and 1000") << bad;
  }
  for (const std::uint32_t good : {1u, StartLimiter::start_limit_max}) {
    config.start_limit = good;
    EXPECT_EQ(problem_of(config), "") << good;
  }
}

TEST(ControllerConfig, StartLimitIntervalBounds) {
  ControllerConfig config;
  for (const std::uint64_t bad : {std::uint64_t{0}, day_ms + 1}) {
    config.start_limit_interval_ms = bad;
    EXPECT_EQ(problem_of(config), "--start-limit-interval-ms must be between 1 and a day") << bad;
  }
  config.start_limit_interval_ms = 1;
  EXPECT_EQ(problem_of(config), "");
}

TEST(ControllerConfig, StopTimeoutTooLong) {
  ControllerConfig config;
  config.stop_timeout_ms = day_ms + 1;
  EXPECT_EQ(problem_of(config), "--stop-timeout-ms is longer than a day");
}

TEST(ControllerConfig, KillTimeoutTooLong) {
  ControllerConfig config;
  config.kill_timeout_ms = day_ms + 1;
  EXPECT_EQ(problem_of(config), "--kill-timeout-ms is longer than a day");
}

TEST(ControllerConfig, ZeroTimeoutsAreAllowed) {
  // Zero means "escalate at once" and "restart at once": legal, if impatient.
  ControllerConfig config;
  config.restart_delay_ms = 0;
  config.stop_timeout_ms = 0;
  config.kill_timeout_ms = 0;
  EXPECT_EQ(problem_of(config), "");
}

}  // namespace
}  // namespace tether
