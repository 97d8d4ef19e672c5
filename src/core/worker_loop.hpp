#pragma once
// The seed's worker program (tether-listener) as a state machine over ListenerCore: register, then
// repeat { check for shutdown; do one unit of work; heartbeat; idle until woken or the idle time ends }
// and leave gracefully. The real binary and the simulator's listener processes both run this code.
#include <cstdint>
#include <deque>
#include <optional>

#include "core/listener_core.hpp"
#include "core/state_hash.hpp"

namespace tether {

struct WorkerConfig {
  std::uint64_t work_ms = 200;  // duration of one (simulated) unit of work
  std::uint64_t units = 0;      // leave after this many units; 0 = until asked to stop
  std::uint64_t idle_ms = 0;    // pause between units, cut short by a shutdown request

  static constexpr std::uint64_t duration_ms_max = 24ull * 60 * 60 * 1000;
};

struct WorkerStep {
  enum class Kind : std::uint8_t {
    progressed,  // a segment step was taken; call step again
    work_until,  // busy in a unit until `deadline_ns`; a shutdown request does not interrupt it
    idle_until,  // idle until `deadline_ns`, or until woken by a shutdown request (call wake())
    exit,        // the worker is done; `exit_code` says how
  };
  Kind kind = Kind::progressed;
  std::uint64_t deadline_ns = 0;
  int exit_code = 0;
};

struct WorkerEvent {
  enum class Kind : std::uint8_t {
    registered,
    register_refused,  // value: RegisterOutcome
    unit_started,      // value: unit number, from 1
    unit_finished,
    shutdown_seen,
    left,
  };
  Kind kind;
  std::uint64_t value = 0;
  friend bool operator==(const WorkerEvent&, const WorkerEvent&) = default;
};
inline std::uint64_t hash_value(const WorkerEvent& event) {
  Fnv1a hash;
  hash.add(static_cast<std::uint64_t>(event.kind));
  hash.add(event.value);
  return hash.value();
}

enum class WorkerPhase : std::uint8_t {
  start,
  registering,
  checking,
  starting_unit,
  working,
  ending_unit,
  idling,
  leaving,
  exited
};

// Everything the loop changes while it runs, as one value (see ControllerState for why).
struct WorkerLoopState {
  WorkerPhase phase = WorkerPhase::start;
  std::uint64_t deadline_ns = 0;
  std::uint64_t units_done = 0;
  int exit_code = 0;
  bool woken = false;
  std::deque<WorkerEvent> events;  // bounded by WorkerLoop::event_queue_max

  friend bool operator==(const WorkerLoopState&, const WorkerLoopState&) = default;
};
std::uint64_t hash_value(const WorkerLoopState& state);

class WorkerLoop {
 public:
  static constexpr std::size_t event_queue_max = 8;

  WorkerLoop(ListenerCore& listener, const WorkerConfig& config);
  // Resumes from a copy of another loop's state (over a core resumed from its copy too).
  WorkerLoop(ListenerCore& listener, const WorkerConfig& config, const WorkerLoopState& state);

  WorkerStep step(std::uint64_t now_ns);
  // The shutdown word changed while idle: end the idle wait now.
  void wake() { state_.woken = true; }
  bool pop_event(WorkerEvent& event);
  [[nodiscard]] std::uint64_t units_done() const { return state_.units_done; }
  [[nodiscard]] const WorkerLoopState& state() const { return state_; }

 private:
  using Phase = WorkerPhase;

  WorkerStep run_operation(ListenerOperation operation, std::uint64_t now_ns);
  WorkerStep outcome() const;
  void emit(WorkerEvent event);
  void after_check(std::uint64_t now_ns);
  void after_registering();
  void after_ending_unit(std::uint64_t now_ns);

  ListenerCore& listener_;
  WorkerConfig config_;
  WorkerLoopState state_;
};

}  // namespace tether
