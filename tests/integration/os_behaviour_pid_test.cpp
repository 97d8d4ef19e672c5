// The pid behaviours of Linux that the simulator's PidSpace and process identities assume, checked on the
// real kernel in a private PID namespace (ns_last_pid picks the next pid, so the cases are exact rather
// than left to luck). Table: docs/SIMULATOR.md, "The kernel the simulator assumes".
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/pidfd.hpp"
#include "adapters/proc_identity.hpp"
#include "harness.hpp"
#include "os_behaviour_support.hpp"
#include "pid_namespace_support.hpp"

namespace tether::testing {
namespace {

#define TETHER_REQUIRE_PID_NAMESPACES()                              \
  do {                                                               \
    std::string why_not;                                             \
    if (!pid_namespaces_available(why_not)) GTEST_SKIP() << why_not; \
  } while (false)

// PidSpace::allocate: the next free pid after the last one handed out, not the lowest free one.
TEST(OsBehaviour, PidsAreAllocatedNextFreeAfterTheLast) {
  TETHER_REQUIRE_NO_TSAN();
  TETHER_REQUIRE_PID_NAMESPACES();
  Cleanup cleanup;
  auto facts = facts_from_new_pid_namespace([](const Facts& report) {
    set_last_pid(200);
    const pid_t first = fork_sleeper();
    const pid_t second = fork_sleeper();
    kill(first, SIGKILL);
    reap(first);
    const pid_t third = fork_sleeper();  // 201 is free again, yet the next pid comes after 202
    report.put("first", first);
    report.put("second", second);
    report.put("third", third);
  });
  ASSERT_EQ(facts.count("setup_failed"), 0u) << facts["setup_failed"];
  EXPECT_EQ(facts["first"], "201");
  EXPECT_EQ(facts["second"], "202");
  EXPECT_EQ(facts["third"], "203");
}

// ProcessIdentity: a reaped process's pid goes to the next process that draws it; the start time (field
// 22 of /proc/PID/stat, clock ticks) tells the two apart once a tick has passed; and a pidfd refers to the
// process, never to its pid (SimProcessPort::signal after a reuse reaches nobody).
TEST(OsBehaviour, ReapedPidGoesToStrangerWithAnotherStartTime) {
  TETHER_REQUIRE_PID_NAMESPACES();
  Cleanup cleanup;
  auto facts = facts_from_new_pid_namespace([](const Facts& report) {
    set_last_pid(300);
    const pid_t old_pid = fork_sleeper();
    const auto old_stat = read_proc_stat(old_pid);
    const int old_pidfd = pidfd_open_process(old_pid);
    kill(old_pid, SIGKILL);
    reap(old_pid);
    // Start times count clock ticks: a pid reused within the same tick would carry the same start time.
    const clock_t born = times(nullptr);
    wait_until([&] { return times(nullptr) > born + 1; });
    set_last_pid(300);
    const pid_t stranger = fork_sleeper();
    const auto stranger_stat = read_proc_stat(stranger);
    report.put("old", old_pid);
    report.put("stranger", stranger);
    report.put("stats_read", old_stat.has_value() && stranger_stat.has_value() ? "yes" : "no");
    if (old_stat && stranger_stat) {
      report.put("start_times_differ",
                 old_stat->identity.start_time_ticks != stranger_stat->identity.start_time_ticks ? "yes" : "no");
      report.put("old_identity_alive", identity_alive(old_stat->identity) ? "yes" : "no");
    }
    report.put("old_pidfd_signal", pidfd_signal(old_pidfd, SIGKILL) == 0 ? "delivered" : std::to_string(errno));
    // A stranger killed by the signal would end as a zombie, never asleep in pause().
    wait_until([&] { return proc_state(stranger) == 'S'; });
    report.put("stranger_state", std::string(1, proc_state(stranger)));
  });
  ASSERT_EQ(facts.count("setup_failed"), 0u) << facts["setup_failed"];
  ASSERT_EQ(facts["stats_read"], "yes");
  EXPECT_EQ(facts["stranger"], facts["old"]) << "the pid is reused";
  EXPECT_EQ(facts["start_times_differ"], "yes");
  EXPECT_EQ(facts["old_identity_alive"], "no") << "pid + start time names the dead process, not the stranger";
  EXPECT_EQ(facts["old_pidfd_signal"], std::to_string(ESRCH)) << "a pidfd never follows its pid to a stranger";
  EXPECT_EQ(facts["stranger_state"], "S") << "the stranger was not killed";
}

// A zombie keeps its pid until it is reaped (World frees a pid at the exit: the controller reaps its
// child as soon as the pidfd says it ended), and an ended process is not alive to identity_alive even
// while its /proc entry remains.
TEST(OsBehaviour, ZombieHoldsItsPidUntilReaped) {
  TETHER_REQUIRE_NO_TSAN();
  TETHER_REQUIRE_PID_NAMESPACES();
  Cleanup cleanup;
  auto facts = facts_from_new_pid_namespace([](const Facts& report) {
    set_last_pid(400);
    const pid_t zombie = fork();
    if (zombie == 0) _exit(3);
    const bool became_zombie = wait_until([&] { return proc_state(zombie) == 'Z'; });
    report.put("became_zombie", became_zombie ? "yes" : "no");
    report.put("kill_0", kill(zombie, 0) == 0 ? "ok" : std::to_string(errno));
    const auto stat = read_proc_stat(zombie);
    report.put("identity_alive", stat.has_value() && identity_alive(stat->identity) ? "yes" : "no");
    set_last_pid(400);
    const pid_t while_zombie = fork_sleeper();
    const int status = reap(zombie);
    report.put("exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    set_last_pid(400);
    const pid_t after_reap = fork_sleeper();
    report.put("zombie", zombie);
    report.put("while_zombie", while_zombie);
    report.put("after_reap", after_reap);
  });
  ASSERT_EQ(facts.count("setup_failed"), 0u) << facts["setup_failed"];
  EXPECT_EQ(facts["became_zombie"], "yes");
  EXPECT_EQ(facts["kill_0"], "ok") << "kill(pid, 0) finds a zombie: it cannot tell dead from alive";
  EXPECT_EQ(facts["identity_alive"], "no");
  EXPECT_EQ(facts["zombie"], "401");
  EXPECT_EQ(facts["while_zombie"], "402") << "the zombie's pid is not handed out";
  EXPECT_EQ(facts["exit_code"], "3") << "the parent gets the real status";
  EXPECT_EQ(facts["after_reap"], "401") << "once reaped, the pid is free";
}

// posix_processes.cpp signals a worker's group by its leader's pid: the group id is not handed out as a
// pid while any member lives, even after the leader was reaped.
TEST(OsBehaviour, GroupIdIsNotReusedWhileAMemberLives) {
  TETHER_REQUIRE_PID_NAMESPACES();
  Cleanup cleanup;
  auto facts = facts_from_new_pid_namespace([](const Facts& report) {
    set_last_pid(500);
    int ready[2];
    if (pipe(ready) != 0) return;
    const pid_t leader = fork();
    if (leader == 0) {
      setpgid(0, 0);
      const pid_t member = fork_sleeper();
      [[maybe_unused]] const ssize_t sent = write(ready[1], &member, sizeof member);
      _exit(0);
    }
    pid_t member = 0;
    const std::string got = read_until(ready[0], sizeof member, wait_timeout);
    if (got.size() == sizeof member) std::memcpy(&member, got.data(), sizeof member);
    reap(leader);
    set_last_pid(leader - 1);
    const pid_t next = fork_sleeper();
    report.put("leader", leader);
    report.put("member_group", getpgid(member));
    report.put("next", next);
    report.put("group_signal", kill(-leader, 0) == 0 ? "ok" : std::to_string(errno));
  });
  ASSERT_EQ(facts.count("setup_failed"), 0u) << facts["setup_failed"];
  EXPECT_EQ(facts["member_group"], facts["leader"]);
  EXPECT_NE(facts["next"], facts["leader"]) << "the live group's id is not a free pid";
  EXPECT_EQ(facts["group_signal"], "ok") << "the group can still be signalled by its leader's pid";
}

}  // namespace
}  // namespace tether::testing
