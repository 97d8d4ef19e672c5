#pragma once
// In-memory stand-ins for the core's ports. The segment is an array of atomic words that records every
// operation, so a test can check their order (the magic written last) and their number (at most one per
// step). The process table holds live identities, hands out scripted spawn results and records every
// watch and signal, so a test can say exactly which process the core touched.
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "core/ports.hpp"

namespace tether::test {

struct SegmentOp {
  enum class Kind : std::uint8_t { load, store, compare_exchange, fetch_add };
  Kind kind;
  Field field;
  std::uint64_t value;  // loaded value, stored value, desired value, or delta
  bool succeeded = true;  // false only for a failed compare-and-exchange
};

class FakeSegment final : public SegmentPort {
 public:
  std::uint64_t load(Field field) override;
  void store(Field field, std::uint64_t value) override;
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override;
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override;
  void wake_shutdown_waiters() override { ++wakes_; }

  // The test's own view of the words: neither counted nor logged.
  [[nodiscard]] std::uint64_t peek(Field field) const;
  void poke(Field field, std::uint64_t value);
  // Writes the header a controller leaves after initialising (magic, version, size).
  // The header of a segment some earlier controller created: its incarnation is `earlier_incarnation`.
  void poke_initialised_header();
  static constexpr std::uint64_t earlier_incarnation = 0x5eed'0000'0042;

  // The step counter: a driver calls begin_step() before each core step and then reads ops_in_step().
  void begin_step() { ops_in_step_ = 0; }
  [[nodiscard]] std::uint32_t ops_in_step() const { return ops_in_step_; }
  [[nodiscard]] std::uint32_t ops_in_step_max() const { return ops_in_step_max_; }

  [[nodiscard]] const std::vector<SegmentOp>& log() const { return log_; }
  [[nodiscard]] std::uint32_t wakes() const { return wakes_; }
  // Operations that may change a word (store, successful CAS, fetch_add).
  [[nodiscard]] std::size_t writes() const;

 private:
  void count(SegmentOp op);
  static std::size_t index(Field field);

  std::array<std::atomic<std::uint64_t>, field_count> words_{};
  std::vector<SegmentOp> log_;
  std::uint32_t ops_in_step_ = 0;
  std::uint32_t ops_in_step_max_ = 0;
  std::uint32_t wakes_ = 0;
};

class FakeProcesses final : public ProcessPort {
 public:
  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override;
  void release(ProcessIdentity identity) override { released_.push_back(identity); }
  bool is_alive(ProcessIdentity identity) override;
  bool watch(ProcessIdentity identity) override;
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override;

  // A process that exists now (a listener from before, or a stranger).
  void add_live(ProcessIdentity identity) { live_.insert(identity.pack()); }
  // The process ends: it is no longer alive; the test reports the exit to the core itself.
  void end(ProcessIdentity identity) { live_.erase(identity.pack()); }
  // The next spawn fails with `error` (scripted failures are used up in order).
  void fail_next_spawn(SpawnError error) { spawn_failures_.push_back(error); }

  [[nodiscard]] const std::vector<LaunchTicket>& spawn_tickets() const { return spawn_tickets_; }
  [[nodiscard]] std::vector<std::uint64_t> spawn_generations() const;
  [[nodiscard]] const std::vector<ProcessIdentity>& spawned() const { return spawned_; }
  [[nodiscard]] const std::vector<ProcessIdentity>& released() const { return released_; }
  [[nodiscard]] const std::vector<ProcessIdentity>& watched() const { return watched_; }
  [[nodiscard]] const std::vector<std::pair<ProcessIdentity, Signal>>& signals() const { return signals_; }

  // Spawned processes get pids from here upwards, each with a fresh start time.
  static constexpr std::int32_t first_spawn_pid = 2000;

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

}  // namespace tether::test
