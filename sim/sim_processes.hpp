#pragma once
// The simulated process table: a small pid space allocated the way Linux does (the next free pid after
// the last one handed out, wrapping), so that pids are reused within a run, by listeners and strangers
// alike. A process is identified by its pid plus a start time that is never repeated.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/process_identity.hpp"
#include "parties.hpp"

namespace tether::sim {

using Serial = std::uint32_t;  // a process's number within one run, from 1; never reused; 0 = none

enum class ProcessKind : std::uint8_t { controller, listener, tool, foreign };
std::string_view process_kind_name(ProcessKind kind);

class PidSpace {
 public:
  static constexpr std::int32_t first_pid = 2;  // pid 1 is init

  explicit PidSpace(std::uint32_t pid_count);
  // The next free pid after the last one allocated; nullopt when every pid is taken.
  std::optional<std::int32_t> allocate(Serial owner);
  bool allocate_exact(std::int32_t pid, Serial owner);
  void release(std::int32_t pid);
  [[nodiscard]] Serial owner(std::int32_t pid) const;
  [[nodiscard]] bool has_free() const;
  [[nodiscard]] std::int32_t last_pid() const { return last_pid_; }  // where the next search starts

 private:
  std::vector<Serial> owners_;  // index pid - first_pid
  std::int32_t last_pid_;
};

class SimSegmentPort;
class SimProcessPort;
class SimNoticePort;

// One process of the simulated world. Which members are used depends on `kind`; the cores keep
// references to the ports, so a process lives at a stable address (held by unique_ptr) for the run.
struct SimProcess {
  SimProcess();
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  Serial serial = 0;
  ProcessKind kind = ProcessKind::foreign;
  ProcessIdentity identity{};
  Serial parent = 0;
  bool alive = true;
  bool started = false;                      // has taken its first (setup) step
  std::optional<std::uint64_t> ready_at_ns;  // nullopt: blocked until an event wakes it
  std::string label;
  // The segment object it mapped (World's creation count; 0: none yet). Removing the name does not
  // unmap it: a process keeps reading and writing the object it mapped, while a later segment of the
  // name is another object.
  std::uint64_t mapped_incarnation = 0;

  // Listener or plain worker: held at its gate from its spawn until its controller releases it (after
  // recording the launch); its start and its own end are scheduled from the release.
  bool gated = false;
  std::uint64_t spawned_at_ns = 0;
  std::optional<std::uint64_t> gate_ready_at_ns;
  // Listener.
  LaunchTicket ticket;  // what its controller launched it with
  WorkerConfig worker_config;
  bool ignores_sigterm = false;
  bool hang_pending = false;
  bool hung = false;
  std::optional<int> exit_pending_code;  // a fault: exit on its own at the next point outside a unit
  bool in_unit = false;
  bool registered = false;
  bool ever_registered = false;
  bool idle_waiting = false;
  // A plain worker (issue 8): launched like a listener but never touches the segment (PlainWorkerParty).
  bool plain = false;

  // Controller.
  bool got_shutdown_signal = false;
  std::optional<ExitStatus> last_listener_status;  // how its last listener really ended (sim's knowledge)
  bool at_crash_point = false;                     // its last step passed the seed's named crash point
  bool finished = false;
  Serial expect_adopt = 0;  // a live registered listener it found at start: it must adopt, not launch
  std::vector<ProcessIdentity> watching;

  std::unique_ptr<SimSegmentPort> segment_port;
  std::unique_ptr<SimProcessPort> process_port;
  std::unique_ptr<SimNoticePort> notice_port;
  // Its program. A controller's and the tool's is created at their first step (after the operating
  // system's part of starting them), a worker's at its spawn, a stranger's with it.
  std::unique_ptr<Party> party;
};

// Every process of one run, dead ones too (the invariants look at how they ended), by serial; the pid
// space they take their pids from; and the workers alive. Start times come from a counter that never
// repeats, so a pid plus a start time names one process for the whole run.
class ProcessTable {
 public:
  using Processes = std::vector<std::unique_ptr<SimProcess>>;

  explicit ProcessTable(std::uint32_t pid_count);
  // A new process on the next free pid, ready at `now_ns`; nullptr when every pid is taken.
  SimProcess* add(ProcessKind kind, Serial parent, std::uint64_t now_ns);
  // A stranger that the kernel handed exactly `pid` (a dead process's); nullptr when it is taken.
  SimProcess* add_stranger(std::int32_t pid, std::uint64_t ready_at_ns);
  // An identity of an earlier run (a stale segment's), its pid marked as once ours.
  ProcessIdentity earlier_identity(std::int32_t pid);
  // Frees its pid and, for a worker, takes it off the live list. Its record stays.
  void remove(SimProcess& process);

  [[nodiscard]] SimProcess& at(Serial serial) { return *processes_[serial - 1]; }
  [[nodiscard]] const SimProcess& at(Serial serial) const { return *processes_[serial - 1]; }
  [[nodiscard]] const Processes& all() const { return processes_; }
  [[nodiscard]] std::size_t size() const { return processes_.size(); }
  // The listeners and plain workers alive, in the order they were spawned.
  [[nodiscard]] const std::vector<Serial>& live_workers() const { return live_workers_; }
  // The live process holding `identity`'s pid with its start time (any start time when `pid_only`).
  [[nodiscard]] Serial find_alive(ProcessIdentity identity, bool pid_only) const;
  [[nodiscard]] const PidSpace& pids() const { return pids_; }
  // Whether a controller or a worker of ours ever held `pid` (for the coverage of pid reuse).
  [[nodiscard]] bool pid_was_ours(std::int32_t pid) const { return pid_used_by_ours_[static_cast<std::size_t>(pid)]; }
  [[nodiscard]] std::uint64_t next_start_ticks() const { return next_start_ticks_; }

 private:
  SimProcess& push(ProcessKind kind, ProcessIdentity identity, Serial parent);

  PidSpace pids_;
  Processes processes_;
  std::vector<Serial> live_workers_;
  std::vector<bool> pid_used_by_ours_;  // by pid
  std::uint64_t next_start_ticks_ = 1;
};

}  // namespace tether::sim
