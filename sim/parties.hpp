#pragma once
// The two parties of a pair as the world drives them, whichever protocol the run simulates: a
// controller (the production ControllerCore, or the seed's) and a listener (the production WorkerLoop
// over its ListenerCore, or the seed's). The world holds one of each per process and never asks which
// protocol it runs; each party's state is a value, hashed into the world's fingerprint.
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "core/controller_core.hpp"
#include "core/listener_core.hpp"
#include "core/worker_loop.hpp"
#include "seed_protocol.hpp"

namespace tether::sim {

class ControllerParty {
 public:
  virtual ~ControllerParty() = default;
  virtual void handle_listener_exit(ProcessIdentity process, ExitStatus status) = 0;
  virtual void handle_shutdown_signal() = 0;
  virtual void handle_shutdown_notice() = 0;
  virtual StepOutcome step(std::uint64_t now_ns) = 0;
  [[nodiscard]] virtual std::optional<std::uint64_t> deadline_ns() const = 0;
  [[nodiscard]] virtual int exit_code() const = 0;
  [[nodiscard]] virtual bool remove_segment() const = 0;
  virtual bool pop_event(ControllerEvent& event) = 0;
  [[nodiscard]] virtual CrashPoint passed_point() const = 0;  // none for a core without crash points
  [[nodiscard]] virtual std::uint64_t state_hash() const = 0;
};

class WorkerParty {
 public:
  virtual ~WorkerParty() = default;
  virtual WorkerStep step(std::uint64_t now_ns) = 0;
  virtual void wake() = 0;
  virtual bool pop_event(WorkerEvent& event) = 0;
  [[nodiscard]] virtual bool registered() const = 0;
  [[nodiscard]] virtual CrashPoint passed_point() const = 0;
  [[nodiscard]] virtual std::uint64_t state_hash() const = 0;
};

// The controllers' cores share their driver's interface, so one adapter serves both.
template <class Core>
class ControllerPartyOf final : public ControllerParty {
 public:
  template <class... Args>
  explicit ControllerPartyOf(Args&&... args) : core_(std::forward<Args>(args)...) {}
  void handle_listener_exit(ProcessIdentity process, ExitStatus status) override {
    core_.handle_listener_exit(process, status);
  }
  void handle_shutdown_signal() override { core_.handle_shutdown_signal(); }
  void handle_shutdown_notice() override { core_.handle_shutdown_notice(); }
  StepOutcome step(std::uint64_t now_ns) override { return core_.step(now_ns); }
  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const override { return core_.deadline_ns(); }
  [[nodiscard]] int exit_code() const override { return core_.exit_code(); }
  [[nodiscard]] bool remove_segment() const override { return core_.remove_segment(); }
  bool pop_event(ControllerEvent& event) override { return core_.pop_event(event); }
  [[nodiscard]] CrashPoint passed_point() const override {
    if constexpr (requires { core_.passed_point(); }) {
      return core_.passed_point();
    } else {
      return CrashPoint::none;
    }
  }
  [[nodiscard]] std::uint64_t state_hash() const override { return hash_value(core_.state()); }

 private:
  Core core_;
};

using TetherControllerParty = ControllerPartyOf<ControllerCore>;
using SeedControllerParty = ControllerPartyOf<SeedController>;

// Our listener: the worker loop over the listener core it drives (the loop keeps a reference to it).
class TetherWorkerParty final : public WorkerParty {
 public:
  TetherWorkerParty(SegmentPort& segment, ProcessPort& processes, ProcessIdentity self, const LaunchTicket& ticket,
                    const WorkerConfig& config)
      : listener_(segment, processes, self, ticket), loop_(listener_, config) {}
  TetherWorkerParty(const TetherWorkerParty&) = delete;
  TetherWorkerParty& operator=(const TetherWorkerParty&) = delete;
  WorkerStep step(std::uint64_t now_ns) override { return loop_.step(now_ns); }
  void wake() override { loop_.wake(); }
  bool pop_event(WorkerEvent& event) override { return loop_.pop_event(event); }
  [[nodiscard]] bool registered() const override { return listener_.registered(); }
  [[nodiscard]] CrashPoint passed_point() const override { return listener_.passed_point(); }
  [[nodiscard]] std::uint64_t state_hash() const override {
    Fnv1a hash;
    hash.add(hash_value(listener_.state()));
    hash.add(hash_value(loop_.state()));
    return hash.value();
  }

 private:
  ListenerCore listener_;
  WorkerLoop loop_;
};

class SeedWorkerParty final : public WorkerParty {
 public:
  SeedWorkerParty(SegmentPort& segment, std::int32_t pid, const WorkerConfig& config)
      : listener_(segment, pid, config) {}
  WorkerStep step(std::uint64_t now_ns) override { return listener_.step(now_ns); }
  void wake() override { listener_.wake(); }
  bool pop_event(WorkerEvent& event) override { return listener_.pop_event(event); }
  [[nodiscard]] bool registered() const override { return listener_.registered(); }
  [[nodiscard]] CrashPoint passed_point() const override { return CrashPoint::none; }
  [[nodiscard]] std::uint64_t state_hash() const override { return hash_value(listener_.state()); }

 private:
  SeedListener listener_;
};

}  // namespace tether::sim
