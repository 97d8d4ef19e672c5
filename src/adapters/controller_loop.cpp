#include "adapters/controller_loop.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <poll.h>
#include <vector>

#include "adapters/failpoints.hpp"
#include "core/assert.hpp"
#include "core/exit_codes.hpp"
#include "core/units.hpp"

namespace tether {

namespace {

// A core that keeps stepping without ever waiting is a bug; each wake-up needs only a few dozen steps.
constexpr int steps_per_wakeup_max = 10'000;

void drain_events(ControllerParts& parts, std::uint64_t now_ns) {
  ControllerEvent event{};
  while (parts.core.pop_event(event)) {
    parts.log.controller_event(event);
    parts.manager.on_event(event);
    parts.report.on_event(event, now_ns);
  }
}

// The earlier of the core's deadline and the service manager's next watchdog ping.
int poll_timeout_ms(const ControllerCore& core, const ServiceManagerNotifier& manager, std::uint64_t now_ns) {
  auto deadline = core.deadline_ns();
  const auto ping = manager.deadline_ns();
  if (!deadline.has_value() || (ping.has_value() && *ping < *deadline)) deadline = ping;
  if (!deadline.has_value()) return -1;
  if (*deadline <= now_ns) return 0;
  const std::uint64_t remaining_ms = ns_to_ms_ceil(*deadline - now_ns);
  return remaining_ms > INT_MAX ? INT_MAX : static_cast<int>(remaining_ms);
}

void dispatch_signals(ControllerCore& core, SignalFd& signals, const LogSink& log,
                      const std::function<void()>& on_hangup) {
  // Bounded: a signalfd holds at most one pending instance of each standard signal.
  for (int read_count = 0; read_count < 64; ++read_count) {
    const auto signal_number = signals.read_signal();
    if (!signal_number.has_value()) return;
    switch (*signal_number) {
      case SIGINT:
      case SIGTERM:
        log.event("signal_received", {{"signal", signal_name(*signal_number)}});
        core.handle_shutdown_signal();
        break;
      case SIGUSR1:  // `tether shutdown` posted in the segment and asks us to look
        core.handle_shutdown_notice();
        break;
      case SIGHUP: on_hangup(); break;
      default: break;
    }
  }
}

}  // namespace

int run_controller_loop(ControllerParts parts) {
  ControllerCore& core = parts.core;
  PosixProcesses& processes = parts.processes;
  ServiceManagerNotifier& manager = parts.manager;
  TETHER_ASSERT(parts.signals.valid());
  // What each polled descriptor after the signalfd is: the notify socket, a watched process's pidfd,
  // or its readiness pipe.
  enum class Source : std::uint8_t { notify_socket, exit, readiness_pipe };
  struct Polled {
    Source source;
    ProcessIdentity identity;
  };
  std::vector<pollfd> descriptors;
  std::vector<Polled> polled;
  // The loop ends only when the core finishes; every iteration either steps it or waits in poll.
  for (;;) {
    std::uint64_t now_ns = parts.clock.now_ns();
    for (int steps = 0;; ++steps) {
      TETHER_ASSERT(steps < steps_per_wakeup_max);
      const StepOutcome outcome = core.step(now_ns);
      drain_events(parts, now_ns);
      failpoint(core.passed_point());
      if (outcome == StepOutcome::finished) return core.exit_code();
      if (outcome == StepOutcome::waiting) break;
      now_ns = parts.clock.now_ns();
    }
    manager.after_steps(core);
    parts.report.after_steps(core, now_ns);

    descriptors.clear();
    polled.clear();
    descriptors.push_back({parts.signals.descriptor(), POLLIN, 0});
    if (parts.notices.socket_descriptor() >= 0) {
      descriptors.push_back({parts.notices.socket_descriptor(), POLLIN, 0});
      polled.push_back({Source::notify_socket, {}});
    }
    for (const auto& watched : processes.watched()) {
      descriptors.push_back({watched.pidfd.get(), POLLIN, 0});
      polled.push_back({Source::exit, watched.identity});
      if (watched.notification_read) {
        descriptors.push_back({watched.notification_read.get(), POLLIN, 0});
        polled.push_back({Source::readiness_pipe, watched.identity});
      }
    }
    const int ready = poll(descriptors.data(), descriptors.size(), poll_timeout_ms(core, manager, now_ns));
    if (ready < 0 && errno != EINTR) {
      parts.log.event("poll_failed", {{"errno", std::int64_t{errno}}});
      return exit_code::os_error;
    }
    manager.ping_if_due(parts.clock.now_ns());
    if (ready <= 0) continue;
    if ((descriptors[0].revents & POLLIN) != 0) dispatch_signals(core, parts.signals, parts.log, parts.on_hangup);
    now_ns = parts.clock.now_ns();
    // Readiness before exits: a worker that said READY=1 and then died is reported in that order.
    for (std::size_t index = 1; index < descriptors.size(); ++index) {
      if (descriptors[index].revents == 0) continue;
      const Polled& what = polled[index - 1];
      if (what.source == Source::notify_socket) parts.notices.read_socket(core, now_ns, parts.log);
      if (what.source == Source::readiness_pipe) {
        parts.notices.read_pipe(what.identity, processes, core, now_ns, parts.log);
      }
    }
    for (std::size_t index = 1; index < descriptors.size(); ++index) {
      if (descriptors[index].revents == 0 || polled[index - 1].source != Source::exit) continue;
      const ProcessIdentity identity = polled[index - 1].identity;
      core.handle_listener_exit(identity, processes.collect(identity));
    }
  }
}

}  // namespace tether
