// Goal: a campaign's shards are disjoint contiguous blocks that cover its seed range exactly, and a bad
// --shard text is refused with a reason. Method: every split of small ranges, and the edges of large ones.
#include <gtest/gtest.h>

#include <limits>

#include "campaign_shard.hpp"

namespace tether::sim {
namespace {

TEST(SimCampaignShard, ShardsPartitionTheRangeEvenly) {
  for (std::uint64_t seeds = 1; seeds <= 40; ++seeds) {
    for (std::uint64_t count = 1; count <= seeds; ++count) {
      std::uint64_t next = 7;
      for (std::uint64_t index = 0; index < count; ++index) {
        ASSERT_TRUE(check_campaign(7, seeds, {index, count}));
        const SeedRange range = shard_seeds(7, seeds, {index, count});
        EXPECT_EQ(range.first_seed, next) << index << "/" << count << " of " << seeds;
        EXPECT_GE(range.seeds, seeds / count);
        EXPECT_LE(range.seeds, seeds / count + 1);
        next += range.seeds;
      }
      EXPECT_EQ(next, 7 + seeds);
    }
  }
  // The largest campaign the CLI takes, in the most shards: no overflow at the far end.
  const std::uint64_t seeds = 1'000'000'000;
  const SeedRange last = shard_seeds(1, seeds, {shard_count_max - 1, shard_count_max});
  EXPECT_EQ(last.first_seed + last.seeds, 1 + seeds);
  EXPECT_EQ(last.seeds, seeds / shard_count_max);
}

TEST(SimCampaignShard, RefusesBadShardsAndRanges) {
  for (const char* text : {"", "1", "/", "1/", "/3", "3/3", "4/3", "-1/3", "1/-3", "a/3", "1/3x", " 1/3", "1/0",
                           "0/100001", "1//3", "1/3/4", "+1/3", "18446744073709551616/2"}) {
    const auto parsed = parse_shard(text);
    EXPECT_FALSE(parsed) << text;
    if (!parsed) {
      EXPECT_NE(parsed.error().find("--shard"), std::string::npos) << parsed.error();
    }
  }
  const auto parsed = parse_shard("2/8");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed.value().index, 2u);
  EXPECT_EQ(parsed.value().count, 8u);
  EXPECT_FALSE(check_campaign(1, 3, {0, 4}));                                          // more shards than seeds
  EXPECT_FALSE(check_campaign(std::numeric_limits<std::uint64_t>::max(), 2, {0, 1}));  // wraps past 2^64 - 1
  EXPECT_TRUE(check_campaign(std::numeric_limits<std::uint64_t>::max(), 1, {0, 1}));
}

}  // namespace
}  // namespace tether::sim
