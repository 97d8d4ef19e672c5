#pragma once
// The protocol's invariants, judged by a checker that is fed observations (as TigerBeetle's state
// checker is): the world reports every event an invariant concerns and, after every step, what it
// looks like. The checker reads nothing else and changes nothing but its own model (the segment
// incarnation that has shown a shutdown request) and its verdict. It is a value: the world's
// fingerprint covers it, and a copied world copies it.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/restart_policy.hpp"

namespace tether::sim {

// Invariant names, exactly as the issue and the scenario files spell them.
namespace invariant {
inline constexpr std::string_view duplicate_listener = "duplicate_listener";
inline constexpr std::string_view foreign_signal = "foreign_signal";
inline constexpr std::string_view torn_unit = "torn_unit";
inline constexpr std::string_view relaunch_after_shutdown = "relaunch_after_shutdown";
inline constexpr std::string_view shutdown_lost = "shutdown_lost";
inline constexpr std::string_view restart_missing = "restart_missing";
inline constexpr std::string_view shutdown_stuck = "shutdown_stuck";
inline constexpr std::string_view adoption_failed = "adoption_failed";
inline constexpr std::array<std::string_view, 8> all = {duplicate_listener,      foreign_signal, torn_unit,
                                                        relaunch_after_shutdown, shutdown_lost,  restart_missing,
                                                        shutdown_stuck,          adoption_failed};
}  // namespace invariant

struct Violation {
  std::string invariant;
  std::uint64_t step = 0;
  std::uint64_t time_ns = 0;
  std::string detail;
  friend bool operator==(const Violation&, const Violation&) = default;
};

// When an observation was made: the world's step count and virtual time.
struct ObservedAt {
  std::uint64_t step = 0;
  std::uint64_t time_ns = 0;
};

// What the world reports. Labels name processes in violation texts; they outlive the call only.
namespace observed {

// A live listener or plain worker between two steps.
struct Worker {
  std::string_view label;
  bool counts_as_worker = false;  // registered, or a plain worker (the worker of the name from its spawn)
};

// The world between two steps (after a step, a fault or a crash).
struct Snapshot {
  bool segment_exists = false;
  std::uint64_t segment_incarnation = 0;  // counts creations of the name's segment
  bool shutdown_visible = false;          // the segment shows a shutdown request
  std::span<const Worker> workers;        // in serial order
};

// A listener ended.
struct ListenerExit {
  std::string_view label;
  int status_value = 0;
  bool killed = false;   // by a signal
  bool hung = false;     // it hung inside a unit (a fault): the unit never ends
  bool in_unit = false;  // it was inside a unit of work
};

// A controller asks to spawn a worker.
struct Launch {
  std::string_view controller;
  std::uint64_t segment_incarnation = 0;  // the name's segment at that moment
  bool got_shutdown_signal = false;
  // A live, registered listener the controller found at its start (it had to adopt it).
  std::optional<std::string_view> registered_listener_found;
};

// A controller adopts (watches) a live process.
struct Adoption {
  std::string_view controller;
  std::int32_t pid = 0;
  std::string_view target;
  bool target_is_listener = false;
};

// A signal arrived at a live process.
struct Signal {
  std::string_view sender;
  bool from_controller = false;
  std::string_view signal_name;
  std::string_view receiver;
  bool to_listener = false;
};

// The tool's SIGUSR1 arrived at a live process.
struct Notice {
  std::string_view sender;
  std::string_view receiver;
  bool to_controller = false;
};

// A controller ended its run by itself.
struct ControllerExit {
  std::string_view controller;
  int exit_code = 0;
  bool shutdown_in_force = false;
  RestartMode mode = RestartMode::always;
  bool listener_crashed = false;  // how its last listener really ended
};

// The convergence checkpoint of the quiet phase.
struct Convergence {
  bool shutdown_in_force = false;
  std::optional<std::string_view> controller;  // the newest live controller
  bool worker_alive = false;
  std::uint64_t quiet_ns = 0;  // since the last listener exit, controller start or fault
  std::uint64_t bound_ns = 0;  // the seed's restart bound
};

// The final checkpoint, after the shutdown request: the controllers and listeners still alive.
struct Final {
  std::span<const std::string_view> alive;
};

}  // namespace observed

class InvariantChecker {
 public:
  void observe(ObservedAt at, const observed::Snapshot& snapshot);
  void observe(ObservedAt at, const observed::ListenerExit& exit);
  void observe(ObservedAt at, const observed::Launch& launch);
  void observe(ObservedAt at, const observed::Adoption& adoption);
  void observe(ObservedAt at, const observed::Signal& signal);
  void observe(ObservedAt at, const observed::Notice& notice);
  void observe(ObservedAt at, const observed::ControllerExit& exit);
  void observe(ObservedAt at, const observed::Convergence& convergence);
  void observe(ObservedAt at, const observed::Final& final_checkpoint);

  // Whether that incarnation of the segment has shown a shutdown request (snapshots tell).
  [[nodiscard]] bool request_posted(std::uint64_t incarnation) const { return posted_incarnation_ == incarnation; }
  // The first violation: later ones are consequences, and the first is the one to explain.
  [[nodiscard]] const std::optional<Violation>& violation() const { return violation_; }

  friend bool operator==(const InvariantChecker&, const InvariantChecker&) = default;

 private:
  void violate(ObservedAt at, std::string_view invariant_name, std::string detail);

  std::optional<std::uint64_t> posted_incarnation_;
  std::optional<Violation> violation_;
};

}  // namespace tether::sim
