// Goal: `tether shutdown`'s part of the protocol, as the real tool and the simulator both run it: the
// request is posted (and waiters woken) before anyone is nudged, only the recorded controller is nudged,
// an unset-up segment is left untouched, and every step does at most one segment operation. Method: run
// ShutdownCore over the fake segment and a recording notice port.
#include <gtest/gtest.h>

#include <vector>

#include "core/exit_codes.hpp"
#include "core/shutdown_core.hpp"
#include "fake_notices.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace tether::test {
namespace {

using fakes::RecordingNotices;

class ShutdownCoreTest : public ::testing::Test {
 protected:
  // Runs the tool to its end, one step at a time, checking the one-operation rule.
  void run_tool() {
    for (std::size_t steps = 0; steps < shutdown_phase_count; ++steps) {
      segment.begin_step();
      const bool done = tool.step();
      EXPECT_LE(segment.ops_in_step(), 1u) << "step " << steps;
      if (done) return;
    }
    ADD_FAILURE() << "the tool did not finish";
  }

  fakes::FakeSegment segment;
  RecordingNotices notices;
  ShutdownCore tool{segment, notices};
  const ProcessIdentity controller{40, 9};
};

TEST_F(ShutdownCoreTest, PostsTheRequestWakesWaitersThenNudgesTheRecordedController) {
  segment.poke_initialised_header();
  segment.poke(Field::controller_identity, controller.pack());
  // Step by step: nobody is nudged before the request is visible.
  segment.begin_step();
  EXPECT_FALSE(tool.step());  // magic
  segment.begin_step();
  EXPECT_FALSE(tool.step());  // post
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
  EXPECT_EQ(segment.wakes(), 1u);
  EXPECT_TRUE(notices.notified.empty());
  run_tool();
  ASSERT_EQ(notices.notified.size(), 1u);
  EXPECT_EQ(notices.notified[0], controller);
  EXPECT_TRUE(tool.controller_told());
  EXPECT_EQ(tool.controller(), controller);
  EXPECT_EQ(tool.exit_code(), exit_code::ok);
}

TEST_F(ShutdownCoreTest, ASegmentNotSetUpIsLeftUntouched) {
  run_tool();  // magic 0: a creator is still (or died) setting it up
  EXPECT_EQ(tool.exit_code(), exit_code::data_error);
  EXPECT_EQ(segment.writes(), 0u);
  EXPECT_TRUE(notices.notified.empty());
}

TEST_F(ShutdownCoreTest, WithoutARecordedControllerNobodyIsNudgedAndTheRequestStillStands) {
  segment.poke_initialised_header();
  run_tool();
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
  EXPECT_TRUE(notices.notified.empty()) << "pid 0 must never be signalled";
  EXPECT_FALSE(tool.controller_told());
  EXPECT_EQ(tool.exit_code(), exit_code::ok);
}

TEST_F(ShutdownCoreTest, AControllerThatIsGoneIsReportedAsNotTold) {
  segment.poke_initialised_header();
  segment.poke(Field::controller_identity, controller.pack());
  notices.deliver = false;  // the identity is dead, or its pid belongs to a stranger now
  run_tool();
  EXPECT_EQ(notices.notified.size(), 1u);
  EXPECT_FALSE(tool.controller_told());
  EXPECT_EQ(segment.peek(Field::shutdown_request), 1u);
}

TEST_F(ShutdownCoreTest, ItsStateIsAValue) {
  segment.poke_initialised_header();
  const ShutdownState before = tool.state();
  segment.begin_step();
  tool.step();
  EXPECT_NE(tool.state(), before);
  EXPECT_EQ(tool.state().phase, ShutdownPhase::post_request);
  EXPECT_EQ(shutdown_phase_spec(ShutdownPhase::post_request).op, tether::SegmentOp::store);
}

}  // namespace
}  // namespace tether::test
