#pragma once
// The production cores' ports, implemented over the simulated world. They only forward to World, which
// records every operation in the trace and checks the invariants that concern it.
#include "core/ports.hpp"
#include "sim_processes.hpp"

namespace tether::sim {

class World;

class SimSegmentPort final : public SegmentPort {
 public:
  SimSegmentPort(World& world, Serial caller) : world_(world), caller_(caller) {}
  std::uint64_t load(Field field) override;
  void store(Field field, std::uint64_t value) override;
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override;
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override;
  void wake_shutdown_waiters() override;

 private:
  World& world_;
  Serial caller_;
};

// Identities with a start time of 0 are compared by pid only: that is how the seed (and planted bugs)
// identify processes. Correct code never produces one, since simulated start times begin at 1.
class SimProcessPort final : public ProcessPort {
 public:
  SimProcessPort(World& world, Serial caller) : world_(world), caller_(caller) {}
  bool is_alive(ProcessIdentity identity) override;
  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override;
  void release(ProcessIdentity identity) override;
  bool watch(ProcessIdentity identity) override;
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override;

 private:
  World& world_;
  Serial caller_;
};

class SimNoticePort final : public NoticePort {
 public:
  SimNoticePort(World& world, Serial caller) : world_(world), caller_(caller) {}
  bool notify_controller(ProcessIdentity controller) override;

 private:
  World& world_;
  Serial caller_;
};

}  // namespace tether::sim
