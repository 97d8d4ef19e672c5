// Goal: `tether shutdown --wait` says `stopped` only once the worker AND the controller holding the name
// are gone, so that `tether shutdown NAME --wait && tether-controller --name NAME` never meets a finishing
// controller (exit 73). Method: real pairs; the controller is held with SIGSTOP (or the name is held by a
// process the segment does not record) while the worker leaves on the request, and the tool's exit code
// and output are judged; the controller is then resumed and a new one started at once.
#include <csignal>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "pair_processes.hpp"
#include "harness_extras.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

// `tether shutdown NAME --wait --timeout-ms MS`.
CommandResult shutdown_and_wait(const std::string& name, int timeout_ms) {
  return run({binary("tether"), "shutdown", name, "--wait", "--timeout-ms", std::to_string(timeout_ms)});
}

// A pair of the default listener (short units), once it has registered; 0 when it never did.
pid_t registered_listener(const Process& pair, const std::string& name) {
  if (!wait_until([&] { return listener_pid(name) != 0; })) ADD_FAILURE() << "no listener registered: " << pair.log();
  return listener_pid(name);
}

// A controller that cannot finish (stopped) while its listener leaves on the request: --wait must time
// out (75) rather than report `stopped`; resumed, the controller completes the stop and removes the segment.
TEST(ShutdownWait, WaitsForTheControllerAfterTheWorkerLeft) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-controller");
  Process pair(controller_command(name, {}, listener_command({"--work-ms", "20"})));
  const pid_t listener = registered_listener(pair, name);
  ASSERT_NE(listener, 0);
  pair.signal(SIGSTOP);
  const auto shutdown = shutdown_and_wait(name, 5000);
  EXPECT_FALSE(process_alive(listener)) << "the listener reads the request itself and leaves";
  EXPECT_EQ(shutdown.exit_code, 75) << shutdown.output << shutdown.errors;
  EXPECT_FALSE(contains(shutdown.output, name + ": stopped")) << shutdown.output;
  EXPECT_TRUE(contains(shutdown.errors, "still running after 5000 ms")) << shutdown.errors;
  pair.signal(SIGCONT);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

// The contract operators script against: right after `stopped`, the name is free and a new controller
// starts on it (it used to be able to meet the old one still finishing: 73).
TEST(ShutdownWait, NameIsFreeTheMomentItSaysStopped) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-then-start");
  Process pair(controller_command(name, {}, listener_command({"--work-ms", "20"})));
  ASSERT_NE(registered_listener(pair, name), 0);
  const auto shutdown = shutdown_and_wait(name, 15000);
  ASSERT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.output, name + ": stopped")) << shutdown.output;
  // Our child: a zombie until we reap it, and a zombie holds no lock; process_alive says no to zombies.
  EXPECT_FALSE(process_alive(pair.pid())) << "stopped, but the controller still runs";
  EXPECT_FALSE(segment_exists(name)) << "the finishing controller removes the segment before it exits";
  Process next(controller_command(name, {}, listener_command({"--work-ms", "20"})));
  EXPECT_NE(registered_listener(next, name), 0);
  EXPECT_FALSE(next.wait_exit(std::chrono::milliseconds(0)).has_value()) << next.log();
  next.signal(SIGTERM);
  EXPECT_EQ(next.wait_exit(), 0) << next.log();
}

// The name can be held by a controller the segment does not record yet (between taking the lock and
// storing its identity, e.g. one adopting an orphaned listener). Stood in for here by flock(1) holding
// the controller lock on the orphaned pair's segment: --wait must not say `stopped` while it is held.
TEST(ShutdownWait, WaitsForAnUnrecordedHolderOfTheName) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-unrecorded");
  pid_t listener = 0;
  {
    Process pair(controller_command(name, {}, listener_command({"--work-ms", "20"})));
    listener = registered_listener(pair, name);
    ASSERT_NE(listener, 0);
    pair.signal(SIGKILL);
    ASSERT_EQ(pair.wait_exit(), 128 + SIGKILL);
  }
  Process holder(
      {"/usr/bin/flock", "--exclusive", "--nonblock", "--no-fork", "/dev/shm/tether." + name, "sleep", "600"});
  // flock(1) becomes its command (--no-fork) once it holds the lock (--nonblock: it exits 1 if it cannot).
  ASSERT_TRUE(wait_until([&] { return read_text("/proc/" + std::to_string(holder.pid()) + "/comm") == "sleep\n"; }))
      << holder.log();
  const auto held = shutdown_and_wait(name, 5000);
  EXPECT_FALSE(process_alive(listener)) << "the orphaned listener reads the request and leaves";
  EXPECT_EQ(held.exit_code, 75) << held.output << held.errors;
  EXPECT_FALSE(contains(held.output, name + ": stopped")) << held.output;
  holder.signal(SIGKILL);
  ASSERT_TRUE(holder.wait_exit().has_value());
  const auto released = shutdown_and_wait(name, 15000);
  EXPECT_EQ(released.exit_code, 0) << released.errors;
  EXPECT_TRUE(contains(released.output, name + ": stopped")) << released.output;
  EXPECT_FALSE(segment_exists(name)) << "with nothing left alive, --wait removes the segment";
}

// A stop may rightly last --stop-timeout-max-ms plus --kill-timeout-ms: without --timeout-ms, --wait
// follows the deadline the controller reports (it used to give up at 30 s on a stop that then ended
// cleanly); with one, the user's bound is kept. `tether status` shows the deadline meanwhile. The
// listener's 3 s units give a registered listener's stop its 40 s stop timeout.
TEST(ShutdownWait, WithoutATimeoutItFollowsTheControllersStopDeadline) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-deadline");
  Process pair(controller_command(
      name, {"--stop-timeout-ms", "40000", "--stop-timeout-max-ms", "40000", "--kill-timeout-ms", "1000"},
      listener_command({"--work-ms", "3000"})));
  ASSERT_NE(registered_listener(pair, name), 0);
  // Just after a unit began: it has about 3 s to go, far more than the bounded wait below.
  const int units = pair.log_count("unit_started");
  ASSERT_TRUE(wait_until([&] { return pair.log_count("unit_started") > units; })) << pair.log();

  const auto bounded = shutdown_and_wait(name, 100);
  EXPECT_EQ(bounded.exit_code, 75) << bounded.output << bounded.errors;
  EXPECT_TRUE(contains(bounded.errors, "still running after 100 ms")) << bounded.errors;
  EXPECT_FALSE(contains(bounded.errors, "waiting for controller")) << "a given timeout is kept: " << bounded.errors;

  std::optional<nlohmann::json> during;
  ASSERT_TRUE(wait_until([&] {
    during = status_json(name);
    return during.has_value() && (*during)["stop_deadline_in_ms"].is_number();
  })) << pair.log();
  const auto left_ms = (*during)["stop_deadline_in_ms"].get<std::uint64_t>();
  EXPECT_GT(left_ms, 30000u) << "the 40 s stop timeout and the 1 s kill timeout: " << during->dump();
  EXPECT_LE(left_ms, 41000u) << during->dump();
  EXPECT_EQ((*during)["state"], "stopping") << during->dump();

  const auto followed = run({binary("tether"), "shutdown", name, "--wait"}, std::chrono::milliseconds(45000));
  EXPECT_EQ(followed.exit_code, 0) << followed.output << followed.errors;
  EXPECT_TRUE(contains(followed.errors, "waiting for controller pid " + std::to_string(pair.pid()))) << followed.errors;
  EXPECT_TRUE(contains(followed.output, name + ": stopped")) << followed.output;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

}  // namespace
}  // namespace tether::testing
