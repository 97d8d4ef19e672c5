#pragma once
// How long `tether shutdown --wait` waits. A given --timeout-ms is kept as it is. Without one, the
// default stretches to the controller's own stop deadline (controller_report.hpp), re-read while
// waiting: a stop may rightly last --stop-timeout-max-ms plus --kill-timeout-ms (65 s by default), and
// a wait that gives up first reports a stop that was going to succeed as a failure.
#include <cstdint>

#include "core/units.hpp"

namespace tether {

// After the controller's last signal deadline: time for it to see the exit, remove the segment and go.
inline constexpr std::uint64_t controller_exit_grace_ms = 2000;

// The wait's deadline (monotonic ns): `started_ns + timeout_ms`, or when the timeout was not given
// and the controller reports a later stop deadline (0: none reported), that deadline plus the grace.
constexpr std::uint64_t shutdown_wait_deadline_ns(std::uint64_t started_ns, std::uint64_t timeout_ms,
                                                  bool timeout_given, std::uint64_t stop_deadline_ns) {
  const std::uint64_t own_ns = saturating_sum(started_ns, ms_to_ns(timeout_ms));
  if (timeout_given || stop_deadline_ns == 0) return own_ns;
  const std::uint64_t controller_ns = saturating_sum(stop_deadline_ns, ms_to_ns(controller_exit_grace_ms));
  return controller_ns > own_ns ? controller_ns : own_ns;
}

}  // namespace tether
