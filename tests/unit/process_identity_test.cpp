// Goal: an identity survives packing into one segment word unchanged, the empty identity is the word 0,
// and two processes that differ in pid or in start time never share a word. Method: explicit cases,
// including the extremes of both bit fields.
#include <gtest/gtest.h>

#include <array>

#include "core/process_identity.hpp"

namespace tether {
namespace {

TEST(ProcessIdentity, PackUnpackRoundTrip) {
  const std::array identities = {
      ProcessIdentity{1, 0},
      ProcessIdentity{1, 1},
      ProcessIdentity{4242, 123'456'789},
      ProcessIdentity{static_cast<std::int32_t>(ProcessIdentity::pid_max), 0},
      ProcessIdentity{1, ProcessIdentity::start_time_ticks_max},
      ProcessIdentity{static_cast<std::int32_t>(ProcessIdentity::pid_max), ProcessIdentity::start_time_ticks_max},
  };
  for (const ProcessIdentity& identity : identities) {
    const std::uint64_t word = identity.pack();
    EXPECT_NE(word, 0u) << identity.pid;
    const ProcessIdentity back = ProcessIdentity::unpack(word);
    EXPECT_EQ(back.pid, identity.pid);
    EXPECT_EQ(back.start_time_ticks, identity.start_time_ticks);
    EXPECT_EQ(back, identity);
  }
}

TEST(ProcessIdentity, InvalidIdentitiesPackToZero) {
  EXPECT_FALSE(ProcessIdentity{}.valid());
  EXPECT_EQ(ProcessIdentity{}.pack(), 0u);
  // A start time without a pid is not an identity: it must not leave a stray word in the segment.
  EXPECT_EQ((ProcessIdentity{0, 999}).pack(), 0u);
  EXPECT_EQ((ProcessIdentity{-1, 999}).pack(), 0u);
  EXPECT_FALSE(ProcessIdentity::unpack(0).valid());
  EXPECT_EQ(ProcessIdentity::unpack(0), ProcessIdentity{});
}

TEST(ProcessIdentity, PidDistinguishes) {
  const ProcessIdentity a{100, 5000};
  const ProcessIdentity b{101, 5000};
  EXPECT_NE(a, b);
  EXPECT_NE(a.pack(), b.pack());
}

TEST(ProcessIdentity, StartTimeDistinguishesAReusedPid) {
  // The PID-reuse defence: the same pid one tick later is a stranger.
  const ProcessIdentity a{100, 5000};
  const ProcessIdentity b{100, 5001};
  EXPECT_NE(a, b);
  EXPECT_NE(a.pack(), b.pack());
  EXPECT_EQ(ProcessIdentity::unpack(b.pack()).start_time_ticks, 5001u);
}

TEST(ProcessIdentity, ValidMeansPositivePid) {
  EXPECT_TRUE((ProcessIdentity{1, 0}).valid());
  EXPECT_FALSE((ProcessIdentity{0, 1}).valid());
  EXPECT_FALSE((ProcessIdentity{-7, 1}).valid());
}

}  // namespace
}  // namespace tether
