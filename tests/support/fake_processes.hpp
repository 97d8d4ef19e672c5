#pragma once
// In-memory ProcessPorts. ScriptedProcesses, for unit tests: pids counted up from first_spawn_pid,
// processes live until the test ends them, spawn failures scripted, every spawn, release, watch and
// signal recorded, so a test can say exactly which process the core touched. PooledProcesses, for
// property tests and fuzz targets: pids from a small pool (so pids are reused, as on a busy machine),
// each with a unique start time, strangers among them.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "core/ports.hpp"
#include "fake_segment.hpp"

namespace tether::fakes {

class ScriptedProcesses final : public ProcessPort {
 public:
  // Spawned processes get pids from here upwards, each with a fresh start time.
  static constexpr std::int32_t first_spawn_pid = 2000;

  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override {
    spawn_tickets_.push_back(ticket);
    if (!spawn_failures_.empty()) {
      const SpawnError error = spawn_failures_.front();
      spawn_failures_.pop_front();
      return fail(error);
    }
    const ProcessIdentity identity{next_pid_++, next_start_time_ticks_++};
    live_.insert(identity.pack());
    spawned_.push_back(identity);
    return identity;
  }
  void release(ProcessIdentity identity) override { released_.push_back(identity); }
  bool is_alive(ProcessIdentity identity) override { return identity.valid() && live_.count(identity.pack()) != 0; }
  bool watch(ProcessIdentity identity) override {
    watched_.push_back(identity);
    return is_alive(identity);
  }
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override {
    signals_.emplace_back(identity, signal);
    return is_alive(identity) ? SignalOutcome::delivered : SignalOutcome::gone;
  }

  // A process that exists now (a listener from before, or a stranger).
  void add_live(ProcessIdentity identity) { live_.insert(identity.pack()); }
  // The process ends: it is no longer alive; the test reports the exit to the core itself.
  void end(ProcessIdentity identity) { live_.erase(identity.pack()); }
  // The next spawn fails with `error` (scripted failures are used up in order).
  void fail_next_spawn(SpawnError error) { spawn_failures_.push_back(error); }

  [[nodiscard]] const std::vector<LaunchTicket>& spawn_tickets() const { return spawn_tickets_; }
  [[nodiscard]] std::vector<std::uint64_t> spawn_generations() const {
    std::vector<std::uint64_t> generations;
    for (const LaunchTicket& ticket : spawn_tickets_) generations.push_back(ticket.generation);
    return generations;
  }
  [[nodiscard]] const std::vector<ProcessIdentity>& spawned() const { return spawned_; }
  [[nodiscard]] const std::vector<ProcessIdentity>& released() const { return released_; }
  [[nodiscard]] const std::vector<ProcessIdentity>& watched() const { return watched_; }
  [[nodiscard]] const std::vector<std::pair<ProcessIdentity, Signal>>& signals() const { return signals_; }

 private:
  std::set<std::uint64_t> live_;
  std::deque<SpawnError> spawn_failures_;
  std::vector<LaunchTicket> spawn_tickets_;  // one per spawn attempt, failed ones included
  std::vector<ProcessIdentity> spawned_;
  std::vector<ProcessIdentity> released_;
  std::vector<ProcessIdentity> watched_;
  std::vector<std::pair<ProcessIdentity, Signal>> signals_;
  std::int32_t next_pid_ = first_spawn_pid;
  std::uint64_t next_start_time_ticks_ = 50'000;
};

struct PooledProcess {
  ProcessIdentity identity;
  bool alive = true;
  bool child = false;          // spawned by the controller under test
  bool exit_reported = false;  // the driver told the core that it ended
};

class PooledProcesses final : public ProcessPort {
 public:
  // Small on purpose: with a handful of pids, reuse happens within a few launches.
  static constexpr std::int32_t pid_first = 100;
  static constexpr std::int32_t pid_pool_size = 5;
  static constexpr std::size_t table_max = 4096;  // bounds a run; tests and fuzzers stop well before

  // `segment` lets the fake record a spawn that happens while a shutdown request is posted.
  explicit PooledProcesses(const FakeSegment& segment) : segment_(segment) {}

  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override {
    ++spawn_calls_;
    if (segment_.peek(Field::shutdown_request) != 0) ++spawns_after_shutdown_;
    spawn_tickets_.push_back(ticket);
    if (!spawn_failures_.empty()) {
      const SpawnError error = spawn_failures_.front();
      spawn_failures_.pop_front();
      return fail(error);
    }
    return start(true);
  }
  // A gate opened for a process the core has not recorded as launched would let an unrecorded launch
  // run: counted, for the drivers' checks. What counts is the core's own last write: a scribbler may
  // overwrite the record between the core's store and the release, which no ordering can prevent.
  void release(ProcessIdentity identity) override {
    ++releases_;
    if (segment_.port_word(Field::launched_identity) != identity.pack()) ++releases_unrecorded_;
  }
  bool is_alive(ProcessIdentity identity) override { return find_alive(identity) != nullptr; }
  bool watch(ProcessIdentity identity) override {
    watched_.push_back(identity);
    return is_alive(identity);
  }
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override {
    signals_.emplace_back(identity, signal);
    return is_alive(identity) ? SignalOutcome::delivered : SignalOutcome::gone;
  }

  // A new live process: a child (as spawn makes) or a stranger (started by hand, or by an earlier
  // controller). Its pid is the next free one in the pool; its start time is new.
  ProcessIdentity start(bool child) {
    PooledProcess process;
    process.child = child;
    process.identity.pid = next_free_pid();
    process.identity.start_time_ticks = ++clock_ticks_;
    if (table_.size() < table_max) table_.push_back(process);
    return process.identity;
  }
  void end(ProcessIdentity identity) {
    if (PooledProcess* process = find_alive(identity)) process->alive = false;
  }
  // The driver has reported this identity's end to the core: from now on nothing may be aimed at it.
  void note_exit_reported(ProcessIdentity identity) {
    for (PooledProcess& process : table_) {
      if (process.identity == identity) process.exit_reported = true;
    }
  }
  void fail_next_spawn(SpawnError error) { spawn_failures_.push_back(error); }

  [[nodiscard]] const std::vector<PooledProcess>& table() const { return table_; }
  [[nodiscard]] std::size_t live_count() const {
    std::size_t live = 0;
    for (const PooledProcess& process : table_) live += process.alive ? 1 : 0;
    return live;
  }
  [[nodiscard]] std::uint64_t spawn_calls() const { return spawn_calls_; }
  [[nodiscard]] std::uint64_t spawns_after_shutdown() const { return spawns_after_shutdown_; }
  [[nodiscard]] std::uint64_t releases() const { return releases_; }
  [[nodiscard]] std::uint64_t releases_unrecorded() const { return releases_unrecorded_; }
  [[nodiscard]] const std::vector<LaunchTicket>& spawn_tickets() const { return spawn_tickets_; }
  [[nodiscard]] const std::vector<std::pair<ProcessIdentity, Signal>>& signals() const { return signals_; }
  [[nodiscard]] std::size_t pending_spawn_failures() const { return spawn_failures_.size(); }

 private:
  PooledProcess* find_alive(ProcessIdentity identity) {
    if (!identity.valid()) return nullptr;
    for (PooledProcess& process : table_) {
      if (process.alive && process.identity == identity) return &process;
    }
    return nullptr;
  }
  std::int32_t next_free_pid() {
    // Round robin over the pool, skipping live pids; if every pid is live, leave the pool.
    for (std::int32_t tried = 0; tried < pid_pool_size; ++tried) {
      const std::int32_t pid = pid_first + (next_pid_offset_++ % pid_pool_size);
      bool taken = false;
      for (const PooledProcess& process : table_) taken = taken || (process.alive && process.identity.pid == pid);
      if (!taken) return pid;
    }
    return pid_first + pid_pool_size + static_cast<std::int32_t>(table_.size());
  }

  const FakeSegment& segment_;
  std::vector<PooledProcess> table_;
  std::deque<SpawnError> spawn_failures_;
  std::vector<LaunchTicket> spawn_tickets_;
  std::vector<std::pair<ProcessIdentity, Signal>> signals_;
  std::vector<ProcessIdentity> watched_;
  std::uint64_t spawn_calls_ = 0;
  std::uint64_t spawns_after_shutdown_ = 0;
  std::uint64_t releases_ = 0;
  std::uint64_t releases_unrecorded_ = 0;
  std::uint64_t clock_ticks_ = 0;
  std::int32_t next_pid_offset_ = 0;
};

}  // namespace tether::fakes
