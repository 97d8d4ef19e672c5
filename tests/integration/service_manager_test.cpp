// Goal: the controller under systemd (issue 15, Type=notify): started with NOTIFY_SOCKET it says
// READY=1 only once its worker is ready (or known to be a plain worker), STATUS= with its state,
// STOPPING=1 when a shutdown begins and WATCHDOG=1 at half of WATCHDOG_USEC; and its worker never sees
// the manager's variables. Method: this test plays the service manager with a real datagram socket in
// the file system (credentials on), the real controller speaks to it through libsystemd's sd_notify.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/notify_socket.hpp"
#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

// The service manager's end: every datagram the controller sent, in order.
class ServiceManager {
 public:
  ServiceManager() : directory_("service-manager"), socket_(open(directory_.file("notify"))) {}

  // Starts `argv` with NOTIFY_SOCKET (and WATCHDOG_USEC when given) in its environment only.
  std::unique_ptr<Process> start(const std::vector<std::string>& argv, const char* watchdog_usec = nullptr) {
    setenv("NOTIFY_SOCKET", directory_.file("notify").c_str(), 1);
    if (watchdog_usec != nullptr) setenv("WATCHDOG_USEC", watchdog_usec, 1);
    auto process = std::make_unique<Process>(argv);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    return process;
  }

  // Reads what has arrived; true once some datagram equals or starts with `text`.
  bool received(const std::string& text) {
    for (auto datagram = socket_.receive(); datagram.has_value(); datagram = socket_.receive()) {
      messages_.push_back(datagram->bytes);
      senders_.push_back(datagram->sender_pid);
    }
    return std::any_of(messages_.begin(), messages_.end(),
                       [&](const std::string& message) { return message.rfind(text, 0) == 0; });
  }
  [[nodiscard]] int count(const std::string& text) const {
    return static_cast<int>(std::count(messages_.begin(), messages_.end(), text));
  }
  [[nodiscard]] const std::vector<std::string>& messages() const { return messages_; }
  [[nodiscard]] const std::vector<pid_t>& senders() const { return senders_; }
  [[nodiscard]] std::string all() const {
    std::string text;
    for (const auto& message : messages_) text += "[" + message + "] ";
    return text;
  }

 private:
  static NotifySocket open(const std::string& path) {
    auto opened = NotifySocket::open(path);
    if (!opened.ok()) throw std::runtime_error(opened.error().message);
    return std::move(opened.value());
  }
  TempDir directory_;
  NotifySocket socket_;
  std::vector<std::string> messages_;
  std::vector<pid_t> senders_;
};

TEST(ServiceManager, ReadyOnlyOnceTheWorkerIsReadyThenStatusWatchdogAndStopping) {
  Cleanup cleanup;
  const auto name = cleanup.name("systemd-ready");
  ServiceManager manager;
  // The worker takes a moment before READY=1: the controller must not be ready before it.
  const auto pair = manager.start(controller_argv(name, {"--notify-socket", "--ready-timeout-ms", "600000"},
                                                  {binary("tether-test-notify-worker"), "sleep:300", "send:READY=1"}),
                                  "400000");
  ASSERT_TRUE(wait_until([&] { return manager.received("STATUS=worker "); })) << manager.all() << pair->log();
  EXPECT_FALSE(manager.received("READY=1")) << "not ready before the worker: " << manager.all();
  ASSERT_TRUE(wait_until([&] { return manager.received("READY=1"); })) << manager.all() << pair->log();
  EXPECT_TRUE(pair->log_contains("worker_ready")) << pair->log();
  const pid_t worker = pid_after(pair->log(), "launched listener_pid=");
  EXPECT_TRUE(manager.received("READY=1\nSTATUS=worker " + std::to_string(worker) + " ready")) << manager.all();
  EXPECT_TRUE(manager.received("STATUS=starting")) << manager.all();
  // WATCHDOG_USEC=400 ms: a ping every 200 ms.
  EXPECT_TRUE(wait_until([&] { return manager.received("WATCHDOG=1") && manager.count("WATCHDOG=1") >= 4; }))
      << manager.all();
  // The manager's variables are the controller's: the worker has its own NOTIFY_SOCKET, no watchdog.
  const auto worker_socket = environment_value(worker, "NOTIFY_SOCKET");
  ASSERT_TRUE(worker_socket.has_value());
  EXPECT_EQ(worker_socket->rfind("@tether-notify/", 0), 0u) << *worker_socket;
  EXPECT_FALSE(environment_value(worker, "WATCHDOG_USEC").has_value());

  pair->signal(SIGTERM);
  EXPECT_EQ(pair->wait_exit(), 0) << pair->log();
  EXPECT_TRUE(manager.received("STOPPING=1")) << manager.all();
  EXPECT_TRUE(manager.received("STATUS=stopping")) << manager.all();
  EXPECT_EQ(manager.count("READY=1\nSTATUS=worker " + std::to_string(worker) + " ready"), 1) << "READY=1 once";
  for (const pid_t sender : manager.senders()) EXPECT_EQ(sender, pair->pid()) << "only the controller speaks";
  EXPECT_TRUE(nothing_left_behind());
}

TEST(ServiceManager, APlainWorkerIsReadyAtTheReadyTimeoutAndNeverSeesTheManager) {
  Cleanup cleanup;
  const auto name = cleanup.name("systemd-plain");
  ServiceManager manager;
  const auto pair = manager.start(controller_argv(name, {"--ready-timeout-ms", "200"}, {"sleep", "infinity"}));
  ASSERT_TRUE(wait_until([&] { return manager.received("READY=1"); })) << manager.all() << pair->log();
  EXPECT_TRUE(pair->log_contains("treated_as=plain worker")) << "READY=1 follows the ready timeout: " << pair->log();
  const pid_t worker = pid_after(pair->log(), "launched listener_pid=");
  EXPECT_FALSE(environment_value(worker, "NOTIFY_SOCKET").has_value()) << "the manager's socket is not the worker's";
  EXPECT_FALSE(manager.received("WATCHDOG=1")) << "no WATCHDOG_USEC, no pings";
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair->wait_exit(), 0) << pair->log();
  EXPECT_TRUE(manager.received("STOPPING=1")) << manager.all();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(ServiceManager, WithoutAUsableLibsystemdTheControllerRefusesToRun) {
  Cleanup cleanup;
  const auto name = cleanup.name("systemd-missing");
  // A libsystemd.so.0 without sd_notify is found first: told to speak to a manager and unable to, the
  // controller says why and exits 69 rather than leave the manager waiting for a READY=1.
  std::vector<std::string> argv = {"/usr/bin/env", std::string("LD_LIBRARY_PATH=") + TETHER_FAKE_LIBSYSTEMD_DIR,
                                   "NOTIFY_SOCKET=/nonexistent/notify"};
  const auto controller = controller_argv(name, {}, {"sleep", "infinity"});
  argv.insert(argv.end(), controller.begin(), controller.end());
  const auto result = run(argv);
  EXPECT_EQ(result.exit_code, 69) << result.errors;
  EXPECT_NE(result.errors.find("NOTIFY_SOCKET is set but libsystemd.so.0 cannot be used"), std::string::npos)
      << result.errors;
  EXPECT_NE(result.errors.find("sd_notify"), std::string::npos) << result.errors;
  EXPECT_TRUE(nothing_left_behind());
}

}  // namespace
}  // namespace tether::testing
