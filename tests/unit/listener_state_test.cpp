// Goal: a listener core's state is a value that can be copied, compared, hashed and resumed from (the
// model checker forks worlds this way). Method: register, copy the state into a second core over a copy
// of the segment, and run the same operations on both.
#include <gtest/gtest.h>

#include "listener_fixture.hpp"

namespace tether::test {
namespace {

class ListenerStateTest : public ListenerTest {};

TEST_F(ListenerStateTest, ACopiedStateIsEqualAndHashesEqually) {
  start();
  ASSERT_TRUE(run(ListenerOperation::register_self));
  const ListenerCoreState copy = core->state();
  EXPECT_EQ(copy, core->state());
  EXPECT_EQ(hash_value(copy), hash_value(core->state()));
  EXPECT_TRUE(copy.registered);
  ListenerCoreState changed = copy;
  changed.shutdown_seen = true;
  EXPECT_NE(changed, copy);
  EXPECT_NE(hash_value(changed), hash_value(copy));
}

TEST_F(ListenerStateTest, AForkSeesTheRequestExactlyAsTheOriginal) {
  start();
  ASSERT_TRUE(run(ListenerOperation::register_self));
  fakes::FakeSegment fork_segment;
  for (std::size_t index = 0; index < field_count; ++index) {
    const auto field = static_cast<Field>(index);
    fork_segment.poke(field, segment.peek(field));
  }
  ListenerCore fork(fork_segment, identities, core->state());
  segment.poke(Field::shutdown_request, 1);
  fork_segment.poke(Field::shutdown_request, 1);
  ASSERT_TRUE(run(ListenerOperation::check_shutdown));
  fork.begin(ListenerOperation::check_shutdown, now_ns);
  for (std::uint32_t steps = 0; steps < ListenerCore::operation_steps_max && !fork.step(); ++steps) {
  }
  EXPECT_TRUE(fork.shutdown_seen());
  EXPECT_EQ(fork.state(), core->state());
  EXPECT_EQ(fork_segment.peek(Field::listener_state), segment.peek(Field::listener_state));
}

}  // namespace
}  // namespace tether::test
