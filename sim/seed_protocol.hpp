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

class SeedController {
 public:
  SeedController(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes);

  void handle_listener_exit(ProcessIdentity process, ExitStatus status);
  void handle_shutdown_signal() { signal_pending_ = true; }
  void handle_shutdown_notice() { notice_pending_ = true; }
  StepOutcome step(std::uint64_t now_ns);
  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const;
  [[nodiscard]] int exit_code() const { return exit_code_; }
  [[nodiscard]] bool remove_segment() const { return true; }
  bool pop_event(ControllerEvent& event);

 private:
  enum class Phase : std::uint8_t {
    read_slot,
    spawn,
    running,
    post_shutdown,
    read_notice,
    read_after_exit,
    waiting_restart,
    finished
  };
  void emit(ControllerEvent event);
  void finish(int exit_code);
  void step_running(std::uint64_t now_ns);
  void decide_restart(std::uint64_t now_ns, ExitStatus status);

  ControllerConfig config_;
  SegmentPort& segment_;
  ProcessPort& processes_;
  StartLimiter start_limiter_;
  Phase phase_ = Phase::read_slot;
  ProcessIdentity listener_{};  // pid only: the seed never knew start times
  bool shutdown_ = false;
  bool signal_pending_ = false;
  bool notice_pending_ = false;
  std::optional<ExitStatus> exit_pending_;
  std::optional<std::uint64_t> stop_deadline_ns_;
  std::optional<std::uint64_t> kill_deadline_ns_;
  std::optional<std::uint64_t> restart_deadline_ns_;
  bool sigterm_sent_ = false;
  bool sigkill_sent_ = false;
  std::uint32_t consecutive_failures_ = 0;
  int exit_code_ = 0;
  std::deque<ControllerEvent> events_;
};

class SeedListener {
 public:
  SeedListener(SegmentPort& segment, std::int32_t pid, const WorkerConfig& config);
  WorkerStep step(std::uint64_t now_ns);
  void wake() { woken_ = true; }
  bool pop_event(WorkerEvent& event);
  [[nodiscard]] bool registered() const { return registered_; }

 private:
  enum class Phase : std::uint8_t { register_slot, check, working, idling, exited };
  WorkerStep check(std::uint64_t now_ns);

  SegmentPort& segment_;
  std::int32_t pid_;
  WorkerConfig config_;
  Phase phase_ = Phase::register_slot;
  std::uint64_t deadline_ns_ = 0;
  std::uint64_t units_done_ = 0;
  bool registered_ = false;
  bool woken_ = false;
  std::deque<WorkerEvent> events_;
};

}  // namespace tether::sim
