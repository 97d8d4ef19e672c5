#pragma once
// One simulated run: a virtual clock, a process table (ProcessTable), the name's segment objects
// (SegmentObjects), every process's party (parties.hpp: the production cores, or the seed protocol's)
// driven step by step, faults from the seed's swarm, and the invariants judged by a checker fed
// observations (InvariantChecker). The World composes these and implements the ports' backends.
// Single-threaded and deterministic: every choice comes from Decisions, processes are visited in
// serial order, and nothing depends on addresses or hashing.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "decisions.hpp"
#include "faults.hpp"
#include "invariant_checker.hpp"
#include "pct.hpp"
#include "run_plan.hpp"
#include "segment_objects.hpp"
#include "sim_config.hpp"
#include "sim_ports.hpp"
#include "sim_processes.hpp"
#include "trace.hpp"

namespace tether::sim {

// Situations a sweep must reach ("sometimes" assertions): a harness that never reaches a case has not
// tested it.
enum class Situation : std::uint8_t {
  pid_reused_by_stranger,
  shutdown_during_unit,
  adoption,
  crash_during_init,
  crash_between_spawn_and_registration,
  crash_loop_give_up,
  stale_segment,
  half_initialised_segment,
  stale_registration_cleared,
  second_controller_refused,
  sigterm_ignored,
  sigkill_escalation,
  listener_hang,
  listener_self_exit,
  shutdown_by_signal,
  shutdown_by_tool,
  spawn_failure,
  controller_killed,
  listener_killed,
  plain_worker_detected,            // a controller's ready timeout passed: event `unregistered`
  plain_worker_adopted,             // a new controller watches a plain worker recorded in the segment
  plain_worker_stopped_by_signal,   // a controller's SIGTERM ended a plain worker
  plain_worker_sigkill_escalation,  // a plain worker ignored SIGTERM and was killed
  plain_worker_self_exit,           // a plain worker exited on its own (and was restarted, or not)
  launch_abandoned,                 // a controller died before releasing its launch: it never ran
  count_,
};
inline constexpr std::size_t situation_count = static_cast<std::size_t>(Situation::count_);
std::string_view situation_name(Situation situation);
using Coverage = std::array<std::uint64_t, situation_count>;

// A 128-bit fingerprint of the whole simulated world at a scheduling point (world_fingerprint.cpp):
// two independent 64-bit hashes of the same stream of values. `tether-sim check` keeps a set of them.
struct Fingerprint {
  std::uint64_t first = 0;
  std::uint64_t second = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};
struct FingerprintHash {
  std::size_t operator()(const Fingerprint& fingerprint) const noexcept { return fingerprint.first; }
};

// Where a run asked to stop at its frontier stopped: the world's fingerprint just before the first
// scheduler decision beyond the replayed prefix, that decision's range, and which process each of its
// first values steps (the values after them are "let time pass" or check's faults).
struct Frontier {
  Fingerprint fingerprint;
  std::uint32_t range = 0;
  std::vector<Serial> ready;
};

// What one transition did, from the scheduler decision that began it to the next frontier: enough for
// `check`'s partial-order reduction (sim/state_search.cpp) to tell two transitions that commute.
struct TransitionEffect {
  bool pure = false;           // nothing changed but the segment words it wrote and its actors' own state
  std::uint64_t reads = 0;     // segment fields it read, one bit per Field (any segment)
  std::uint64_t writes = 0;    // segment fields it wrote
  std::vector<Serial> actors;  // the processes that stepped, sorted
};
// Two pure transitions of different processes, neither writing what the other reads or writes: either
// order leaves the same world, and neither disables the other.
bool independent(const TransitionEffect& a, const TransitionEffect& b);

struct RunResult {
  std::optional<Violation> violation;
  std::optional<Frontier> frontier;  // set only when the run stopped there (World::stop_at_frontier)
  // The transition from the prefix's last decision to the frontier, when that decision was a scheduler
  // decision at a frontier (not a decision drawn inside a step).
  std::optional<TransitionEffect> effect;
  std::uint64_t steps = 0;
  std::uint64_t segment_ops = 0;
  std::uint64_t end_time_ns = 0;
  std::uint64_t trace_hash = 0;
  bool liveness_checked = false;  // false when the step budget ran out first
  Coverage coverage{};
};

class World {
 public:
  World(const SimConfig& config, Decisions& decisions, Trace& trace);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  RunResult run();
  // Makes run() stop at the first scheduler decision (a choice among two or more ready processes)
  // drawn once `prefix_length` decisions were taken: see Frontier, and `tether-sim check`.
  void stop_at_frontier(std::size_t prefix_length) { frontier_after_ = prefix_length; }
  // The whole world's state, meaningful at a scheduling point (world_fingerprint.cpp says what counts).
  [[nodiscard]] Fingerprint fingerprint() const;

  // Backends of the ports (sim_ports.cpp); `caller` is the process performing the operation.
  std::uint64_t segment_load(Serial caller, Field field);
  void segment_store(Serial caller, Field field, std::uint64_t value);
  bool segment_compare_exchange(Serial caller, Field field, std::uint64_t& expected, std::uint64_t desired);
  std::uint64_t segment_fetch_add(Serial caller, Field field, std::uint64_t delta);
  void wake_shutdown_waiters(Serial caller);
  Result<ProcessIdentity, SpawnError> spawn_listener(Serial controller, LaunchTicket ticket);
  void release_launch(Serial controller, ProcessIdentity identity);
  [[nodiscard]] Serial find_alive(ProcessIdentity identity) const;
  bool watch(Serial controller, ProcessIdentity identity);
  SignalOutcome signal(Serial sender, ProcessIdentity identity, Signal signal);
  // SIGUSR1 from the tool; true when a controller with that identity got it.
  bool notify(Serial sender, ProcessIdentity identity);

 private:
  [[nodiscard]] bool mapped_by_live_process(std::uint64_t incarnation) const;
  SegmentObjects::Object& mapped_segment(Serial caller);
  [[nodiscard]] std::string removed_tag(Serial caller) const;

  // world.cpp: processes and their ports.
  SimProcess* create_process(ProcessKind kind, Serial parent);
  void start_controller(std::string_view why);
  void start_tool();
  void exit_process(SimProcess& process, ExitStatus status, bool killed, std::string_view why);
  void kill(SimProcess& process, std::string_view why);
  void flush_exit_reports();
  void deliver_shutdown_signal(SimProcess& controller);
  void setup();
  void setup_stale_segment();
  SimProcess& process(Serial serial) { return table_.at(serial); }
  [[nodiscard]] const SimProcess& process(Serial serial) const { return table_.at(serial); }
  [[nodiscard]] std::string field_label(Field field) const;
  [[nodiscard]] std::string value_text(Field field, std::uint64_t value) const;

  // process_steps.cpp: one step of a process, whichever party it runs.
  void step_process(SimProcess& process);
  // What the operating system does before the party's step; false when that took the whole step.
  bool prepare_step(SimProcess& process);
  bool prepare_controller(SimProcess& process);
  bool prepare_listener(SimProcess& process);
  bool prepare_tool(SimProcess& process);
  void apply_step(SimProcess& process, const PartyStep& next);
  void end_by_own_step(SimProcess& process, const PartyStep& next);
  void drain_events(SimProcess& process);
  // The worker of the name, for the invariants: a registered listener, or a plain worker some
  // controller can know of (from its spawn: its controller releases it only after recording it).
  [[nodiscard]] static bool counts_as_worker(const SimProcess& process) { return process.registered || process.plain; }
  void abandon_held_launches(const SimProcess& dead_controller);

  // world_faults.cpp
  void apply_fault(const FaultEvent& fault);
  SimProcess* newest_alive(ProcessKind kind, bool registered_only = false);
  // SIGKILL a controller (a fault or a crash point), maybe followed by a new one: `value` decides.
  void kill_controller(SimProcess& controller, std::uint32_t value, std::string_view why);

  // world_check_faults.cpp: check's faults as successors (fault_bounds.hpp).
  void list_check_faults(std::vector<CheckFault>& options, bool anyone_ready);
  void apply_check_fault(CheckFault fault);
  [[nodiscard]] bool clean_would_remove() const;
  [[nodiscard]] bool live_worker_recorded() const;

  // scheduler.cpp
  std::optional<std::uint64_t> next_event_ns() const;
  void advance_clock();  // to the next event (a ready time, a fault, a checkpoint)
  std::uint32_t choose_next(const std::vector<Serial>& ready, std::uint32_t options);
  void begin_quiet_phase();
  void retry_controller_restart();

  // world_observations.cpp: what the world shows its invariant checker.
  void check_safety();
  void check_converged();
  void check_controller_exit(const SimProcess& controller, int exit_code);
  void request_final_shutdown();
  void check_final();
  [[nodiscard]] bool shutdown_visible() const;
  [[nodiscard]] bool shutdown_in_force() const;
  void cover(Situation situation) { ++coverage_[static_cast<std::size_t>(situation)]; }
  // Feeds the checker one observation; the first violation it finds goes into the trace.
  template <class Observation>
  void observe(const Observation& observation) {
    const bool had_violation = checker_.violation().has_value();
    checker_.observe(ObservedAt{step_, now_ns_}, observation);
    if (had_violation || !checker_.violation().has_value()) return;
    note(0, TraceOp::check, 0, 0, [&] {
      return fmt::format("VIOLATION {}: {}", checker_.violation()->invariant, checker_.violation()->detail);
    });
  }

  template <class TextFn>
  void note(Serial serial, TraceOp op, std::uint8_t field, std::uint64_t value, TextFn&& text, bool idle = false) {
    TraceRecord record;
    record.idle = idle;
    record.step = step_;
    record.time_ns = now_ns_;
    record.serial = serial;
    record.pid = serial == 0 ? 0 : process(serial).identity.pid;
    record.op = op;
    record.field = field;
    record.value = value;
    if (trace_.keeping()) {
      record.who = serial == 0 ? std::string("sim") : process(serial).label;
      record.text = text();
      record.segment = segments_.named().words;
    }
    trace_.add(std::move(record));
  }

  const SimConfig config_;
  Decisions& decisions_;
  Trace& trace_;
  Swarm swarm_;
  // The faults of this run: the swarm's schedule (plus follow-ups inserted while running) and how far it
  // has come; explore's crash budget; what is left of check's bounds on this path, and the faults they
  // enable at the current scheduling point.
  struct FaultState {
    std::vector<FaultEvent> schedule;
    std::size_t next = 0;
    std::uint32_t crash_budget = 0;
    FaultBounds left;
    std::vector<CheckFault> enabled;
  };
  FaultState faults_;
  SegmentObjects segments_;
  ProcessTable table_;
  struct PendingExit {
    Serial controller;
    ProcessIdentity watched;
    ExitStatus status;       // what the controller is told
    ExitStatus real_status;  // what happened, for the invariants
  };
  std::vector<PendingExit> pending_exits_;
  bool controller_restart_pending_ = false;  // the quiet phase's restart is waiting for a free pid
  std::uint64_t segment_ops_ = 0;
  std::uint64_t now_ns_ = 0;
  std::uint64_t step_ = 0;
  Serial lock_holder_ = 0;
  Serial last_stepped_ = 0;
  bool system_finished_ = false;  // a controller finished (not refused): the run of this name is over
  bool quiet_ = false;
  bool converge_checked_ = false;
  RunPlan plan_;
  std::uint64_t last_listener_exit_ns_ = 0;
  std::uint64_t last_controller_start_ns_ = 0;
  InvariantChecker checker_;
  std::vector<observed::Worker> observed_workers_;  // check_safety's scratch list
  bool liveness_checked_ = false;
  Coverage coverage_{};
  std::optional<std::size_t> frontier_after_;  // stop_at_frontier
  std::optional<Frontier> frontier_;
  std::optional<PctScheduler> pct_;  // a recorded run under --scheduler pct

  // A transition's effect being recorded (world_effects.cpp): what the world looked like before it.
  struct EffectRecording {
    Fingerprint surroundings;            // everything but segment words, last_stepped_, processes
    std::vector<Fingerprint> processes;  // each process's part of the fingerprint
    std::vector<std::array<std::uint64_t, field_count>> words;  // the current segment's, then retired ones'
    TransitionEffect effect;
  };
  void begin_effect();
  void note_segment_access(Field field, bool writes);
  void note_actor(Serial serial);
  [[nodiscard]] TransitionEffect finish_effect() const;
  [[nodiscard]] std::vector<std::array<std::uint64_t, field_count>> all_segment_words() const;
  template <class Hash>
  void hash_surroundings(Hash& hash, bool with_words_and_last) const;
  template <class Hash>
  static void hash_process(Hash& hash, const SimProcess& process);
  [[nodiscard]] Fingerprint surroundings_fingerprint() const;
  [[nodiscard]] Fingerprint process_fingerprint(const SimProcess& process) const;
  std::optional<EffectRecording> recording_;
  std::optional<TransitionEffect> effect_;  // the finished recording, at the frontier
};

}  // namespace tether::sim
