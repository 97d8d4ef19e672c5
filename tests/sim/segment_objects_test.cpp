// The simulated name's segment objects (sim/segment_objects.hpp): a removed object stays readable and
// writable to whoever mapped it, a new object under the name is another one, and removed objects nobody
// maps are dropped.
#include <gtest/gtest.h>

#include <set>

#include "segment_objects.hpp"

namespace tether::sim {
namespace {

TEST(SimSegmentObjects, OpeningCreatesOnlyWhenNoObjectBearsTheName) {
  SegmentObjects segments;
  EXPECT_FALSE(segments.name_open());
  const auto nobody = [](std::uint64_t) { return false; };
  EXPECT_TRUE(segments.open_or_create(nobody));
  EXPECT_EQ(segments.incarnation(), 1u);
  segments.named().words[0] = 42;
  EXPECT_FALSE(segments.open_or_create(nobody));  // a second controller opens the same object
  EXPECT_EQ(segments.incarnation(), 1u);
  EXPECT_EQ(segments.named().words[0], 42u);
}

TEST(SimSegmentObjects, ARemovedObjectOutlivesItsNameWhileMapped) {
  SegmentObjects segments;
  std::set<std::uint64_t> mapped;
  const auto is_mapped = [&](std::uint64_t incarnation) { return mapped.count(incarnation) != 0; };
  ASSERT_TRUE(segments.open_or_create(is_mapped));
  segments.named().words[1] = 7;
  mapped.insert(1);
  segments.named().removed = true;
  ASSERT_TRUE(segments.open_or_create(is_mapped));
  EXPECT_EQ(segments.incarnation(), 2u);
  EXPECT_EQ(segments.named().words[1], 0u);  // the new object starts empty
  ASSERT_EQ(segments.retired().size(), 1u);
  EXPECT_EQ(segments.mapped(1).words[1], 7u);  // the old mapping still sees its own words
  segments.mapped(1).words[1] = 8;
  EXPECT_EQ(segments.named().words[1], 0u);  // and its writes reach nobody under the name

  // Once nobody maps it, the next retirement drops it; an unmapped removed object is not kept at all.
  mapped.clear();
  segments.named().removed = true;
  ASSERT_TRUE(segments.open_or_create(is_mapped));
  EXPECT_TRUE(segments.retired().empty());
  EXPECT_EQ(segments.incarnation(), 3u);
}

}  // namespace
}  // namespace tether::sim
