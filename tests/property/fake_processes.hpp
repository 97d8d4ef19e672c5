#pragma once
// An in-memory process table implementing ProcessPort: spawned children and strangers, each with a pid
// from a small pool (so pids are reused, as on a busy machine) and a unique start time. Records every
// spawn and signal; can be told to fail the next spawns.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/ports.hpp"
#include "fake_segment.hpp"

namespace tether::testing {

struct FakeProcess {
  ProcessIdentity identity;
  bool alive = true;
  bool child = false;          // spawned by the controller under test
  bool exit_reported = false;  // the driver told the core that it ended
};

class FakeProcesses final : public ProcessPort {
 public:
  // Small on purpose: with a handful of pids, reuse happens within a few launches.
  static constexpr std::int32_t pid_first = 100;
  static constexpr std::int32_t pid_pool_size = 5;
  static constexpr std::size_t table_max = 4096;  // bounds a run; tests and fuzzers stop well before

  // `segment` lets the fake record a spawn that happens while a shutdown request is posted.
  explicit FakeProcesses(const FakeSegment& segment) : segment_(segment) {}

  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override {
    ++spawn_calls_;
    if (segment_.word(Field::shutdown_request) != 0) ++spawns_after_shutdown_;
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
    FakeProcess process;
    process.child = child;
    process.identity.pid = next_free_pid();
    process.identity.start_time_ticks = ++clock_ticks_;
    if (table_.size() < table_max) table_.push_back(process);
    return process.identity;
  }
  void end(ProcessIdentity identity) {
    if (FakeProcess* process = find_alive(identity)) process->alive = false;
  }
  // The driver has reported this identity's end to the core: from now on nothing may be aimed at it.
  void note_exit_reported(ProcessIdentity identity) {
    for (FakeProcess& process : table_) {
      if (process.identity == identity) process.exit_reported = true;
    }
  }
  void fail_next_spawn(SpawnError error) { spawn_failures_.push_back(error); }

  [[nodiscard]] const std::vector<FakeProcess>& table() const { return table_; }
  [[nodiscard]] std::size_t live_count() const {
    std::size_t live = 0;
    for (const FakeProcess& process : table_) live += process.alive ? 1 : 0;
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
  FakeProcess* find_alive(ProcessIdentity identity) {
    if (!identity.valid()) return nullptr;
    for (FakeProcess& process : table_) {
      if (process.alive && process.identity == identity) return &process;
    }
    return nullptr;
  }
  std::int32_t next_free_pid() {
    // Round robin over the pool, skipping live pids; if every pid is live, leave the pool.
    for (std::int32_t tried = 0; tried < pid_pool_size; ++tried) {
      const std::int32_t pid = pid_first + (next_pid_offset_++ % pid_pool_size);
      bool taken = false;
      for (const FakeProcess& process : table_) taken = taken || (process.alive && process.identity.pid == pid);
      if (!taken) return pid;
    }
    return pid_first + pid_pool_size + static_cast<std::int32_t>(table_.size());
  }

  const FakeSegment& segment_;
  std::vector<FakeProcess> table_;
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

}  // namespace tether::testing
