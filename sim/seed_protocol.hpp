#pragma once
// The original design, modelled so that the simulator can show what it gets wrong: one int32 in the
// segment holds the listener's pid, or -1 once a shutdown was requested. A starting listener writes its
// pid over whatever is there (losing a posted -1), and a new controller trusts a pid without its start
// time (adopting, watching and signalling a stranger that inherited the pid). Same step discipline as
// the production cores: at most one segment operation per step.
#include <cstdint>
#include <deque>
#include <optional>

#include "core/controller_config.hpp"
#include "core/controller_core.hpp"
#include "core/controller_event.hpp"
#include "core/ports.hpp"
#include "core/restart_policy.hpp"
#include "core/worker_loop.hpp"

namespace tether::sim {

// The seed keeps its one word where our layout keeps the magic: the first word of the segment.
inline constexpr Field seed_slot_field = Field::magic;
inline constexpr std::uint64_t seed_shutdown_word = 0xFFFF'FFFF;  // int32 -1 as stored

enum class SeedControllerPhase : std::uint8_t {
  read_slot,
  spawn,
  running,
  post_shutdown,
  read_notice,
  read_after_exit,
  waiting_restart,
  finished
};

// Everything a seed controller changes while it runs, as one value (see ControllerState for why).
struct SeedControllerState {
  explicit SeedControllerState(StartLimiter limiter) : start_limiter(limiter) {}
  StartLimiter start_limiter;
  SeedControllerPhase phase = SeedControllerPhase::read_slot;
  ProcessIdentity listener{};  // pid only: the seed never knew start times
  bool shutdown = false;
  bool signal_pending = false;
  bool notice_pending = false;
  std::optional<ExitStatus> exit_pending;
  std::optional<std::uint64_t> stop_deadline_ns;
  std::optional<std::uint64_t> kill_deadline_ns;
  std::optional<std::uint64_t> restart_deadline_ns;
  bool sigterm_sent = false;
  bool sigkill_sent = false;
  std::uint32_t consecutive_failures = 0;
  int exit_code = 0;
  std::deque<ControllerEvent> events;

  friend bool operator==(const SeedControllerState&, const SeedControllerState&) = default;
};
std::uint64_t hash_value(const SeedControllerState& state);

class SeedController {
 public:
  SeedController(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes);

  void handle_listener_exit(ProcessIdentity process, ExitStatus status);
  void handle_shutdown_signal() { state_.signal_pending = true; }
  void handle_shutdown_notice() { state_.notice_pending = true; }
  StepOutcome step(std::uint64_t now_ns);
  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const;
  [[nodiscard]] int exit_code() const { return state_.exit_code; }
  [[nodiscard]] bool remove_segment() const { return true; }
  bool pop_event(ControllerEvent& event);
  [[nodiscard]] const SeedControllerState& state() const { return state_; }

 private:
  using Phase = SeedControllerPhase;
  void emit(ControllerEvent event);
  void finish(int exit_code);
  void step_running(std::uint64_t now_ns);
  void decide_restart(std::uint64_t now_ns, ExitStatus status);

  ControllerConfig config_;
  SegmentPort& segment_;
  ProcessPort& processes_;
  SeedControllerState state_;
};

enum class SeedListenerPhase : std::uint8_t { register_slot, check, working, idling, exited };

// Everything a seed listener changes while it runs, as one value.
struct SeedListenerState {
  SeedListenerPhase phase = SeedListenerPhase::register_slot;
  std::uint64_t deadline_ns = 0;
  std::uint64_t units_done = 0;
  bool registered = false;
  bool woken = false;
  std::deque<WorkerEvent> events;

  friend bool operator==(const SeedListenerState&, const SeedListenerState&) = default;
};
std::uint64_t hash_value(const SeedListenerState& state);

class SeedListener {
 public:
  SeedListener(SegmentPort& segment, std::int32_t pid, const WorkerConfig& config);
  WorkerStep step(std::uint64_t now_ns);
  void wake() { state_.woken = true; }
  bool pop_event(WorkerEvent& event);
  [[nodiscard]] bool registered() const { return state_.registered; }
  [[nodiscard]] const SeedListenerState& state() const { return state_; }

 private:
  using Phase = SeedListenerPhase;
  WorkerStep check(std::uint64_t now_ns);

  SegmentPort& segment_;
  std::int32_t pid_;
  WorkerConfig config_;
  SeedListenerState state_;
};

}  // namespace tether::sim
