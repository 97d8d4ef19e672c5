#include "adapters/notify_service_manager.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <fmt/format.h>
#include <systemd/sd-daemon.h>

namespace tether {

ServiceManagerNotifier::ServiceManagerNotifier(std::uint64_t now_ns) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || socket[0] == '\0') return;
  // The soname Debian's libsystemd0 ships; the header we compiled against gives the signatures.
  library_ = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  using SdWatchdogEnabled = decltype(&sd_watchdog_enabled);
  auto* watchdog_enabled =
      library_ == nullptr ? nullptr : reinterpret_cast<SdWatchdogEnabled>(dlsym(library_, "sd_watchdog_enabled"));
  sd_notify_ = library_ == nullptr ? nullptr : reinterpret_cast<SdNotify>(dlsym(library_, "sd_notify"));
  if (sd_notify_ == nullptr || watchdog_enabled == nullptr) {
    const char* error = dlerror();
    problem_ = std::string("NOTIFY_SOCKET is set but libsystemd.so.0 cannot be used (install libsystemd0): ") +
               (error != nullptr ? error : "sd_notify not found");
    return;
  }
  enabled_ = true;
  std::uint64_t watchdog_us = 0;
  // Positive only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) names us.
  if (watchdog_enabled(0, &watchdog_us) > 0 && watchdog_us > 0) {
    // Half the manager's timeout, as sd_watchdog_enabled(3) advises: one late wake-up is survivable.
    watchdog_interval_ns_ = watchdog_us * 1000 / 2;
    watchdog_due_ns_ = now_ns;  // the first one at once
  }
  status("starting");
}

ServiceManagerNotifier::~ServiceManagerNotifier() {
  if (library_ != nullptr) dlclose(library_);
}

void ServiceManagerNotifier::send(const std::string& text) const {
  // 0: keep NOTIFY_SOCKET in our environment; the worker's is filtered by the launcher instead.
  // A failed send (the manager went away) is not worth the pair's life: nothing to do about it.
  static_cast<void>(sd_notify_(0, text.c_str()));
}

void ServiceManagerNotifier::status(const std::string& text) {
  if (!enabled_ || text == last_status_) return;
  last_status_ = text;
  send("STATUS=" + text);
}

void ServiceManagerNotifier::on_event(const ControllerEvent& event) {
  if (!enabled_) return;
  using Kind = ControllerEvent::Kind;
  const auto pid = event.process.pid;
  switch (event.kind) {
    case Kind::launched: status(fmt::format("worker {} launched, waiting for it to be ready", pid)); break;
    case Kind::adopted: status(fmt::format("worker {} adopted", pid)); break;
    case Kind::restarting: status(fmt::format("worker exited, restarting in {} ms", event.value)); break;
    case Kind::launch_failed: status("worker launch failed"); break;
    case Kind::registered: status(fmt::format("worker {} registered", pid)); break;
    case Kind::unregistered: status(fmt::format("worker {} running (plain worker)", pid)); break;
    case Kind::worker_ready: status(fmt::format("worker {} ready", pid)); break;
    case Kind::shutdown_requested:
      if (!stopping_sent_) {
        stopping_sent_ = true;
        send("STOPPING=1");
      }
      status("stopping");
      break;
    case Kind::gave_up: status("gave up: the worker kept failing"); break;
    case Kind::finished: status(fmt::format("finished, exit code {}", event.value)); break;
    default: break;
  }
}

void ServiceManagerNotifier::after_steps(const ControllerCore& core) {
  if (!enabled_ || ready_sent_ || core.shutdown_requested()) return;
  const ControllerState& state = core.state();
  // Ready: the worker registered, said so itself, or the ready timeout made it a plain worker (which
  // has no other way to tell; keeping the manager waiting would only have it time the start out).
  const bool worker_up =
      state.listener.valid() && (state.listener_registered || state.worker_notices.ready ||
                                 (!state.ready_deadline_ns.has_value() && core.phase() == ControllerPhase::running));
  if (!worker_up) return;
  ready_sent_ = true;
  last_status_ = fmt::format("worker {} {}", state.listener.pid,
                             state.listener_registered    ? "registered"
                             : state.worker_notices.ready ? "ready"
                                                          : "running");
  send("READY=1\nSTATUS=" + last_status_);
}

void ServiceManagerNotifier::ping_if_due(std::uint64_t now_ns) {
  if (!watchdog_due_ns_.has_value() || now_ns < *watchdog_due_ns_) return;
  send("WATCHDOG=1");
  watchdog_due_ns_ = now_ns + watchdog_interval_ns_;
}

}  // namespace tether
