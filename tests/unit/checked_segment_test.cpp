// Goal: the cores' segment checks can fail: an operation other than the declared one, on another field,
// or a second one in the same step stops the process, in every build. Method: CheckedSegment over the
// fake segment, in death tests.
#include <gtest/gtest.h>

#include "core/checked_segment.hpp"
#include "fake_processes.hpp"
#include "fake_segment.hpp"

namespace tether::test {
namespace {

TEST(CheckedSegment, TheDeclaredOperationPassesThrough) {
  fakes::FakeSegment fake;
  CheckedSegment segment(fake);
  segment.begin_step(tether::SegmentOp::store, Field::heartbeat_ns);
  segment.store(Field::heartbeat_ns, 42);
  EXPECT_EQ(fake.peek(Field::heartbeat_ns), 42u);
  segment.begin_step(tether::SegmentOp::store, std::nullopt);  // any one field
  segment.store(Field::restarts, 3);
  EXPECT_EQ(fake.peek(Field::restarts), 3u);
}

TEST(CheckedSegmentDeathTest, AnotherOperationThanDeclaredStops) {
  fakes::FakeSegment fake;
  CheckedSegment segment(fake);
  segment.begin_step(tether::SegmentOp::load, Field::shutdown_request);
  EXPECT_DEATH(segment.store(Field::shutdown_request, 0), "assertion failed");
}

TEST(CheckedSegmentDeathTest, AnotherFieldThanDeclaredStops) {
  fakes::FakeSegment fake;
  CheckedSegment segment(fake);
  segment.begin_step(tether::SegmentOp::load, Field::shutdown_request);
  EXPECT_DEATH(segment.load(Field::generation), "assertion failed");
}

TEST(CheckedSegmentDeathTest, ASecondOperationInOneStepStops) {
  fakes::FakeSegment fake;
  CheckedSegment segment(fake);
  segment.begin_step(tether::SegmentOp::load, Field::shutdown_request);
  segment.load(Field::shutdown_request);
  EXPECT_DEATH(segment.load(Field::shutdown_request), "assertion failed");
}

TEST(CheckedSegmentDeathTest, APhaseThatDeclaresNoOperationMayDoNone) {
  fakes::FakeSegment fake;
  CheckedSegment segment(fake);
  segment.begin_step(tether::SegmentOp::none, std::nullopt);
  EXPECT_DEATH(segment.fetch_add(Field::restarts, 1), "assertion failed");
}

}  // namespace
}  // namespace tether::test
