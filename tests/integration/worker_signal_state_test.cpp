// Goal: a worker starts with none of the signals the controller handles itself (SIGINT, SIGTERM, SIGUSR1,
// SIGHUP, SIGCHLD: blocked there for its signalfd) or ignores (SIGPIPE) blocked or ignored: both survive
// exec, and a worker blocking SIGTERM never stops on its stop signal, one ignoring SIGPIPE writes into a
// closed pipe for ever. Method: a plain `sleep` launched by the real controller; the masks of
// /proc/PID/status read from outside.
#include <csignal>
#include <cstdint>
#include <gtest/gtest.h>
#include <sstream>

#include "pair_processes.hpp"
#include "harness_extras.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

// A signal mask line of /proc/PID/status ("SigBlk:\t0000000000010000", hex); nullopt when absent.
std::optional<std::uint64_t> status_mask(pid_t pid, const std::string& field) {
  std::istringstream lines(read_text("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(field + ":")) continue;
    std::istringstream value(line.substr(field.size() + 1));
    std::uint64_t mask = 0;
    if (value >> std::hex >> mask) return mask;
  }
  return std::nullopt;
}

TEST(WorkerSignalState, ControllersSignalsAreNeitherBlockedNorIgnoredInTheWorker) {
  Cleanup cleanup;
  const auto name = cleanup.name("signal-state");
  Process pair(controller_argv(name, {"--ready-timeout-ms", "100"}, {"sleep", "600"}));
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();
  const pid_t worker = pid_after(pair.log(), "launched listener_pid=");
  ASSERT_TRUE(process_alive(worker)) << pair.log();
  std::uint64_t handled = 0;
  for (const int signal_number : {SIGINT, SIGTERM, SIGUSR1, SIGHUP, SIGPIPE, SIGCHLD}) {
    handled |= std::uint64_t{1} << (signal_number - 1);
  }
  const auto blocked = status_mask(worker, "SigBlk");
  const auto ignored = status_mask(worker, "SigIgn");
  ASSERT_TRUE(blocked.has_value() && ignored.has_value());
  EXPECT_EQ(*blocked & handled, 0u) << std::hex << "blocked: " << *blocked;
  EXPECT_EQ(*ignored & handled, 0u) << std::hex << "ignored: " << *ignored;
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

}  // namespace
}  // namespace tether::testing
