#pragma once
// Every party of the simulated world, as the world drives it, behind one interface: a controller and a
// listener of either protocol (the production ControllerCore and WorkerLoop over ListenerCore, or the
// seed's), a plain worker, `tether shutdown` of either protocol (the production ShutdownCore, or the
// seed's one store of -1) and a stranger. A step says what the party asks of the world next
// (PartyStep); the world tells it what happened meanwhile (PartyInput). The world never asks which
// protocol or program a party runs; each party's state is a value, hashed into the world's fingerprint.
//
// What the operating system does for a process before its program runs (taking the name's lock,
// mapping the segment, holding a launch at its gate) stays in the world (process_steps.cpp).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "core/controller_core.hpp"
#include "core/listener_core.hpp"
#include "core/shutdown_core.hpp"
#include "core/state_hash.hpp"
#include "core/worker_loop.hpp"
#include "seed_protocol.hpp"

namespace tether::sim {

// What the world tells a party between its steps.
struct ShutdownSignal {};  // SIGTERM or SIGINT reached it
struct ShutdownNotice {};  // SIGUSR1 from `tether shutdown`
struct Wake {};            // a futex wake on the shutdown word, or a wait that found the word changed
struct ChildExit {         // a process it watches ended
  ProcessIdentity process;
  ExitStatus status;
};
struct Released {  // its launch gate opened, this long after its spawn
  std::uint64_t held_ns = 0;
};
using PartyInput = std::variant<ShutdownSignal, ShutdownNotice, Wake, ChildExit, Released>;

// What a party reports from inside a step: a controller's events, or a worker's units.
using PartyEvent = std::variant<ControllerEvent, WorkerEvent>;
inline constexpr std::size_t party_event_queue_max =
    std::max(ControllerCore::event_queue_max, WorkerLoop::event_queue_max);

// What a party asks of the world after a step.
struct PartyStep {
  enum class Kind : std::uint8_t {
    again,       // ready again at once
    wait_until,  // ready at `deadline_ns`, or sooner when an input wakes it
    idle_until,  // waits on the shutdown word until `deadline_ns` (returns at once if it changed)
    blocked,     // ready only when an input wakes it
    pause,       // ready again after a delay the world draws (a command between its system calls)
    exit,        // ends with `exit_code`
  };
  Kind kind = Kind::again;
  std::uint64_t deadline_ns = 0;
  int exit_code = 0;
  bool remove_segment = false;  // exit: it unlinks the name as it goes
  std::string_view why;         // exit: the timeline's words for it

  static PartyStep of(Kind kind) { return {kind, 0, 0, false, {}}; }
  static PartyStep again() { return of(Kind::again); }
  static PartyStep until(Kind kind, std::uint64_t deadline_ns) { return {kind, deadline_ns, 0, false, {}}; }
  static PartyStep waiting(std::optional<std::uint64_t> deadline_ns) {
    return deadline_ns.has_value() ? until(Kind::wait_until, *deadline_ns) : of(Kind::blocked);
  }
  static PartyStep exit(int code, std::string_view why, bool remove_segment = false) {
    return {Kind::exit, 0, code, remove_segment, why};
  }
};

class Party {
 public:
  virtual ~Party() = default;
  virtual PartyStep step(std::uint64_t now_ns) = 0;
  virtual void receive(const PartyInput& /*input*/) {}
  virtual bool pop_event(PartyEvent& /*event*/) { return false; }
  [[nodiscard]] virtual bool registered() const { return false; }
  [[nodiscard]] virtual CrashPoint passed_point() const { return CrashPoint::none; }
  [[nodiscard]] virtual std::uint64_t state_hash() const = 0;
};

// The controllers' cores share their driver's interface, so one adapter serves both.
template <class Core>
class ControllerParty final : public Party {
 public:
  template <class... Args>
  explicit ControllerParty(Args&&... args) : core_(std::forward<Args>(args)...) {}
  PartyStep step(std::uint64_t now_ns) override {
    switch (core_.step(now_ns)) {
      case StepOutcome::progressed: return PartyStep::again();
      case StepOutcome::waiting: return PartyStep::waiting(core_.deadline_ns());
      case StepOutcome::finished: break;
    }
    const bool remove = core_.remove_segment();
    return PartyStep::exit(core_.exit_code(), remove ? "finished, segment removed" : "finished", remove);
  }
  void receive(const PartyInput& input) override {
    if (const auto* exit = std::get_if<ChildExit>(&input)) core_.handle_listener_exit(exit->process, exit->status);
    if (std::holds_alternative<ShutdownSignal>(input)) core_.handle_shutdown_signal();
    if (std::holds_alternative<ShutdownNotice>(input)) core_.handle_shutdown_notice();
  }
  bool pop_event(PartyEvent& event) override {
    ControllerEvent popped{};
    if (!core_.pop_event(popped)) return false;
    event = popped;
    return true;
  }
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

using TetherControllerParty = ControllerParty<ControllerCore>;
using SeedControllerParty = ControllerParty<SeedController>;

// A listener of either protocol: its loop's step, as the world schedules it.
PartyStep party_step(const WorkerStep& step);

// Our listener: the worker loop over the listener core it drives (the loop keeps a reference to it).
class TetherListenerParty final : public Party {
 public:
  TetherListenerParty(SegmentPort& segment, ProcessPort& processes, ProcessIdentity self, const LaunchTicket& ticket,
                      const WorkerConfig& config)
      : listener_(segment, processes, self, ticket), loop_(listener_, config) {}
  TetherListenerParty(const TetherListenerParty&) = delete;
  TetherListenerParty& operator=(const TetherListenerParty&) = delete;
  PartyStep step(std::uint64_t now_ns) override { return party_step(loop_.step(now_ns)); }
  void receive(const PartyInput& input) override {
    if (std::holds_alternative<Wake>(input)) loop_.wake();
  }
  bool pop_event(PartyEvent& event) override;
  [[nodiscard]] bool registered() const override { return listener_.registered(); }
  [[nodiscard]] CrashPoint passed_point() const override { return listener_.passed_point(); }
  [[nodiscard]] std::uint64_t state_hash() const override;

 private:
  ListenerCore listener_;
  WorkerLoop loop_;
};

class SeedListenerParty final : public Party {
 public:
  SeedListenerParty(SegmentPort& segment, std::int32_t pid, const WorkerConfig& config)
      : listener_(segment, pid, config) {}
  PartyStep step(std::uint64_t now_ns) override { return party_step(listener_.step(now_ns)); }
  void receive(const PartyInput& input) override {
    if (std::holds_alternative<Wake>(input)) listener_.wake();
  }
  bool pop_event(PartyEvent& event) override;
  [[nodiscard]] bool registered() const override { return listener_.registered(); }
  [[nodiscard]] std::uint64_t state_hash() const override { return hash_value(listener_.state()); }

 private:
  SeedListener listener_;
};

// A program that knows nothing of tether: it never maps the segment, and runs until a signal ends it, or
// until its own end if it has one (counted from its start: a launch held at its gate starts later).
class PlainWorkerParty final : public Party {
 public:
  PlainWorkerParty(std::optional<std::uint64_t> exit_at_ns, int exit_code)
      : exit_at_ns_(exit_at_ns), exit_code_(exit_code) {}
  PartyStep step(std::uint64_t now_ns) override;
  void receive(const PartyInput& input) override;
  [[nodiscard]] std::uint64_t state_hash() const override;

 private:
  std::optional<std::uint64_t> exit_at_ns_;
  int exit_code_;
};

// `tether shutdown`: the production ShutdownCore (read the magic, post the request and wake the
// waiters, read the recorded controller, notify it verified by its start time), one segment operation
// a step, with a pause between steps.
class TetherToolParty final : public Party {
 public:
  TetherToolParty(SegmentPort& segment, NoticePort& notices) : core_(segment, notices) {}
  PartyStep step(std::uint64_t now_ns) override;
  [[nodiscard]] std::uint64_t state_hash() const override { return hash_value(core_.state()); }

 private:
  ShutdownCore core_;
};

// The seed's shutdown: one store of -1 into the slot, and a wake.
class SeedToolParty final : public Party {
 public:
  explicit SeedToolParty(SegmentPort& segment) : segment_(segment) {}
  PartyStep step(std::uint64_t now_ns) override;
  [[nodiscard]] std::uint64_t state_hash() const override { return 0; }

 private:
  SegmentPort& segment_;
};

// A process of somebody else's, holding a pid for a while: its only step is its end.
class StrangerParty final : public Party {
 public:
  PartyStep step(std::uint64_t /*now_ns*/) override { return PartyStep::exit(0, "stranger ends"); }
  [[nodiscard]] std::uint64_t state_hash() const override { return 0; }
};

}  // namespace tether::sim
