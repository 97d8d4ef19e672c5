// Goal: the listener core does what a simple model of the registration protocol predicts, for any
// interleaving of its own operations with what other processes do to the segment (the controller bumps
// the generation or posts a shutdown, strangers take or lose the registration, the controller clears a
// stale one). Method: rc::state commands; each listener operation runs to completion with at most one
// segment operation per step and within operation_steps_max; then every segment word and every getter
// is compared with the model. RapidCheck shrinks a disagreement to a minimal command sequence.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "core/listener_core.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace {

using namespace tether;
using namespace tether::fakes;

constexpr std::size_t self_index = 0;  // the listener under test is the first process of the table

struct Model {
  std::uint64_t now_ns = 1'000'000'000;
  std::optional<LaunchTicket> launch;
  std::vector<bool> alive;  // by process index, as in the fake's table
  // Segment words.
  std::uint64_t incarnation = 0;
  std::uint64_t generation = 0;
  std::optional<std::size_t> holder;  // whose identity the registration holds
  std::uint64_t state = 0;
  std::uint64_t heartbeat_ns = 0;
  bool shutdown = false;
  std::optional<std::size_t> departed;  // who last left gracefully (proof of a goodbye for the controller)
  // The listener's own view.
  bool registered = false;
  bool in_unit = false;
  bool shutdown_seen = false;
  std::optional<RegisterOutcome> outcome;

  [[nodiscard]] bool holder_alive() const { return holder.has_value() && alive[*holder]; }
};

struct World {
  FakeSegment segment;
  PooledProcesses processes{segment};
  std::unique_ptr<ListenerCore> core;
  std::uint64_t now_ns = 0;

  [[nodiscard]] std::uint64_t packed(std::optional<std::size_t> index) const {
    return index.has_value() ? processes.table().at(*index).identity.pack() : 0;
  }
};

void compare(const Model& model, const World& world) {
  RC_ASSERT(world.segment.peek(Field::listener_identity) == world.packed(model.holder));
  RC_ASSERT(world.segment.peek(Field::listener_state) == model.state);
  RC_ASSERT(world.segment.peek(Field::heartbeat_ns) == model.heartbeat_ns);
  RC_ASSERT(world.segment.peek(Field::departed_identity) == world.packed(model.departed));
  RC_ASSERT(world.segment.peek(Field::generation) == model.generation);
  RC_ASSERT(world.segment.peek(Field::incarnation) == model.incarnation);
  RC_ASSERT(world.segment.peek(Field::shutdown_request) == (model.shutdown ? 1u : 0u));
  RC_ASSERT(world.core->registered() == model.registered);
  RC_ASSERT(world.core->in_unit() == model.in_unit);
  RC_ASSERT(world.core->shutdown_seen() == model.shutdown_seen);
  RC_ASSERT(world.core->register_outcome() == model.outcome);
  RC_ASSERT(!world.core->busy());
  // Fields only the controller writes are never touched by a listener.
  RC_ASSERT(world.segment.peek(Field::launched_identity) == 0u);
  RC_ASSERT(world.segment.peek(Field::controller_identity) == 0u);
  RC_ASSERT(world.segment.peek(Field::restarts) == 0u);
}

using Command = rc::state::Command<Model, World>;

// ---- The listener's own operations. ----

struct Operation : Command {
  virtual ListenerOperation operation() const = 0;
  void run(const Model& model, World& world) const override {
    world.core->begin(operation(), world.now_ns);
    bool done = false;
    for (std::uint32_t step = 0; step < ListenerCore::operation_steps_max && !done; ++step) {
      const std::uint64_t before = world.segment.operations();
      done = world.core->step();
      RC_ASSERT(world.segment.operations() - before <= 1u);
    }
    RC_ASSERT(done);
    RC_ASSERT(world.segment.wakes() == 0u);  // only a shutdown request wakes anyone
    compare(nextState(model), world);
  }
};

struct RegisterSelf final : Operation {
  ListenerOperation operation() const override { return ListenerOperation::register_self; }
  void checkPreconditions(const Model& model) const override { RC_PRE(!model.registered); }
  void apply(Model& model) const override {
    if (model.launch.has_value() && model.launch->incarnation != model.incarnation) {
      model.outcome = RegisterOutcome::replaced;  // launched for another segment of the name: hands off
      return;
    }
    if (model.holder != self_index && model.holder_alive()) {
      model.outcome = RegisterOutcome::taken;  // one listener per name: step aside, write nothing
      return;
    }
    // Free, stale (a dead holder's), or already ours: claim it, then check the launch generation.
    model.holder = self_index;
    if (model.launch.has_value() && model.launch->generation != model.generation) {
      model.holder.reset();  // our controller has launched a newer one: withdraw
      model.outcome = RegisterOutcome::superseded;
      return;
    }
    model.registered = true;
    model.outcome = RegisterOutcome::registered;
    model.state = static_cast<std::uint64_t>(ListenerState::starting);
    model.heartbeat_ns = model.now_ns;
  }
  void show(std::ostream& os) const override { os << "RegisterSelf"; }
};

struct CheckShutdown final : Operation {
  ListenerOperation operation() const override { return ListenerOperation::check_shutdown; }
  void apply(Model& model) const override {
    if (!model.shutdown) return;
    // The first sighting is published, unless mid-unit (the unit finishes first).
    if (!model.shutdown_seen && model.registered && !model.in_unit) {
      model.state = static_cast<std::uint64_t>(ListenerState::stopping);
    }
    model.shutdown_seen = true;
  }
  void show(std::ostream& os) const override { os << "CheckShutdown"; }
};

struct BeginUnit final : Operation {
  ListenerOperation operation() const override { return ListenerOperation::begin_unit; }
  void checkPreconditions(const Model& model) const override { RC_PRE(model.registered && !model.in_unit); }
  void apply(Model& model) const override {
    model.in_unit = true;
    model.state = static_cast<std::uint64_t>(ListenerState::working);
  }
  void show(std::ostream& os) const override { os << "BeginUnit"; }
};

struct EndUnit final : Operation {
  ListenerOperation operation() const override { return ListenerOperation::end_unit; }
  void checkPreconditions(const Model& model) const override { RC_PRE(model.registered && model.in_unit); }
  void apply(Model& model) const override {
    model.in_unit = false;
    model.heartbeat_ns = model.now_ns;
    model.state = static_cast<std::uint64_t>(ListenerState::idle);
  }
  void show(std::ostream& os) const override { os << "EndUnit"; }
};

struct Heartbeat final : Operation {
  ListenerOperation operation() const override { return ListenerOperation::heartbeat; }
  void checkPreconditions(const Model& model) const override { RC_PRE(model.registered); }
  void apply(Model& model) const override { model.heartbeat_ns = model.now_ns; }
  void show(std::ostream& os) const override { os << "Heartbeat"; }
};

struct Leave final : Operation {
  ListenerOperation operation() const override { return ListenerOperation::leave; }
  void apply(Model& model) const override {
    model.in_unit = false;
    if (!model.registered) return;  // nothing to say goodbye to
    model.state = static_cast<std::uint64_t>(ListenerState::exited);
    model.departed = self_index;
    if (model.holder == self_index) model.holder.reset();
    model.registered = false;
  }
  void show(std::ostream& os) const override { os << "Leave"; }
};

// ---- What other processes do meanwhile. ----

struct BumpGeneration final : Command {
  void apply(Model& model) const override { ++model.generation; }
  void run(const Model& model, World& world) const override {
    world.segment.poke(Field::generation, model.generation + 1);
    compare(nextState(model), world);
  }
  void show(std::ostream& os) const override { os << "BumpGeneration"; }
};

struct PostShutdown final : Command {
  void apply(Model& model) const override { model.shutdown = true; }
  void run(const Model& model, World& world) const override {
    world.segment.poke(Field::shutdown_request, 1);
    compare(nextState(model), world);
  }
  void show(std::ostream& os) const override { os << "PostShutdown"; }
};

struct StrangerRegisters final : Command {
  void checkPreconditions(const Model& model) const override {
    RC_PRE(!model.holder_alive());
    RC_PRE(model.alive.size() < 30);
  }
  void apply(Model& model) const override {
    model.alive.push_back(true);
    model.holder = model.alive.size() - 1;
    model.state = static_cast<std::uint64_t>(ListenerState::starting);
  }
  void run(const Model& model, World& world) const override {
    world.segment.poke(Field::listener_identity, world.processes.start(false).pack());
    world.segment.poke(Field::listener_state, static_cast<std::uint64_t>(ListenerState::starting));
    compare(nextState(model), world);
  }
  void show(std::ostream& os) const override { os << "StrangerRegisters"; }
};

struct HolderDies final : Command {
  void checkPreconditions(const Model& model) const override {
    RC_PRE(model.holder_alive() && model.holder != self_index);
  }
  void apply(Model& model) const override { model.alive[*model.holder] = false; }
  void run(const Model& model, World& world) const override {
    world.processes.end(world.processes.table().at(*model.holder).identity);
    compare(nextState(model), world);
  }
  void show(std::ostream& os) const override { os << "HolderDies"; }
};

// The controller clears a registration whose holder is dead.
struct ControllerClearsStale final : Command {
  void checkPreconditions(const Model& model) const override {
    RC_PRE(model.holder.has_value() && !model.holder_alive());
  }
  void apply(Model& model) const override { model.holder.reset(); }
  void run(const Model& model, World& world) const override {
    world.segment.poke(Field::listener_identity, 0);
    compare(nextState(model), world);
  }
  void show(std::ostream& os) const override { os << "ControllerClearsStale"; }
};

struct AdvanceTime final : Command {
  std::uint64_t delta_ns = *rc::gen::inRange<std::uint64_t>(0, 5'000'000'000);
  void apply(Model& model) const override { model.now_ns += delta_ns; }
  void run(const Model& model, World& world) const override {
    world.now_ns = model.now_ns + delta_ns;
    compare(nextState(model), world);
  }
  void show(std::ostream& os) const override { os << "AdvanceTime(" << delta_ns << " ns)"; }
};

}  // namespace

RC_GTEST_PROP(ListenerModel, BehavesAsTheModelPredicts, ()) {
  Model model;
  World world;
  world.now_ns = model.now_ns;
  const ProcessIdentity self = world.processes.start(true);
  model.alive.push_back(true);

  model.incarnation = *rc::gen::inRange<std::uint64_t>(1, 4);
  world.segment.poke(Field::incarnation, model.incarnation);
  model.generation = *rc::gen::inRange<std::uint64_t>(0, 20);
  world.segment.poke(Field::generation, model.generation);
  // Started by hand (no ticket), for the current launch, for an older one, or for another segment of the
  // name whose generation count may match this one's.
  const int launched_as = *rc::gen::inRange(0, 4);
  if (launched_as == 1) model.launch = LaunchTicket{model.incarnation, model.generation};
  if (launched_as == 2) {
    model.launch = LaunchTicket{model.incarnation, model.generation + *rc::gen::inRange<std::uint64_t>(1, 3)};
  }
  if (launched_as == 3) {
    model.launch = LaunchTicket{model.incarnation + *rc::gen::inRange<std::uint64_t>(1, 3),
                                model.generation + *rc::gen::inRange<std::uint64_t>(0, 2)};
  }
  model.state = *rc::gen::inRange<std::uint64_t>(0, 6);
  world.segment.poke(Field::listener_state, model.state);
  model.shutdown = *rc::gen::weightedElement<bool>({{4, false}, {1, true}});
  world.segment.poke(Field::shutdown_request, model.shutdown ? 1 : 0);
  // The registration may already be held, by a live or a dead stranger.
  const int found = *rc::gen::inRange(0, 3);
  if (found != 0) {
    const ProcessIdentity stranger = world.processes.start(false);
    model.alive.push_back(found == 1);
    model.holder = model.alive.size() - 1;
    world.segment.poke(Field::listener_identity, stranger.pack());
    if (found == 2) world.processes.end(stranger);
  }
  RC_LOG() << "incarnation=" << model.incarnation << " generation=" << model.generation << " launch="
           << (model.launch ? std::to_string(model.launch->incarnation) + "/" + std::to_string(model.launch->generation)
                            : "none")
           << " state=" << model.state << " shutdown=" << model.shutdown << " holder=" << found << "\n";

  world.core = std::make_unique<ListenerCore>(world.segment, world.processes, self, model.launch);
  compare(model, world);
  rc::state::check(model, world,
                   rc::state::gen::execOneOfWithArgs<RegisterSelf, CheckShutdown, BeginUnit, EndUnit, Heartbeat, Leave,
                                                     BumpGeneration, PostShutdown, StrangerRegisters, HolderDies,
                                                     ControllerClearsStale, AdvanceTime>());
}
