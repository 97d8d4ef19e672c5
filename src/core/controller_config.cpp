#include "core/controller_config.hpp"

#include "core/exit_codes.hpp"

namespace tether {

namespace {
ConfigError usage_error(ConfigErrorKind kind, std::string message) {
  return ConfigError{kind, std::move(message), exit_code::usage};
}
}  // namespace

std::optional<ConfigError> ControllerConfig::problem() const {
  using Kind = ConfigErrorKind;
  const auto too_long = [](std::uint64_t ms) { return ms > duration_ms_max; };
  const auto longer_than_a_day = [&](std::string_view option) {
    return usage_error(Kind::duration_too_long, std::string(option) + " is longer than a day");
  };
  if (too_long(restart_delay_ms)) return longer_than_a_day("--restart-delay-ms");
  if (too_long(restart_delay_ms_max)) return longer_than_a_day("--restart-delay-max-ms");
  if (restart_delay_ms_max < restart_delay_ms) {
    return usage_error(Kind::restart_delays_inverted,
                       "--restart-delay-max-ms must not be smaller than --restart-delay-ms");
  }
  if (start_limit < 1 || start_limit > StartLimiter::start_limit_max) {
    return usage_error(Kind::start_limit_out_of_range, "--start-limit must be between 1 and 1000");
  }
  if (start_limit_interval_ms < 1 || too_long(start_limit_interval_ms)) {
    return usage_error(Kind::start_limit_out_of_range, "--start-limit-interval-ms must be between 1 and a day");
  }
  if (too_long(stop_timeout_ms)) return longer_than_a_day("--stop-timeout-ms");
  if (too_long(kill_timeout_ms)) return longer_than_a_day("--kill-timeout-ms");
  if (too_long(stop_timeout_ms_max)) return longer_than_a_day("--stop-timeout-max-ms");
  if (too_long(watchdog_ms)) return longer_than_a_day("--watchdog-ms");
  if (too_long(ready_timeout_ms)) return longer_than_a_day("--ready-timeout-ms");
  if (too_long(healthy_run_ms)) return longer_than_a_day("--healthy-run-ms");
  return std::nullopt;
}

}  // namespace tether
