// The process, lock, signal and shared-memory behaviours of Linux that the simulator's World assumes,
// checked on the real kernel with the real system calls (and the adapters' own code where it has some).
// Table: docs/SIMULATOR.md, "The kernel the simulator assumes". Every child is killed and reaped by the
// Cleanup guard even when an assertion fails; every segment is unlinked.
#include <atomic>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "adapters/gated_spawn.hpp"
#include "adapters/mapped_segment.hpp"
#include "adapters/pidfd.hpp"
#include "harness.hpp"
#include "os_behaviour_support.hpp"

namespace tether::testing {
namespace {

bool readable_within(int fd, std::chrono::milliseconds timeout) {
  pollfd descriptor{fd, POLLIN, 0};
  return poll(&descriptor, 1, static_cast<int>(timeout.count())) == 1 && (descriptor.revents & POLLIN) != 0;
}

// One mask line of /proc/PID/status (SigIgn, SigBlk, SigCgt) has the bit of `signal_number` set.
bool status_mask_has(const std::string& status_text, const std::string& key, int signal_number) {
  const auto at = status_text.find(key + ":\t");
  if (at == std::string::npos) return false;
  const unsigned long long mask = std::stoull(status_text.substr(at + key.size() + 2, 16), nullptr, 16);
  return ((mask >> (signal_number - 1)) & 1u) != 0;
}

// A pipe whose both ends are closed at scope exit.
struct Pipe {
  Pipe() { EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    for (const int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int fds[2] = {-1, -1};
};

// World::flush_exit_reports: the exit reaches a watching controller (its pidfd turns readable) as soon
// as the process ends, before anyone reaps it; the parent then collects the real status through it.
TEST(OsBehaviour, PidfdIsReadableAtExitBeforeReaping) {
  Cleanup cleanup;
  const pid_t child = fork_sleeper();
  ASSERT_GT(child, 0);
  const int pidfd = pidfd_open_process(child);
  ASSERT_GE(pidfd, 0);
  EXPECT_FALSE(readable_within(pidfd, 0ms)) << "not readable while it lives";
  kill(child, SIGKILL);
  EXPECT_TRUE(readable_within(pidfd, wait_timeout));
  EXPECT_EQ(proc_state(child), 'Z') << "readable while still a zombie";
  siginfo_t info{};
  ASSERT_EQ(waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED), 0);
  EXPECT_EQ(info.si_code, CLD_KILLED);
  EXPECT_EQ(info.si_status, SIGKILL);
  close(pidfd);
}

// World::exit_process: an adopter (a controller that is not the parent) hears of the exit through its
// pidfd but gets no status ("unknown"): only the parent can wait for a child.
TEST(OsBehaviour, AdopterSeesTheExitButNoStatus) {
  Cleanup cleanup;
  Pipe report;
  const pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    const pid_t worker = fork_sleeper();
    [[maybe_unused]] const ssize_t sent = write(report.fds[1], &worker, sizeof worker);
    reap(worker);
    _exit(0);
  }
  pid_t worker = 0;
  const std::string got = read_until(report.fds[0], sizeof worker, wait_timeout);
  ASSERT_EQ(got.size(), sizeof worker);
  std::memcpy(&worker, got.data(), sizeof worker);
  const int pidfd = pidfd_open_process(worker);
  ASSERT_GE(pidfd, 0);
  siginfo_t info{};
  errno = 0;
  EXPECT_EQ(waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD) << "only the parent can collect a status";
  kill(worker, SIGTERM);
  EXPECT_TRUE(readable_within(pidfd, wait_timeout)) << "the adopter's pidfd still reports the exit";
  close(pidfd);
  EXPECT_EQ(reap(parent), 0);
}

// What the simulator leaves out: orphans are reaped by someone. A process whose parent died goes to the
// nearest child subreaper (here: this test process, as the Cleanup guard made it one) and stays its
// zombie, pid held, until that one reaps it.
TEST(OsBehaviour, OrphanGoesToTheSubreaper) {
  Cleanup cleanup;
  Pipe report;
  const pid_t middle = fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    const pid_t orphan = fork_sleeper();
    [[maybe_unused]] const ssize_t sent = write(report.fds[1], &orphan, sizeof orphan);
    _exit(0);
  }
  pid_t orphan = 0;
  const std::string got = read_until(report.fds[0], sizeof orphan, wait_timeout);
  ASSERT_EQ(got.size(), sizeof orphan);
  std::memcpy(&orphan, got.data(), sizeof orphan);
  reap(middle);
  EXPECT_TRUE(wait_until([&] { return parent_of(orphan) == getpid(); })) << "reparented to the subreaper";
  kill(orphan, SIGKILL);
  EXPECT_TRUE(wait_until([&] { return proc_state(orphan) == 'Z'; })) << "its zombie waits for the subreaper";
  const int status = reap(orphan);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

// Why the controller resets SIGCHLD to the default: a process that ignores SIGCHLD never sees its
// children's statuses (the kernel reaps them itself), which the simulator's "the parent gets the real
// status" would not survive.
TEST(OsBehaviour, IgnoredSigchldReapsChildrenUnseen) {
  Cleanup cleanup;
  const pid_t helper = fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) {
    std::signal(SIGCHLD, SIG_IGN);
    const pid_t child = fork();
    if (child == 0) _exit(7);
    int status = 0;
    const pid_t waited = waitpid(child, &status, 0);  // blocks until the child ends, then finds nothing
    _exit(waited == -1 && errno == ECHILD ? 0 : 1);
  }
  const int status = reap(helper);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "an ignored SIGCHLD lost the child's status";
}

// Why the controller and the gate reset dispositions and the mask: an ignored signal and a blocked one
// stay so across execve (a SIGCHLD ignored by whoever started us, SIGTERM blocked for the signalfd);
// only handled signals return to the default.
TEST(OsBehaviour, IgnoredAndBlockedSignalsSurviveExec) {
  Cleanup cleanup;
  const std::string path = "/tmp/" + unique_name("os-status");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGCHLD, SIG_IGN);
    std::signal(SIGUSR1, [](int) {});
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, nullptr);
    const int out = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || dup2(out, STDOUT_FILENO) < 0) _exit(1);
    execl("/bin/cat", "cat", "/proc/self/status", static_cast<char*>(nullptr));
    _exit(127);
  }
  const int status = reap(child);
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(status_mask_has(text, "SigIgn", SIGCHLD)) << text;
  EXPECT_TRUE(status_mask_has(text, "SigBlk", SIGTERM)) << text;
  EXPECT_FALSE(status_mask_has(text, "SigCgt", SIGUSR1)) << "a handler does not survive exec: " << text;
}

// World::signal: a listener may ignore SIGTERM (it is dropped when sent), never SIGKILL.
TEST(OsBehaviour, SigtermCanBeIgnoredSigkillCannot) {
  Cleanup cleanup;
  Pipe ready;
  const pid_t child = fork_sleeper([&] {
    std::signal(SIGTERM, SIG_IGN);
    [[maybe_unused]] const ssize_t sent = write(ready.fds[1], "r", 1);
  });
  ASSERT_GT(child, 0);
  ASSERT_EQ(read_until(ready.fds[0], 1, wait_timeout), "r");
  ASSERT_EQ(kill(child, SIGTERM), 0);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, WNOHANG), 0) << "an ignored SIGTERM is discarded when sent";
  ASSERT_EQ(kill(child, SIGKILL), 0);
  status = reap(child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

// posix_processes.cpp's stop: a signal to the group (kill(-pgid)) reaches every member, a signal to the
// leader's pid only the leader; a member that handles SIGTERM gets it only from the former.
TEST(OsBehaviour, GroupSignalReachesEveryMember) {
  Cleanup cleanup;
  Pipe heard;
  Pipe ready;
  const auto report_sigterm = [&] {
    static int report_fd = -1;
    report_fd = heard.fds[1];
    std::signal(SIGTERM, [](int) {
      [[maybe_unused]] const ssize_t sent = write(report_fd, "t", 1);
      _exit(0);
    });
  };
  const pid_t leader = fork_sleeper([&] {
    setpgid(0, 0);
    report_sigterm();
    fork_sleeper([&] {
      report_sigterm();
      [[maybe_unused]] const ssize_t sent = write(ready.fds[1], "m", 1);
    });
    [[maybe_unused]] const ssize_t sent = write(ready.fds[1], "l", 1);
  });
  ASSERT_GT(leader, 0);
  ASSERT_EQ(read_until(ready.fds[0], 2, wait_timeout).size(), 2u);
  ASSERT_EQ(kill(leader, SIGTERM), 0);
  EXPECT_EQ(read_until(heard.fds[0], 1, wait_timeout), "t") << "the leader heard it";
  EXPECT_EQ(read_until(heard.fds[0], 1, 200ms), "") << "the member did not: the signal went to one process";
  // The leader exited; its member still holds the group id (its zombie is ours until reaped).
  ASSERT_EQ(kill(-leader, SIGTERM), 0);
  EXPECT_EQ(read_until(heard.fds[0], 1, wait_timeout), "t") << "the member heard the group's signal";
  reap(leader);
}

// World::step_controller: the name's lock (flock on the segment object) is released when its holder
// dies, before it is reaped; while it lives a second controller is refused. Through the real adapter.
TEST(OsBehaviour, LockIsReleasedWhenItsHolderDies) {
  TETHER_REQUIRE_NO_TSAN();
  Cleanup cleanup;
  const std::string name = cleanup.name("os-lock");
  Pipe ready;
  const pid_t holder = fork_sleeper([&] {
    auto segment = MappedSegment::open_for_controller(name);
    [[maybe_unused]] const ssize_t sent = write(ready.fds[1], segment.ok() ? "y" : "n", 1);
    static std::optional<MappedSegment> kept;  // held until the process dies
    if (segment.ok()) kept.emplace(std::move(segment.value()));
  });
  ASSERT_GT(holder, 0);
  ASSERT_EQ(read_until(ready.fds[0], 1, wait_timeout), "y");
  {
    auto second = MappedSegment::open_for_controller(name);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().kind, SegmentError::Kind::locked) << second.error().message;
  }
  kill(holder, SIGKILL);
  ASSERT_TRUE(wait_until([&] { return proc_state(holder) == 'Z'; }));
  auto after = MappedSegment::open_for_controller(name);
  EXPECT_TRUE(after.ok()) << "the dead holder's lock is gone before it is reaped: " << after.error().message;
  reap(holder);
}

// World's removed segments: after shm_unlink, a mapping stays readable and writable; the name is gone;
// an object created anew under the name is another object (words written in one never show in the other).
TEST(OsBehaviour, UnlinkedSegmentStaysMappedAndApartFromItsSuccessor) {
  Cleanup cleanup;
  const std::string name = "/" + cleanup.name("os-unlink");
  const auto map_new = [&](int& fd) -> std::uint32_t* {
    fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return nullptr;
    void* address = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return address == MAP_FAILED ? nullptr : static_cast<std::uint32_t*>(address);
  };
  int old_fd = -1;
  int new_fd = -1;
  std::uint32_t* old_words = map_new(old_fd);
  ASSERT_NE(old_words, nullptr);
  old_words[0] = 11;
  ASSERT_EQ(shm_unlink(name.c_str()), 0);
  EXPECT_EQ(shm_open(name.c_str(), O_RDWR, 0), -1);
  EXPECT_EQ(errno, ENOENT) << "the name is gone";
  old_words[1] = 12;  // still mapped: no fault
  EXPECT_EQ(old_words[0], 11u);
  std::uint32_t* new_words = map_new(new_fd);
  ASSERT_NE(new_words, nullptr);
  EXPECT_EQ(new_words[0], 0u) << "a new object, not the old one";
  new_words[0] = 21;
  EXPECT_EQ(old_words[0], 11u) << "the successor's words are its own";
  munmap(old_words, 4096);
  munmap(new_words, 4096);
  close(old_fd);
  close(new_fd);
  shm_unlink(name.c_str());
}

long futex(std::uint32_t* word, int operation, std::uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, word, operation, value, timeout, nullptr, 0);
}

// World::wake_shutdown_waiters: a (shared) futex wake reaches the waiters on the same object only, and a
// wait whose word already changed returns at once (WorkerStep idle_until: no wake-up is lost).
TEST(OsBehaviour, FutexWakeReachesOnlyWaitersOnTheSameObject) {
  Cleanup cleanup;
  auto* old_words =
      static_cast<std::uint32_t*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  auto* new_words =
      static_cast<std::uint32_t*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(old_words, MAP_FAILED);
  ASSERT_NE(new_words, MAP_FAILED);
  errno = 0;
  EXPECT_EQ(futex(old_words, FUTEX_WAIT, 1, nullptr), -1) << "the word is 0, not 1: no sleep";
  EXPECT_EQ(errno, EAGAIN);
  std::atomic<long> waited{1};
  std::atomic<pid_t> waiter_tid{0};
  std::thread waiter([&] {
    waiter_tid = static_cast<pid_t>(syscall(SYS_gettid));
    const timespec timeout{20, 0};
    waited = futex(old_words, FUTEX_WAIT, 0, &timeout);
  });
  // In the futex system call (202 on x86-64, 98 on arm64): /proc/self/task/TID/syscall's first number.
  const auto in_futex = [&] {
    std::ifstream file("/proc/self/task/" + std::to_string(waiter_tid.load()) + "/syscall");
    long number = -1;
    file >> number;
    return number == SYS_futex;
  };
  const bool waiting = wait_until([&] { return waiter_tid.load() != 0 && in_futex(); });
  EXPECT_TRUE(waiting);
  EXPECT_EQ(futex(new_words, FUTEX_WAKE, INT_MAX, nullptr), 0) << "no waiter on the other object";
  EXPECT_TRUE(in_futex()) << "still asleep";
  long woken = 0;
  EXPECT_TRUE(wait_until([&] { return (woken += futex(old_words, FUTEX_WAKE, INT_MAX, nullptr)) > 0; }));
  waiter.join();
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(waited.load(), 0) << "woken, not timed out";
  munmap(old_words, 4096);
  munmap(new_words, 4096);
}

// World::abandon_held_launches: a launch held at its gate exits without running (75) when its controller
// dies before releasing it: the kernel closes the dead controller's end, and the child reads end-of-file.
// Through the real adapter (gated_spawn.cpp).
TEST(OsBehaviour, GateReadsEndOfFileWhenItsControllerDies) {
  Cleanup cleanup;
  const std::string marker = "/tmp/" + unique_name("os-gate-ran");
  Pipe report;
  const pid_t controller = fork();
  ASSERT_GE(controller, 0);
  if (controller == 0) {
    std::vector<std::string> arguments = {"/usr/bin/touch", marker};
    std::vector<char*> argv = {arguments[0].data(), arguments[1].data(), nullptr};
    char* envp[] = {nullptr};
    GatedSpawnPlan plan;
    plan.program = argv[0];
    plan.argv = argv.data();
    plan.envp = envp;
    const auto child = spawn_gated(plan);
    const pid_t pid = child.ok() ? child.value().pid : 0;
    [[maybe_unused]] const ssize_t sent = write(report.fds[1], &pid, sizeof pid);
    for (;;) pause();  // dies by SIGKILL with the gate unopened
  }
  pid_t held = 0;
  const std::string got = read_until(report.fds[0], sizeof held, wait_timeout);
  ASSERT_EQ(got.size(), sizeof held);
  std::memcpy(&held, got.data(), sizeof held);
  ASSERT_GT(held, 0);
  EXPECT_TRUE(wait_until([&] { return proc_state(held) == 'S'; })) << "held at its gate while the controller lives";
  kill(controller, SIGKILL);
  reap(controller);
  // Orphaned, it comes to us (the subreaper): its status is the gate's.
  ASSERT_TRUE(wait_until([&] { return parent_of(held) == getpid(); }));
  const int status = reap(held);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == gate_closed_exit_code) << status;
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the command never ran";
  std::remove(marker.c_str());
}

}  // namespace
}  // namespace tether::testing
