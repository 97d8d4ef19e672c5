// Goal: the controller's declared machine is well formed, so that what the core asserts against it and
// what the docs draw from it mean something. Method: walk the tables.
#include <gtest/gtest.h>

#include <array>
#include <set>

#include "core/controller_phases.hpp"
#include "core/listener_phases.hpp"

namespace {

using namespace tether;

TEST(ControllerPhases, EveryPhaseButFinishedHasAWayOut) {
  for (const ControllerPhaseSpec& spec : controller_phase_specs()) {
    bool has_exit = false;
    for (const ControllerTransition& transition : controller_transitions()) {
      has_exit = has_exit || (transition.from == spec.phase && transition.to != spec.phase);
    }
    EXPECT_EQ(has_exit, spec.phase != ControllerPhase::finished) << spec.name;
  }
}

TEST(ControllerPhases, EveryPhaseIsReachableFromTheStart) {
  std::set<ControllerPhase> reached = {ControllerPhase::read_magic};
  // Bounded: each round adds at least one phase or ends the walk.
  for (std::size_t round = 0; round < controller_phase_count; ++round) {
    const std::size_t before = reached.size();
    for (const ControllerTransition& transition : controller_transitions()) {
      if (reached.contains(transition.from)) reached.insert(transition.to);
    }
    if (reached.size() == before) break;
  }
  EXPECT_EQ(reached.size(), controller_phase_count);
}

TEST(ControllerPhases, WaitingPhasesTouchNoSegmentAndEveryOtherPhaseAtMostOneField) {
  for (const ControllerPhaseSpec& spec : controller_phase_specs()) {
    if (spec.wait != PhaseWait::none) {
      EXPECT_EQ(spec.op, SegmentOp::none) << spec.name;
    }
    if (spec.op == SegmentOp::none) {
      EXPECT_FALSE(spec.field.has_value()) << spec.name;
    }
    EXPECT_FALSE(spec.purpose.empty()) << spec.name;
  }
  EXPECT_EQ(controller_phase_spec(ControllerPhase::running).wait, PhaseWait::supervision);
  EXPECT_EQ(controller_phase_spec(ControllerPhase::waiting_restart).wait, PhaseWait::restart_delay);
}

TEST(ControllerPhases, TransitionsAreDeclaredOnceAndLookedUpExactly) {
  std::set<std::pair<ControllerPhase, ControllerPhase>> seen;
  for (const ControllerTransition& transition : controller_transitions()) {
    EXPECT_TRUE(seen.insert({transition.from, transition.to}).second)
        << controller_phase_spec(transition.from).name << " -> " << controller_phase_spec(transition.to).name;
    EXPECT_TRUE(controller_transition_declared(transition.from, transition.to));
  }
  // The launch sub-machine only reaches a running worker through its gate: no shortcut from the spawn.
  EXPECT_FALSE(controller_transition_declared(ControllerPhase::check_shutdown_and_spawn, ControllerPhase::running));
  EXPECT_FALSE(controller_transition_declared(ControllerPhase::finished, ControllerPhase::read_magic));
  EXPECT_FALSE(controller_transition_declared(ControllerPhase::waiting_restart, ControllerPhase::running));
  // Every pair: declared exactly when the table lists it (the lookup is a bit matrix built from it).
  for (std::size_t from = 0; from < controller_phase_count; ++from) {
    for (std::size_t to = 0; to < controller_phase_count; ++to) {
      const auto pair = std::make_pair(static_cast<ControllerPhase>(from), static_cast<ControllerPhase>(to));
      EXPECT_EQ(controller_transition_declared(pair.first, pair.second), seen.contains(pair)) << from << " -> " << to;
    }
  }
}

}  // namespace

// The listener core's declared machine, held to the same rules.
namespace listener_phases {

using tether::ListenerPhase;

TEST(ListenerPhases, EveryPhaseIsReachableFromDoneAndLeadsBackToIt) {
  std::set<ListenerPhase> reached = {ListenerPhase::done};
  std::set<ListenerPhase> reaches_done = {ListenerPhase::done};
  for (std::size_t round = 0; round < tether::listener_phase_count; ++round) {
    for (const tether::ListenerTransition& transition : tether::listener_transitions()) {
      if (reached.contains(transition.from)) reached.insert(transition.to);
      if (reaches_done.contains(transition.to)) reaches_done.insert(transition.from);
    }
  }
  EXPECT_EQ(reached.size(), tether::listener_phase_count);
  EXPECT_EQ(reaches_done.size(), tether::listener_phase_count);
}

TEST(ListenerPhases, OnlyDoneTouchesNoSegmentAndWritesGoOnlyToTheListenersOwnFields) {
  // The listener never writes shutdown_request, generation, incarnation or a controller field: a write
  // there could lose a posted shutdown or forge a launch.
  const std::set<tether::Field> own = {tether::Field::listener_identity, tether::Field::listener_state,
                                       tether::Field::heartbeat_ns, tether::Field::departed_identity};
  for (const tether::ListenerPhaseSpec& spec : tether::listener_phase_specs()) {
    EXPECT_EQ(spec.op == tether::SegmentOp::none, spec.phase == ListenerPhase::done) << spec.name;
    if (spec.op == tether::SegmentOp::none || spec.op == tether::SegmentOp::load) {
      continue;
    }
    ASSERT_TRUE(spec.field.has_value()) << spec.name;
    EXPECT_TRUE(own.contains(*spec.field)) << spec.name;
  }
  EXPECT_FALSE(tether::listener_transition_declared(ListenerPhase::check_shutdown, ListenerPhase::set_state_working));
  EXPECT_FALSE(tether::listener_transition_declared(ListenerPhase::claim, ListenerPhase::set_state_starting));
  std::set<std::pair<ListenerPhase, ListenerPhase>> listed;
  for (const tether::ListenerTransition& transition : tether::listener_transitions()) {
    listed.insert({transition.from, transition.to});
  }
  for (std::size_t from = 0; from < tether::listener_phase_count; ++from) {
    for (std::size_t to = 0; to < tether::listener_phase_count; ++to) {
      const auto pair = std::make_pair(static_cast<ListenerPhase>(from), static_cast<ListenerPhase>(to));
      EXPECT_EQ(tether::listener_transition_declared(pair.first, pair.second), listed.contains(pair))
          << from << " -> " << to;
    }
  }
}

}  // namespace listener_phases
