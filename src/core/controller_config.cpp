#include "core/controller_config.hpp"

namespace tether {

std::optional<std::string> ControllerConfig::problem() const {
  auto too_long = [](std::uint64_t ms) { return ms > duration_ms_max; };
  if (too_long(restart_delay_ms)) return "--restart-delay-ms is longer than a day";
  if (too_long(restart_delay_ms_max)) return "--restart-delay-max-ms is longer than a day";
  if (restart_delay_ms_max < restart_delay_ms) {
    return "--restart-delay-max-ms must not be smaller than --restart-delay-ms";
  }
  if (start_limit < 1 || start_limit > StartLimiter::start_limit_max) {
    return "--start-limit must be between 1 and 1000";
  }
  if (start_limit_interval_ms < 1 || too_long(start_limit_interval_ms)) {
    return "--start-limit-interval-ms must be between 1 and a day";
  }
  if (too_long(stop_timeout_ms)) return "--stop-timeout-ms is longer than a day";
  if (too_long(kill_timeout_ms)) return "--kill-timeout-ms is longer than a day";
  if (too_long(stop_timeout_ms_max)) return "--stop-timeout-max-ms is longer than a day";
  if (too_long(watchdog_ms)) return "--watchdog-ms is longer than a day";
  if (too_long(ready_timeout_ms)) return "--ready-timeout-ms is longer than a day";
  if (too_long(healthy_run_ms)) return "--healthy-run-ms is longer than a day";
  return std::nullopt;
}

}  // namespace tether
