// `tether wait NAME`: the readiness primitive for scripts. `tether-controller --name X &` returns before
// the segment exists; waiting for a state here replaces a guessed sleep before `tether shutdown X`.
#include <ctime>
#include <fmt/format.h>

#include "adapters/pair_status.hpp"
#include "adapters/steady_clock.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"
#include "core/units.hpp"

namespace tether {
namespace {

// Often enough that a script waits a few milliseconds more than it must; rarely enough to cost nothing.
constexpr std::uint64_t poll_interval_ms = 10;

// Whether a status (or its absence) is the state waited for. Nothing holds the name before a
// controller creates the segment, or after it removed it.
bool reached(WaitState state, const Result<PairStatus, SegmentError>& status) {
  if (!status.ok()) return state == WaitState::gone;
  const PairStatus& pair = status.value();
  switch (state) {
    case WaitState::running: return pair.controller_alive;
    case WaitState::registered: return pair.listener_alive && pair.reported_state != "unregistered";
    case WaitState::working: return pair.listener_alive && pair.reported_state == "working";
    case WaitState::idle: return pair.listener_alive && pair.reported_state == "idle";
    case WaitState::gone: return !pair.controller_alive && !pair.listener_alive;
  }
  return false;
}

// Errors that waiting cannot mend end the wait at once: a segment that is not ours, or not a segment.
bool permanent(const SegmentError& error) {
  return error.kind != SegmentError::Kind::not_found && error.kind != SegmentError::Kind::uninitialised;
}

std::string seen(const Result<PairStatus, SegmentError>& status) {
  if (!status.ok()) return status.error().message;
  return fmt::format("state {}, controller {}", status.value().state,
                     status.value().controller_alive ? "alive" : "none");
}

}  // namespace

int run_wait(const std::string& name, WaitState state, std::uint64_t timeout_ms) {
  const std::uint64_t deadline_ns = monotonic_now_ns() + ms_to_ns(timeout_ms);
  // Bounded by the deadline: each pass sleeps poll_interval_ms or returns.
  for (;;) {
    const auto status = read_pair_status(name);
    if (reached(state, status)) {
      fmt::print("{}: {}\n", name, wait_state_name(state));
      return exit_code::ok;
    }
    if (!status.ok() && permanent(status.error())) {
      fmt::print(stderr, "tether wait: {}\n", status.error().message);
      return status.error().exit_code;
    }
    if (monotonic_now_ns() >= deadline_ns) {
      fmt::print(stderr, "tether wait: '{}' not {} after {} ms ({})\n", name, wait_state_name(state), timeout_ms,
                 seen(status));
      return exit_code::temp_failure;
    }
    const timespec pause{0, static_cast<long>(ms_to_ns(poll_interval_ms))};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace tether
