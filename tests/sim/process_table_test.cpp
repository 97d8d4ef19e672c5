// The simulated process table (sim/sim_processes.hpp): pids handed out as Linux does (the next free one
// after the last, wrapping), so they are reused within a run; a pid plus a start time names one process;
// records outlive their processes.
#include <gtest/gtest.h>

#include "sim_processes.hpp"

namespace tether::sim {
namespace {

TEST(SimProcessTable, PidsAreReusedAndStartTimesTellTheHoldersApart) {
  ProcessTable table(3);
  SimProcess* controller = table.add(ProcessKind::controller, 0, 5);
  SimProcess* listener = table.add(ProcessKind::listener, controller->serial, 5);
  ASSERT_NE(listener, nullptr);
  EXPECT_EQ(listener->ready_at_ns, 5u);
  EXPECT_EQ(table.live_workers(), std::vector<Serial>{listener->serial});
  const ProcessIdentity old = listener->identity;
  EXPECT_EQ(table.find_alive(old, false), listener->serial);

  listener->alive = false;
  table.remove(*listener);
  EXPECT_TRUE(table.live_workers().empty());
  EXPECT_EQ(table.find_alive(old, false), 0u);
  EXPECT_EQ(&table.at(listener->serial), listener);  // the record stays

  SimProcess* third = table.add(ProcessKind::tool, 0, 6);  // the next pid after the last one handed out
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(third->identity.pid, old.pid + 1);
  EXPECT_EQ(table.add(ProcessKind::foreign, 0, 6)->identity.pid, old.pid);  // wraps onto the freed pid
  EXPECT_TRUE(table.pid_was_ours(old.pid));
  EXPECT_EQ(table.find_alive(old, false), 0u);                 // another start time: not the old listener
  EXPECT_NE(table.find_alive(old, true), 0u);                  // a check by pid alone is fooled
  EXPECT_EQ(table.add(ProcessKind::listener, 0, 7), nullptr);  // every pid taken
}

TEST(SimProcessTable, AStrangerTakesExactlyTheDeadPidWhenFree) {
  ProcessTable table(3);
  const ProcessIdentity earlier = table.earlier_identity(PidSpace::first_pid + 1);
  EXPECT_TRUE(table.pid_was_ours(earlier.pid));
  SimProcess* stranger = table.add_stranger(earlier.pid, 99);
  ASSERT_NE(stranger, nullptr);
  EXPECT_EQ(stranger->kind, ProcessKind::foreign);
  EXPECT_EQ(stranger->identity.pid, earlier.pid);
  EXPECT_NE(stranger->identity.start_time_ticks, earlier.start_time_ticks);
  EXPECT_EQ(stranger->ready_at_ns, 99u);
  EXPECT_EQ(table.add_stranger(earlier.pid, 99), nullptr);  // taken
  EXPECT_TRUE(table.live_workers().empty());
}

}  // namespace
}  // namespace tether::sim
