#include <algorithm>
#include <csignal>
#include <functional>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>
#include <vector>

#include "adapters/controller_report.hpp"
#include "adapters/mapped_segment.hpp"
#include "adapters/pair_status.hpp"
#include "adapters/pidfd.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/steady_clock.hpp"
#include "adapters/unique_fd.hpp"
#include "adapters/verified_signal.hpp"
#include "apps/shutdown_wait.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"
#include "core/shutdown_core.hpp"
#include "core/units.hpp"

namespace tether {

namespace {

// pidfds of the identities that are alive now, verified after opening.
std::vector<UniqueFd> open_verified(std::initializer_list<ProcessIdentity> identities) {
  std::vector<UniqueFd> pidfds;
  for (const auto identity : identities) {
    if (!identity.valid()) continue;
    UniqueFd pidfd(pidfd_open_process(identity.pid));
    if (pidfd && identity_alive(identity)) pidfds.push_back(std::move(pidfd));
  }
  return pidfds;
}

// The wait's deadline, read again at each look: the controller may extend its stop.
using Deadline = std::function<std::uint64_t()>;
// How often a wait looks at the deadline again while nothing happens.
constexpr std::uint64_t deadline_look_ms = 250;

// Waits until every process is gone; false on timeout. Each poll returns when one more has exited.
bool wait_for_exit(std::vector<UniqueFd> pidfds, const Deadline& deadline) {
  while (!pidfds.empty()) {  // bounded by the deadline
    const std::uint64_t now_ns = monotonic_now_ns();
    const std::uint64_t deadline_ns = deadline();
    if (now_ns >= deadline_ns) break;
    std::vector<pollfd> descriptors;
    for (const auto& pidfd : pidfds) descriptors.push_back({pidfd.get(), POLLIN, 0});
    const auto wait_ms = static_cast<int>(std::min(ns_to_ms_ceil(deadline_ns - now_ns), deadline_look_ms));
    if (poll(descriptors.data(), descriptors.size(), wait_ms) < 0) continue;
    // descriptors[i] watches pidfds[i]; the pidfds left behind close as `pidfds` is replaced.
    std::vector<UniqueFd> still_running;
    for (std::size_t i = 0; i < pidfds.size(); ++i) {
      if (descriptors[i].revents == 0) still_running.push_back(std::move(pidfds[i]));
    }
    pidfds = std::move(still_running);
  }
  return pidfds.empty();
}

// Waits until no controller holds the segment's lock; false on timeout. The recorded controller's exit
// is seen through its pidfd; this covers one the segment does not name yet (a controller between taking
// the name and recording itself, say one adopting an orphaned worker), which holds the name as surely.
bool wait_for_controller_lock(const MappedSegment& segment, const Deadline& deadline) {
  constexpr int lock_poll_ms = 10;
  while (segment.controller_lock_held()) {  // bounded by the deadline
    if (monotonic_now_ns() >= deadline()) return false;
    poll(nullptr, 0, lock_poll_ms);
  }
  return true;
}

// Without --wait, how long a controller that is setting its segment up gets to finish (microseconds
// unless it is stopped); with --wait, the wait's own timeout.
constexpr std::uint64_t setup_wait_ms_default = 2000;
constexpr int setup_poll_ms = 10;

// Opens the segment to post the request into. One that is not set up yet is either being set up by a
// controller (it holds the lock: wait for it, bounded) or was left by a creator that died (nobody holds
// the lock: nothing can run under it, and we remove it as `tether clean` would; `abandoned` says so).
Result<MappedSegment, SegmentError> open_when_set_up(const std::string& name, std::uint64_t wait_ms, bool& abandoned) {
  abandoned = false;
  const std::uint64_t deadline_ns = monotonic_now_ns() + ms_to_ns(wait_ms);
  for (;;) {  // bounded by the deadline
    auto opened = MappedSegment::open_existing(name, MappedSegment::Access::read_write);
    if (opened.ok() || opened.error().kind != SegmentError::Kind::uninitialised) return opened;
    {
      const auto held = MappedSegment::open_for_cleaning(name);
      if (held.ok() && held.value().fault() != SegmentFault::none) {
        abandoned = MappedSegment::remove(name);
        return opened;
      }
    }  // set up meanwhile (look again), or locked by its controller (wait), or gone (the next open says so)
    if (monotonic_now_ns() >= deadline_ns) return opened;
    poll(nullptr, 0, setup_poll_ms);
  }
}

}  // namespace

int run_shutdown(const std::string& name, bool wait, std::uint64_t timeout_ms, bool timeout_given) {
  bool abandoned = false;
  auto opened = open_when_set_up(name, wait ? timeout_ms : setup_wait_ms_default, abandoned);
  if (abandoned) {
    fmt::print("{}: not running (removed the segment a controller died setting up)\n", name);
    return exit_code::ok;
  }
  if (!opened.ok() && opened.error().kind == SegmentError::Kind::uninitialised) {
    fmt::print(stderr, "tether shutdown: a controller is still setting up '{}' after {} ms; try again\n", name,
               wait ? timeout_ms : setup_wait_ms_default);
    return opened.error().exit_code;
  }
  if (!opened.ok()) {
    fmt::print(stderr, "tether shutdown: {}\n", opened.error().message);
    return opened.error().exit_code;
  }
  MappedSegment& segment = opened.value();
  // The protocol's part of the tool: post the request, read and nudge the recorded controller.
  VerifiedNotices notices;
  ShutdownCore tool(segment, notices);
  for (std::size_t steps = 0; steps < shutdown_phase_count && !tool.step(); ++steps) {
  }
  if (!tool.finished() || tool.exit_code() != exit_code::ok) {
    fmt::print(stderr, "tether shutdown: '{}' is not set up\n", name);
    return exit_code::data_error;
  }
  const ProcessIdentity controller = tool.controller();
  const bool controller_told = tool.controller_told();
  const LiveWorker worker = find_live_worker(segment);
  fmt::print("{}: shutdown requested{}\n", name, controller_told ? "" : " (no live controller)");
  // Only a controller stops a worker that does not read the segment; without one, say what will.
  const bool unreachable = !controller_told && worker.alive() && !worker.registered;
  if (unreachable) {
    fmt::print(stderr,
               "tether shutdown: '{}': worker pid {} has not registered (a plain worker, or one still starting) "
               "and no controller is alive to stop it; start a controller on '{}' (it adopts the worker and "
               "stops it) or stop the worker yourself\n",
               name, worker.identity.pid, name);
  }
  if (!wait) return exit_code::ok;

  // Stopped means worker and controller gone: the name is free for the next controller at once (a
  // controller still finishing its stop would make `shutdown --wait && tether-controller` exit 73).
  const std::uint64_t started_ns = monotonic_now_ns();
  std::uint64_t stop_deadline_ns = 0;  // the latest the controller reported
  bool stretched = false;
  const Deadline deadline = [&] {
    if (controller_told) {
      const auto report = read_controller_report(segment.controller_report_area());
      if (report.has_value() && report->stop_deadline_ns != 0) stop_deadline_ns = report->stop_deadline_ns;
    }
    const std::uint64_t deadline_ns =
        shutdown_wait_deadline_ns(started_ns, timeout_ms, timeout_given, stop_deadline_ns);
    if (!stretched && deadline_ns > started_ns + ms_to_ns(timeout_ms)) {
      stretched = true;  // said once: what the wait now follows
      fmt::print(stderr, "tether shutdown: waiting for controller pid {} of '{}', whose stop ends within {} ms\n",
                 controller.pid, name,
                 ns_to_ms_ceil(stop_deadline_ns - std::min(stop_deadline_ns, monotonic_now_ns())));
    }
    return deadline_ns;
  };
  const bool gone = wait_for_exit(open_verified({worker.identity, controller}), deadline) &&
                    wait_for_controller_lock(segment, deadline);
  if (!gone) {
    fmt::print(stderr, "tether shutdown: '{}' still running after {} ms{}{}\n", name, ns_to_ms(deadline() - started_ns),
               stop_deadline_ns != 0 && !timeout_given ? " (past the controller's own stop deadline)" : "",
               unreachable ? " (its worker had not registered)" : "");
    return exit_code::temp_failure;
  }
  if (!controller_told) {
    // Without a controller nobody removes the segment; with everything gone it is ours to tidy up (under
    // the controller lock: no controller starts on it meanwhile).
    auto leftover = MappedSegment::open_for_cleaning(name);
    if (leftover.ok() && !find_live_worker(leftover.value()).alive()) MappedSegment::remove(name);
  }
  fmt::print("{}: stopped\n", name);
  return exit_code::ok;
}

}  // namespace tether
