#pragma once
// The controller's knobs, with the defaults the command line documents, and their limits.
#include <cstdint>
#include <optional>
#include <string>

#include "core/restart_policy.hpp"
#include "tether/error.hpp"

namespace tether {

// Why a configuration is not usable; the message names the option, the exit code is EX_USAGE.
enum class ConfigErrorKind : std::uint8_t {
  duration_too_long,         // a duration option over ControllerConfig::duration_ms_max
  restart_delays_inverted,   // --restart-delay-max-ms below --restart-delay-ms
  start_limit_out_of_range,  // --start-limit or --start-limit-interval-ms outside its range
};
using ConfigError = Error<ConfigErrorKind>;

struct ControllerConfig {
  RestartMode restart = RestartMode::always;
  std::uint64_t restart_delay_ms = 100;
  std::uint64_t restart_delay_ms_max = 5000;
  std::uint32_t start_limit = 5;
  std::uint64_t start_limit_interval_ms = 10000;
  std::uint64_t stop_timeout_ms = 10000;
  std::uint64_t kill_timeout_ms = 5000;
  // Heartbeats during a stop extend its deadline (a long unit finishing), but never past this long
  // after the request, nor below stop_timeout_ms.
  std::uint64_t stop_timeout_ms_max = 60000;
  // A listener whose heartbeat is older than this is killed and restarted; 0 turns the watchdog off.
  // It watches registered listeners only: a plain worker never heartbeats.
  std::uint64_t watchdog_ms = 0;
  // A launched process that has not registered by then is a plain worker (a program that knows nothing
  // of tether): stopped with the stop signal at once instead of a shutdown request, never watchdogged.
  std::uint64_t ready_timeout_ms = 5000;
  // A worker that ran at least this long before it exited was healthy: the next restart waits the first
  // delay again and the start limit counts afresh. runit and s6 treat a run of one second so.
  std::uint64_t healthy_run_ms = 1000;

  // Upper bound for every duration option: a day is longer than any sane timeout and keeps all
  // arithmetic in nanoseconds far from overflow.
  static constexpr std::uint64_t duration_ms_max = 24ull * 60 * 60 * 1000;

  // The first violated limit, as a message naming the option; nullopt when the config is usable.
  [[nodiscard]] std::optional<ConfigError> problem() const;
};

}  // namespace tether
