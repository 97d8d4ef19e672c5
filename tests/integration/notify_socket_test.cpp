// Goal: a plain worker that speaks systemd's notify protocol is heard (issue 15): READY=1 and STATUS=
// show in `tether status`, STOPPING=1 and EXTEND_TIMEOUT_USEC during a stop, WATCHDOG=1 as a heartbeat
// the watchdog judges; and whatever is not the worker's group's well-formed word is refused with a log
// line and changes nothing, a flood included. Method: the real controller with --notify-socket, a
// compiled worker that sends datagrams to its NOTIFY_SOCKET as sd_notify callers do, and datagrams
// from this test process (a stranger); plus the socket adapter itself on a file-system address.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/notify_socket.hpp"
#include "harness.hpp"
#include "harness_extras.hpp"
#include "notify_support.hpp"

namespace tether::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> notify_pair(const std::string& name, std::vector<std::string> controller_args,
                                     const std::vector<std::string>& steps) {
  controller_args.insert(controller_args.begin(), "--notify-socket");
  std::vector<std::string> command = {binary("tether-test-notify-worker")};
  command.insert(command.end(), steps.begin(), steps.end());
  return controller_argv(name, controller_args, command);
}

// Sends `text` to an abstract or file-system address from this process.
bool send_datagram(const std::string& address, const std::string& text) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  if (address.empty() || address.size() >= sizeof un.sun_path) return false;
  std::memcpy(un.sun_path, address.data(), address.size());
  if (address.front() == '@') un.sun_path[0] = '\0';
  const auto size =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size() + (address.front() == '@' ? 0 : 1));
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const bool sent = fd >= 0 && sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&un), size) ==
                                   static_cast<ssize_t>(text.size());
  if (fd >= 0) close(fd);
  return sent;
}

pid_t launched_worker(const Process& pair) {
  EXPECT_TRUE(wait_until([&] { return pair.log_contains("launched listener_pid="); })) << pair.log();
  return pid_after(pair.log(), "launched listener_pid=");
}

// The worker's NOTIFY_SOCKET, polled: "launched" is logged once the child exists, and until it has
// exec'd, /proc shows the controller's environment, which has none.
std::optional<std::string> notify_socket_of(pid_t worker) {
  std::optional<std::string> address;
  wait_until([&] { return (address = environment_value(worker, "NOTIFY_SOCKET")).has_value(); });
  return address;
}

TEST(NotifySocket, ReadyAndStatusShowInTetherStatus) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-ready");
  Process pair(notify_pair(name, {}, {"send:READY=1\nSTATUS=serving 3 clients"}));
  const pid_t worker = launched_worker(pair);
  ASSERT_GT(worker, 0);
  const auto address = notify_socket_of(worker);
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->rfind("@tether-notify/", 0), 0u) << *address;
  EXPECT_TRUE(wait_until([&] { return state_of(name) == "ready"; })) << pair.log();
  EXPECT_EQ(status_text_of(name), "serving 3 clients");
  const auto text = run({binary("tether"), "status", name});
  EXPECT_NE(text.output.find("state ready"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("status \"serving 3 clients\""), std::string::npos) << text.output;
  EXPECT_EQ(pair.log_count("worker_ready listener_pid=" + std::to_string(worker)), 1) << pair.log();
  EXPECT_FALSE(pair.log_contains("unregistered")) << "ready before the ready timeout: " << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_FALSE(segment_exists(name));
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotifySocket, AnAdoptedWorkerStillReachesTheNextController) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-adopt");
  // The worker speaks again two seconds after READY=1; by then its first controller is gone and the
  // next one has adopted it (the address is the pair's, not the controller's).
  std::optional<Process> first;
  first.emplace(notify_pair(name, {}, {"send:READY=1", "sleep:2000", "send:STATUS=after adoption"}));
  const pid_t worker = launched_worker(*first);
  ASSERT_TRUE(wait_until([&] { return state_of(name) == "ready"; })) << first->log();
  first->signal(SIGKILL);
  ASSERT_TRUE(first->wait_exit().has_value());
  Process second(notify_pair(name, {}, {"exit:3"}));
  EXPECT_TRUE(wait_until([&] { return second.log_contains("adopted listener_pid=" + std::to_string(worker)); }))
      << second.log();
  EXPECT_TRUE(wait_until([&] { return status_text_of(name) == "after adoption"; })) << second.log();
  EXPECT_FALSE(second.log_contains("notify_refused")) << second.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(second.wait_exit(), 0) << second.log();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotifySocket, AProcessInTheWorkersGroupMaySpeakForIt) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-child");
  // As systemd-notify run from a service's shell script: the sender is the worker's child.
  Process pair(notify_pair(name, {}, {"child-send:READY=1\nSTATUS=from a child"}));
  EXPECT_TRUE(wait_until([&] { return state_of(name) == "ready"; })) << pair.log();
  EXPECT_EQ(status_text_of(name), "from a child");
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotifySocket, AStrangersDatagramIsRefusedAndChangesNothing) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-stranger");
  Process pair(notify_pair(name, {}, {}));
  const pid_t worker = launched_worker(pair);
  const auto address = notify_socket_of(worker);
  ASSERT_TRUE(address.has_value());
  ASSERT_TRUE(send_datagram(*address, "READY=1\nSTATUS=forged"));
  EXPECT_TRUE(wait_until([&] {
    return pair.log_contains("notify_refused reason=sender is not in the worker's process group sender_pid=" +
                             std::to_string(getpid()));
  })) << pair.log();
  EXPECT_EQ(state_of(name), "unregistered");
  EXPECT_EQ(status_text_of(name), "");
  EXPECT_FALSE(pair.log_contains("worker_ready")) << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

TEST(NotifySocket, OversizedAndMalformedDatagramsAreRefusedAndChangeNothing) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-garbage");
  // The last word is well-formed: once it shows, every datagram before it was judged.
  Process pair(notify_pair(
      name, {}, {"oversize", "send:hello", "send:READY=2", "send:STATUS=\x1b[2J", "send:STATUS=after the garbage"}));
  EXPECT_TRUE(wait_until([&] { return status_text_of(name) == "after the garbage"; })) << pair.log();
  EXPECT_TRUE(wait_until([&] { return pair.log_count("notify_refused") == 4; })) << pair.log();
  EXPECT_TRUE(pair.log_contains("reason=message longer than 4096 bytes")) << pair.log();
  EXPECT_TRUE(pair.log_contains("reason=a line is not KEY=VALUE")) << pair.log();
  EXPECT_TRUE(pair.log_contains("reason=READY= takes only 1")) << pair.log();
  EXPECT_TRUE(pair.log_contains("reason=STATUS= has control characters")) << pair.log();
  EXPECT_EQ(state_of(name), "unregistered") << "the oversized datagram began with READY=1";
  EXPECT_FALSE(pair.log_contains("worker_ready")) << pair.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

TEST(NotifySocket, StoppingAndExtendTimeoutDuringAStop) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-stop");
  // On SIGTERM the worker says it is stopping and asks for 20 s, takes 1.5 s and exits 0. Without the
  // extension the kill timeout (300 ms) would SIGKILL it.
  Process pair(notify_pair(name, {"--kill-timeout-ms", "300"},
                           {"send:READY=1", "wait-term",
                            "send:STOPPING=1\nEXTEND_TIMEOUT_USEC=20000000\nSTATUS=draining", "sleep:1500", "exit:0"}));
  const pid_t worker = launched_worker(pair);
  ASSERT_TRUE(wait_until([&] { return state_of(name) == "ready"; })) << pair.log();
  const auto started = Clock::now();
  EXPECT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 0);
  EXPECT_TRUE(wait_until([&] { return state_of(name) == "stopping"; })) << pair.log();
  EXPECT_EQ(status_text_of(name), "draining");
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(1500));
  EXPECT_TRUE(pair.log_contains("worker_stopping listener_pid=" + std::to_string(worker))) << pair.log();
  EXPECT_TRUE(pair.log_contains("stop_extended listener_pid=" + std::to_string(worker))) << pair.log();
  EXPECT_FALSE(pair.log_contains("SIGKILL")) << pair.log();
  EXPECT_TRUE(pair.log_contains("exited listener_pid=" + std::to_string(worker) + " code=0")) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotifySocket, WatchdogHeartbeatsKeepAWorkerAliveAndSilenceKillsIt) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-watchdog");
  // First worker: one heartbeat, then silence: killed by the watchdog and relaunched. The relaunched
  // one (same command) does the same; we only wait for the first firing.
  Process silent(notify_pair(name, {"--watchdog-ms", "300", "--restart-delay-ms", "0"}, {"send:READY=1\nWATCHDOG=1"}));
  const pid_t first = launched_worker(silent);
  EXPECT_TRUE(wait_until([&] { return silent.log_contains("watchdog_fired listener_pid=" + std::to_string(first)); }))
      << silent.log();
  EXPECT_TRUE(wait_until([&] {
    return silent.log_contains("exited listener_pid=" + std::to_string(first) + " signal=SIGKILL");
  })) << silent.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(silent.wait_exit(), 0) << silent.log();

  const auto beating_name = cleanup.name("notify-beating");
  Process beating(notify_pair(beating_name, {"--watchdog-ms", "300"}, {"send:READY=1", "watchdog:50"}));
  ASSERT_TRUE(wait_until([&] { return state_of(beating_name) == "ready"; })) << beating.log();
  // Ten watchdog periods of heartbeats: the watchdog never fires.
  const auto until = Clock::now() + std::chrono::milliseconds(3000);
  EXPECT_FALSE(wait_until([&] { return beating.log_contains("watchdog_fired"); },
                          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now())))
      << beating.log();
  EXPECT_EQ(run({binary("tether"), "shutdown", beating_name, "--wait"}).exit_code, 0);
  EXPECT_EQ(beating.wait_exit(), 0) << beating.log();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(NotifySocket, AFloodDoesNotStallTheController) {
  Cleanup cleanup;
  const auto name = cleanup.name("notify-flood");
  Process pair(notify_pair(name, {}, {"send:READY=1", "flood:2000000"}));
  ASSERT_TRUE(wait_until([&] { return state_of(name) == "ready"; })) << pair.log();
  // While the worker keeps the socket full, the controller still answers a stop at once.
  const auto started = Clock::now();
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5)) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

// The adapter on its own, over a real file-system socket: the kernel's credentials, the size check, and
// the address removed at the end.
TEST(NotifySocketAdapter, FileSystemAddressCredentialsAndOversize) {
  TempDir directory("notify-socket");
  const std::string path = directory.file("notify");
  {
    auto opened = NotifySocket::open(path);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    NotifySocket& socket = opened.value();
    EXPECT_FALSE(socket.receive().has_value()) << "nothing queued: no wait";
    ASSERT_TRUE(send_datagram(path, "READY=1"));
    auto datagram = socket.receive();
    ASSERT_TRUE(datagram.has_value());
    EXPECT_EQ(datagram->sender_pid, getpid());
    EXPECT_EQ(datagram->bytes, "READY=1");
    EXPECT_FALSE(datagram->oversized);
    ASSERT_TRUE(send_datagram(path, std::string(5000, 'x')));
    datagram = socket.receive();
    ASSERT_TRUE(datagram.has_value());
    EXPECT_TRUE(datagram->oversized);
    const auto in_use = NotifySocket::open(path);
    ASSERT_FALSE(in_use.ok()) << "an address in use is refused";
    EXPECT_EQ(in_use.error().kind, NotifySocketErrorKind::bind);
    EXPECT_EQ(in_use.error().exit_code, 71);
    EXPECT_NE(in_use.error().message.find(path), std::string::npos) << in_use.error().message;
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << "the socket file is removed with the socket";
  for (const std::string& bad : {std::string(), "@" + std::string(200, 'x')}) {
    const auto refused = NotifySocket::open(bad);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, NotifySocketErrorKind::bad_address);
    EXPECT_EQ(refused.error().exit_code, 71);
  }
}

TEST(NotifySocketAdapter, GroupMembershipIsCheckedOnRealProcesses) {
  const pid_t leader = fork();
  if (leader == 0) {
    setpgid(0, 0);
    pause();
    _exit(0);
  }
  ASSERT_GT(leader, 0);
  setpgid(leader, leader);
  EXPECT_TRUE(sender_in_worker_group(leader, leader));
  EXPECT_FALSE(sender_in_worker_group(getpid(), leader)) << "this process is not in the worker's group";
  EXPECT_FALSE(sender_in_worker_group(0, leader));
  kill(leader, SIGKILL);
  waitpid(leader, nullptr, 0);
  EXPECT_FALSE(sender_in_worker_group(leader, getpgrp())) << "a sender that is gone cannot be checked";
}

}  // namespace
}  // namespace tether::testing
