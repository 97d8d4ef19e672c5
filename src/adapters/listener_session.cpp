// The public listener API: ListenerCore's operations run to completion at once over the real segment.
#include "tether/listener.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdlib>
#include <fmt/format.h>
#include <optional>

#include "adapters/failpoints.hpp"
#include "adapters/futex.hpp"
#include "adapters/mapped_segment.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/standard_descriptors.hpp"
#include "adapters/steady_clock.hpp"
#include "core/exit_codes.hpp"
#include "core/listener_core.hpp"
#include "core/names.hpp"
#include "core/units.hpp"

namespace tether {

struct ListenerSession::State {
  State(std::string name_in, MappedSegment segment_in, std::optional<LaunchTicket> launch)
      : name(std::move(name_in)), segment(std::move(segment_in)), core(segment, identities, self_identity(), launch) {}

  // Only operations that write a heartbeat need the time; the shutdown check stays one load plus
  // bookkeeping (it runs between every two units of a worker's loop).
  void run(ListenerOperation operation) {
    const bool needs_time = operation == ListenerOperation::register_self || operation == ListenerOperation::end_unit ||
                            operation == ListenerOperation::heartbeat;
    core.begin(operation, needs_time ? monotonic_now_ns() : 0);
    for (std::uint32_t step = 0; step <= ListenerCore::operation_steps_max; ++step) {
      if (core.step()) {
        failpoint(core.passed_point());
        return;
      }
    }
    assert(false && "a listener operation exceeded its step bound");
  }

  std::string name;
  MappedSegment segment;
  ProcIdentities identities;
  ListenerCore core;
};

namespace {

SessionError session_error(SessionError::Kind kind, std::string message, int code) {
  return {kind, std::move(message), code};
}

SessionError from_segment_error(const SegmentError& error) {
  switch (error.kind) {
    case SegmentError::Kind::not_found:
      return session_error(SessionError::Kind::no_segment, error.message + " (is a tether-controller running for it?)",
                           exit_code::no_input);
    case SegmentError::Kind::permission:
      return session_error(SessionError::Kind::permission, error.message, exit_code::no_permission);
    case SegmentError::Kind::foreign:
    case SegmentError::Kind::uninitialised:
      return session_error(SessionError::Kind::bad_segment, error.message, error.exit_code);
    case SegmentError::Kind::locked:
    case SegmentError::Kind::os: break;
  }
  return session_error(SessionError::Kind::os, error.message, exit_code::os_error);
}

// One number of the launch ticket from the environment; nullopt when the variable is absent or empty.
Result<std::optional<std::uint64_t>, SessionError> ticket_number(const char* variable) {
  const char* text = std::getenv(variable);
  if (text == nullptr || *text == '\0') return std::optional<std::uint64_t>{};
  std::uint64_t number = 0;
  const std::string_view view(text);
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), number);
  if (error != std::errc{} || end != view.data() + view.size()) {
    return fail(session_error(SessionError::Kind::bad_name, fmt::format("{} '{}' is not a number", variable, view),
                              exit_code::usage));
  }
  return std::optional<std::uint64_t>{number};
}

// TETHER_INCARNATION and TETHER_GENERATION are set together by the controller; a worker started by hand
// has neither. One without the other is a broken launcher: refuse it rather than register unchecked.
Result<std::optional<LaunchTicket>, SessionError> launch_ticket() {
  auto incarnation = ticket_number("TETHER_INCARNATION");
  if (!incarnation.ok()) return fail(incarnation.error());
  auto generation = ticket_number("TETHER_GENERATION");
  if (!generation.ok()) return fail(generation.error());
  if (incarnation.value().has_value() != generation.value().has_value()) {
    return fail(session_error(SessionError::Kind::bad_name,
                              "TETHER_INCARNATION and TETHER_GENERATION must be set together (or neither)",
                              exit_code::usage));
  }
  if (!generation.value().has_value()) return std::optional<LaunchTicket>{};
  return std::optional<LaunchTicket>{LaunchTicket{*incarnation.value(), *generation.value()}};
}

}  // namespace

Result<ListenerSession, SessionError> ListenerSession::open(std::string_view name) {
  std::string pair_name(name);
  if (pair_name.empty()) {
    const char* from_environment = std::getenv("TETHER_NAME");
    if (from_environment == nullptr) {
      return fail(
          session_error(SessionError::Kind::bad_name, "no name given and TETHER_NAME is not set", exit_code::usage));
    }
    pair_name = from_environment;
  }
  if (auto problem = name_problem(pair_name)) {
    return fail(session_error(SessionError::Kind::bad_name, fmt::format("invalid name '{}': {}", pair_name, *problem),
                              exit_code::usage));
  }
  auto launch = launch_ticket();
  if (!launch.ok()) return fail(launch.error());
  // A worker started with stderr closed would get the segment as descriptor 2, and its next message
  // "to stderr" would land in the segment (standard_descriptors.hpp).
  if (!open_standard_descriptors()) {
    return fail(session_error(SessionError::Kind::os, "cannot open /dev/null on a closed standard descriptor",
                              exit_code::os_error));
  }
  auto segment = MappedSegment::open_existing(pair_name, MappedSegment::Access::read_write);
  if (!segment.ok()) return fail(from_segment_error(segment.error()));

  auto state = std::make_unique<State>(pair_name, std::move(segment.value()), launch.value());
  state->run(ListenerOperation::register_self);
  const auto outcome = state->core.register_outcome();
  assert(outcome.has_value());
  if (outcome == RegisterOutcome::taken) {
    return fail(session_error(SessionError::Kind::taken,
                              fmt::format("another live listener is registered for '{}'", pair_name),
                              exit_code::temp_failure));
  }
  if (outcome == RegisterOutcome::superseded) {
    return fail(session_error(SessionError::Kind::superseded,
                              fmt::format("the controller of '{}' launched a newer listener", pair_name),
                              exit_code::temp_failure));
  }
  if (outcome == RegisterOutcome::replaced) {
    return fail(session_error(SessionError::Kind::superseded,
                              fmt::format("the segment '{}' this listener was launched for was removed; the one "
                                          "there now belongs to another controller",
                                          pair_name),
                              exit_code::temp_failure));
  }
  return ListenerSession(std::move(state));
}

ListenerSession::ListenerSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
ListenerSession::ListenerSession(ListenerSession&&) noexcept = default;
ListenerSession& ListenerSession::operator=(ListenerSession&&) noexcept = default;

ListenerSession::~ListenerSession() {
  if (state_) leave();
}

bool ListenerSession::should_stop() {
  // The core's fast path for the common answer: workers call this between every two units, so it
  // costs one load; only a posted request runs the whole operation (to record it, publish `stopping`).
  const auto quick = state_->core.check_shutdown_fast(state_->segment.shutdown_word().load(std::memory_order_acquire));
  if (quick.has_value()) {
    failpoint(state_->core.passed_point());
    return *quick;
  }
  state_->run(ListenerOperation::check_shutdown);
  return state_->core.shutdown_seen();
}

// The API forgives misuse that the core asserts against (a unit begun twice, a call after leave()):
// a user's worker must never crash on our account.
void ListenerSession::begin_unit() {
  if (state_->core.registered() && !state_->core.in_unit()) state_->run(ListenerOperation::begin_unit);
}

void ListenerSession::end_unit() {
  if (state_->core.registered() && state_->core.in_unit()) state_->run(ListenerOperation::end_unit);
}

void ListenerSession::heartbeat() {
  if (state_->core.registered()) state_->run(ListenerOperation::heartbeat);
}

bool ListenerSession::wait_for_shutdown(std::chrono::milliseconds timeout) {
  // Longer than any uptime, and short enough that the deadline in nanoseconds cannot wrap around: a
  // wrapped one (from milliseconds::max(), say) was already past, and the wait returned at once.
  constexpr std::int64_t timeout_ms_max = std::int64_t{1} << 40;  // about 35 years
  const auto timeout_ms = static_cast<std::uint64_t>(std::clamp<std::int64_t>(timeout.count(), 0, timeout_ms_max));
  const std::uint64_t deadline_ns = monotonic_now_ns() + ms_to_ns(timeout_ms);
  // Each futex wait returns on a wake, a timeout or a signal; the deadline bounds the retries.
  for (;;) {
    if (should_stop()) return true;
    const std::uint64_t now_ns = monotonic_now_ns();
    if (now_ns >= deadline_ns) return false;
    futex_wait(state_->segment.shutdown_word(), 0, deadline_ns - now_ns);
  }
}

void ListenerSession::leave() {
  if (state_->core.registered()) state_->run(ListenerOperation::leave);
}

const std::string& ListenerSession::name() const { return state_->name; }

}  // namespace tether
