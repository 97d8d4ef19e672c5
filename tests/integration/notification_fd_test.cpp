// Goal: s6's readiness notification (--notification-fd N) works with a real pipe (issue 15): a newline
// on descriptor N makes the worker ready in `tether status`; closing it without one, or writing too
// much without one, is logged and changes nothing; the reader refuses a descriptor that is not a pipe;
// and N is checked on the command line. Method: the real controller and the compiled notify worker,
// and the adapter's reader over real pipes, a real file and a real socket.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/notify_pipe.hpp"
#include "harness.hpp"
#include "harness_extras.hpp"
#include "notify_support.hpp"

namespace tether::testing {
namespace {

using Outcome = NotificationRead::Outcome;

std::vector<std::string> fd_pair(const std::string& name, const std::vector<std::string>& steps) {
  std::vector<std::string> command = {binary("tether-test-notify-worker")};
  command.insert(command.end(), steps.begin(), steps.end());
  return controller_argv(name, {"--notification-fd", "5"}, command);
}

TEST(NotificationFd, ANewlineMakesTheWorkerReady) {
  Cleanup cleanup;
  const auto name = cleanup.name("fd-ready");
  Process pair(fd_pair(name, {"fd-text:5:ready", "fd:5"}));
  EXPECT_TRUE(wait_until([&] { return state_of(name) == "ready"; })) << pair.log();
  EXPECT_EQ(pair.log_count("worker_ready"), 1) << pair.log();
  EXPECT_FALSE(pair.log_contains("unregistered")) << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_FALSE(segment_exists(name));
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotificationFd, EachLaunchGetsAFreshPipe) {
  Cleanup cleanup;
  const auto name = cleanup.name("fd-relaunch");
  // Ready, then exits: the next worker must say so again on a new pipe.
  Process pair(controller_argv(name, {"--notification-fd", "5", "--restart-delay-ms", "0"},
                               {binary("tether-test-notify-worker"), "fd:5", "sleep:300", "exit:1"}));
  EXPECT_TRUE(wait_until([&] { return pair.log_count("worker_ready") >= 2; })) << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotificationFd, ClosingItWithoutANewlineIsLoggedAndChangesNothing) {
  Cleanup cleanup;
  const auto name = cleanup.name("fd-closed");
  Process pair(fd_pair(name, {"fd-text:5:no newline", "close:5"}));
  const pid_t worker = [&] {
    EXPECT_TRUE(wait_until([&] { return pair.log_contains("notification_fd_closed"); })) << pair.log();
    return pid_after(pair.log(), "notification_fd_closed listener_pid=");
  }();
  EXPECT_GT(worker, 0);
  EXPECT_EQ(state_of(name), "unregistered");
  EXPECT_FALSE(pair.log_contains("worker_ready")) << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

TEST(NotificationFd, TheNumberIsCheckedOnTheCommandLine) {
  Cleanup cleanup;
  const auto name = cleanup.name("fd-bad");
  for (const char* bad : {"0", "2", "-1", "1024", "five"}) {
    const auto result = run(controller_argv(name, {"--notification-fd", bad}, {"true"}));
    EXPECT_EQ(result.exit_code, 64) << bad;
    EXPECT_NE(result.errors.find("--notification-fd"), std::string::npos) << bad << ": " << result.errors;
  }
  EXPECT_FALSE(segment_exists(name));
}

// The reader on its own, over real descriptors.
TEST(NotificationFdReader, ReadsAPipeAndRefusesAnythingElse) {
  int pipe_fds[2] = {-1, -1};
  ASSERT_EQ(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC), 0);
  std::size_t seen = 0;
  EXPECT_EQ(read_notification_fd(pipe_fds[0], seen).outcome, Outcome::pending) << "nothing written yet";
  ASSERT_EQ(write(pipe_fds[1], "abc", 3), 3);
  EXPECT_EQ(read_notification_fd(pipe_fds[0], seen).outcome, Outcome::pending) << "no newline yet";
  EXPECT_EQ(seen, 3u);
  ASSERT_EQ(write(pipe_fds[1], "\n", 1), 1);
  EXPECT_EQ(read_notification_fd(pipe_fds[0], seen).outcome, Outcome::ready);
  close(pipe_fds[1]);
  EXPECT_EQ(read_notification_fd(pipe_fds[0], seen).outcome, Outcome::closed);
  close(pipe_fds[0]);

  // Too much text without a newline.
  ASSERT_EQ(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC), 0);
  const std::string chatter(512, 'x');
  seen = 0;
  NotificationRead read;
  for (int round = 0; round < 20 && read.outcome == Outcome::pending; ++round) {
    ASSERT_EQ(write(pipe_fds[1], chatter.data(), chatter.size()), static_cast<ssize_t>(chatter.size()));
    read = read_notification_fd(pipe_fds[0], seen);
  }
  EXPECT_EQ(read.outcome, Outcome::refused);
  EXPECT_NE(read.problem.find("without a newline"), std::string::npos) << read.problem;
  close(pipe_fds[0]);
  close(pipe_fds[1]);

  // A regular file and a socket are not pipes, whatever they hold.
  TempDir directory("notification-fd");
  write_text(directory.file("file"), "\n");
  const int file = open(directory.file("file").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  seen = 0;
  read = read_notification_fd(file, seen);
  EXPECT_EQ(read.outcome, Outcome::refused);
  EXPECT_EQ(read.problem, "the notification descriptor is not a pipe");
  close(file);
  int sockets[2] = {-1, -1};
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets), 0);
  ASSERT_EQ(write(sockets[1], "\n", 1), 1);
  EXPECT_EQ(read_notification_fd(sockets[0], seen).outcome, Outcome::refused);
  close(sockets[0]);
  close(sockets[1]);
}

}  // namespace
}  // namespace tether::testing
