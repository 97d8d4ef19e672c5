// Goal: a controller core's state is a value that can be copied, compared, hashed and resumed from,
// which the model checker relies on to fingerprint and fork worlds. Method: run a core to a point, fork
// a second core from a copy of its state over copies of its ports, and drive both the same way.
#include <gtest/gtest.h>

#include "controller_fixture.hpp"
#include "core/controller_state.hpp"

namespace tether::test {
namespace {

class ControllerStateTest : public ControllerTest {};

TEST_F(ControllerStateTest, ACopiedStateIsEqualAndHashesEqually) {
  const ProcessIdentity listener = start_and_launch();
  ASSERT_TRUE(listener.valid());
  const ControllerState copy = core->state();
  EXPECT_EQ(copy, core->state());
  EXPECT_EQ(hash_value(copy), hash_value(core->state()));
  EXPECT_EQ(copy.phase, ControllerPhase::running);
  EXPECT_EQ(copy.listener, listener);
}

TEST_F(ControllerStateTest, AnyChangeOfStateChangesEqualityAndHash) {
  start_and_launch();
  const ControllerState before = core->state();
  core->handle_shutdown_notice();
  EXPECT_NE(core->state(), before);
  EXPECT_NE(hash_value(core->state()), hash_value(before));
  ControllerState moved = before;
  moved.stop_deadline_ns = 5;
  EXPECT_NE(moved, before);
  EXPECT_NE(hash_value(moved), hash_value(before));
}

TEST_F(ControllerStateTest, AForkResumesExactlyWhereTheOriginalWas) {
  const ProcessIdentity listener = start_and_launch();
  fakes::FakeSegment fork_segment;
  for (std::size_t index = 0; index < field_count; ++index) {
    const auto field = static_cast<Field>(index);
    fork_segment.poke(field, segment.peek(field));
  }
  fakes::ScriptedProcesses fork_processes = processes;
  ControllerCore fork(config, fork_segment, fork_processes, core->state());
  EXPECT_EQ(fork.state(), core->state());

  // Both see the listener die and restart it after the same backoff, with the same new generation.
  end_listener(listener, ExitStatus::code(3));
  fork_processes.end(listener);
  fork.handle_listener_exit(listener, ExitStatus::code(3));
  EXPECT_EQ(settle(), StepOutcome::waiting);
  for (std::uint32_t steps = 0; steps < settle_steps_max && fork.step(now_ns) == StepOutcome::progressed; ++steps) {
  }
  EXPECT_EQ(fork.phase(), ControllerPhase::waiting_restart);
  ControllerEvent event{};
  while (fork.pop_event(event)) {
  }
  EXPECT_EQ(fork.state(), core->state());
  EXPECT_EQ(fork.deadline_ns(), core->deadline_ns());
  EXPECT_EQ(fork_segment.peek(Field::listener_identity), segment.peek(Field::listener_identity));
}

}  // namespace
}  // namespace tether::test
