#pragma once
// The controller under a service manager (systemd's Type=notify): when started with NOTIFY_SOCKET set,
// it tells its manager READY=1 once its worker is registered or ready (or known to be a plain worker),
// STATUS= with what it is doing, STOPPING=1 when a shutdown begins, and WATCHDOG=1 at half of
// WATCHDOG_USEC. Spoken through libsystemd's sd_notify(3), not a client of our own; libsystemd is loaded
// (dlopen) only when NOTIFY_SOCKET is set, so a controller outside systemd maps none of it and its
// dependencies (about 380 kB of PSS measured: libsystemd, libgcrypt, libgpg-error, libcap, the
// compression libraries). Silent and free without NOTIFY_SOCKET.
#include <cstdint>
#include <optional>
#include <string>

#include "core/controller_core.hpp"

namespace tether {

class ServiceManagerNotifier {
 public:
  // Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID (sd_watchdog_enabled) once.
  explicit ServiceManagerNotifier(std::uint64_t now_ns);
  ~ServiceManagerNotifier();
  ServiceManagerNotifier(const ServiceManagerNotifier&) = delete;
  ServiceManagerNotifier& operator=(const ServiceManagerNotifier&) = delete;

  [[nodiscard]] bool enabled() const { return enabled_; }
  // Set when NOTIFY_SOCKET asks for a manager but libsystemd cannot be loaded: the controller refuses to
  // run (a Type=notify service that never says READY=1 is only timed out later, without a reason).
  [[nodiscard]] const std::optional<std::string>& problem() const { return problem_; }
  // Each event the core emitted, in order.
  void on_event(const ControllerEvent& event);
  // After the core's steps of one wake-up: readiness as the core now sees it.
  void after_steps(const ControllerCore& core);
  // When the next WATCHDOG=1 is due (nullopt: no watchdog asked for); `ping_if_due` sends it.
  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const { return watchdog_due_ns_; }
  void ping_if_due(std::uint64_t now_ns);

 private:
  void send(const std::string& text) const;
  void status(const std::string& text);

  using SdNotify = int (*)(int unset_environment, const char* state);
  void* library_ = nullptr;
  SdNotify sd_notify_ = nullptr;
  std::optional<std::string> problem_;
  bool enabled_ = false;
  bool ready_sent_ = false;
  bool stopping_sent_ = false;
  std::string last_status_;
  std::uint64_t watchdog_interval_ns_ = 0;
  std::optional<std::uint64_t> watchdog_due_ns_;
};

}  // namespace tether
