#pragma once
// The production cores' ports, implemented over the simulated world. They only forward to World, which
// records every operation in the trace and checks the invariants that concern it.
#include "core/ports.hpp"
#include "sim_processes.hpp"

namespace tether::sim {

class World;

// What every port of a simulated process holds: the world that backs it, and which process calls.
template <class Port>
class SimPort : public Port {
 public:
  SimPort(World& world, Serial caller) : world_(world), caller_(caller) {}

 protected:
  World& world_;
  Serial caller_;
};

class SimSegmentPort final : public SimPort<SegmentPort> {
 public:
  using SimPort::SimPort;
  std::uint64_t load(Field field) override;
  void store(Field field, std::uint64_t value) override;
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override;
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override;
  void wake_shutdown_waiters() override;
};

// Identities with a start time of 0 are compared by pid only: that is how the seed (and planted bugs)
// identify processes. Correct code never produces one, since simulated start times begin at 1.
class SimProcessPort final : public SimPort<ProcessPort> {
 public:
  using SimPort::SimPort;
  bool is_alive(ProcessIdentity identity) override;
  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override;
  void release(ProcessIdentity identity) override;
  bool watch(ProcessIdentity identity) override;
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override;
};

class SimNoticePort final : public SimPort<NoticePort> {
 public:
  using SimPort::SimPort;
  bool notify_controller(ProcessIdentity controller) override;
};

}  // namespace tether::sim
