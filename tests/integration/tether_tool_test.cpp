// Goal: `tether clean`, `status`, `list` and `shutdown` tell the truth about a pair in every state it can
// be found in (running, controller killed with the listener alive, everything dead, never started, a
// planted foreign segment) and answer with the documented exit codes. Method: real binaries as separate
// processes, the pair put into each state with signals, observed from outside through the tool's text and
// JSON output, /proc and /dev/shm, with bounded waits.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include "pair_processes.hpp"
#include "harness_extras.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

std::vector<std::string> pair_argv(const std::string& name, const std::vector<std::string>& listener_args,
                                   const std::vector<std::string>& controller_args = {}) {
  std::vector<std::string> argv = {binary("tether-controller"), "--name", name};
  argv.insert(argv.end(), controller_args.begin(), controller_args.end());
  argv.push_back("--");
  argv.push_back(binary("tether-listener"));
  argv.insert(argv.end(), listener_args.begin(), listener_args.end());
  return argv;
}

// Kills the controller with SIGKILL and waits for it: the listener lives on, an orphan of this
// (subreaper) test process, and the segment stays with nobody holding the controller lock.
void kill_controller(Process& pair) {
  pair.signal(SIGKILL);
  ASSERT_EQ(pair.wait_exit(), 128 + SIGKILL);
}

// Starts a pair and kills its controller once the listener has registered: returns that listener, now
// an orphan of this (subreaper) test process, or 0 when it never registered.
pid_t orphaned_listener(const std::string& name) {
  Process pair(pair_argv(name, {"--work-ms", "20"}));
  if (!wait_until([&] { return listener_pid(name) != 0; })) {
    ADD_FAILURE() << "no listener registered: " << pair.log();
    return 0;
  }
  const pid_t listener = listener_pid(name);
  kill_controller(pair);
  return listener;
}

// A planted object in /dev/shm that Cleanup does not know by name (it is not a valid pair name).
class PlantedObject {
 public:
  PlantedObject(std::string path, const std::string& bytes) : path_(std::move(path)) {
    std::ofstream file(path_, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    chmod(path_.c_str(), 0600);
  }
  ~PlantedObject() { std::filesystem::remove(path_); }
  PlantedObject(const PlantedObject&) = delete;
  PlantedObject& operator=(const PlantedObject&) = delete;

 private:
  std::string path_;
};

TEST(TetherClean, MissingSegmentIsNothingToClean) {
  Cleanup cleanup;
  const auto name = cleanup.name("clean-missing");
  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 0) << clean.errors;
  EXPECT_TRUE(contains(clean.output, name + ": no segment; nothing to clean")) << clean.output;
  EXPECT_FALSE(segment_exists(name));
}

TEST(TetherClean, RefusesANameHeldByARunningController) {
  Cleanup cleanup;
  const auto name = cleanup.name("clean-held");
  Process pair(pair_argv(name, {"--work-ms", "20"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);

  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 73) << clean.output;
  EXPECT_TRUE(contains(clean.errors, "held by another running controller")) << clean.errors;
  EXPECT_TRUE(segment_exists(name));
  EXPECT_EQ(listener_pid(name), listener) << "clean disturbed the pair";
  EXPECT_FALSE(pair.wait_exit(std::chrono::milliseconds(0)).has_value()) << pair.log();

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.output, name + ": stopped")) << shutdown.output;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

// With its controller gone, the segment is still in use while the listener lives: clean must refuse and
// point to `tether shutdown`, which then stops the listener and, with no controller left to do it,
// removes the segment itself.
TEST(TetherClean, RefusesALiveListenerWhoseControllerDied) {
  Cleanup cleanup;
  const auto name = cleanup.name("clean-orphan");
  const pid_t listener = orphaned_listener(name);
  ASSERT_NE(listener, 0);

  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 73) << clean.output;
  EXPECT_TRUE(contains(clean.errors, "has a live listener (pid " + std::to_string(listener) + ")")) << clean.errors;
  EXPECT_TRUE(contains(clean.errors, "tether shutdown " + name)) << clean.errors;
  EXPECT_TRUE(segment_exists(name));
  EXPECT_TRUE(process_alive(listener));

  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["listener_pid"], listener);
  EXPECT_TRUE((*status)["controller_pid"].is_null()) << status->dump();

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.output, "shutdown requested (no live controller)")) << shutdown.output;
  EXPECT_TRUE(contains(shutdown.output, name + ": stopped")) << shutdown.output;
  EXPECT_FALSE(process_alive(listener));
  EXPECT_FALSE(segment_exists(name)) << "nobody removed the segment of a stopped orphan";
}

// A plain worker (it never registers) whose controller died: clean and shutdown used to look only at
// the registration, so clean removed the segment and `shutdown --wait` printed "stopped" and removed it
// too, while the worker ran on with no record left for a controller to adopt it by. Now both see it;
// shutdown says that only a controller can stop it, and one started afterwards does.
TEST(TetherClean, RefusesAnOrphanedPlainWorker) {
  Cleanup cleanup;
  const auto name = cleanup.name("clean-orphan-plain");
  const std::vector<std::string> argv = {
      binary("tether-controller"), "--name", name, "--ready-timeout-ms", "200", "--", "sleep", "infinity"};
  Process pair(argv);
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("treated_as=plain worker"); })) << pair.log();
  const pid_t worker = pid_after(pair.log(), "unregistered listener_pid=");
  ASSERT_GT(worker, 0) << pair.log();
  kill_controller(pair);

  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 73) << clean.output;
  EXPECT_TRUE(contains(clean.errors, "has a live unregistered worker (pid " + std::to_string(worker) + ")"))
      << clean.errors;
  EXPECT_TRUE(segment_exists(name));

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait", "--timeout-ms", "300"});
  EXPECT_EQ(shutdown.exit_code, 75) << shutdown.output << shutdown.errors;
  EXPECT_FALSE(contains(shutdown.output, "stopped")) << shutdown.output;
  EXPECT_TRUE(contains(shutdown.errors, "worker pid " + std::to_string(worker) + " has not registered"))
      << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.errors, "start a controller on '" + name + "'")) << shutdown.errors;
  EXPECT_TRUE(segment_exists(name)) << "the only record of the worker was removed";
  EXPECT_TRUE(process_alive(worker));

  // As advised: a controller adopts the worker, finds the request posted and stops it.
  Process successor(argv);
  EXPECT_EQ(successor.wait_exit(), 0) << successor.log();
  EXPECT_TRUE(successor.log_contains("adopted listener_pid=" + std::to_string(worker))) << successor.log();
  EXPECT_TRUE(wait_until([&] { return !process_alive(worker); }));
  EXPECT_FALSE(segment_exists(name));
}

TEST(TetherClean, RemovesTheValidSegmentOfADeadPair) {
  Cleanup cleanup;
  const auto name = cleanup.name("clean-stale");
  const pid_t listener = orphaned_listener(name);
  ASSERT_NE(listener, 0);
  ASSERT_EQ(kill(listener, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return !process_alive(listener); }));

  const auto status = run({binary("tether"), "status", name});
  EXPECT_EQ(status.exit_code, 3) << "a dead pair is not running: " << status.output;
  EXPECT_TRUE(contains(status.output, "listener none, controller none")) << status.output;

  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 0) << clean.errors;
  EXPECT_TRUE(contains(clean.output, name + ": removed segment (valid)")) << clean.output;
  EXPECT_FALSE(segment_exists(name));
  // Cleaning again finds nothing.
  EXPECT_TRUE(contains(run({binary("tether"), "clean", name}).output, "nothing to clean"));
}

// Someone else's segment is theirs to clean, even when it looks stale to us.
TEST(TetherClean, RefusesASegmentOfAnotherUser) {
  Cleanup cleanup;
  const auto name = cleanup.name("clean-foreign-owner");
  const PlantedObject planted("/dev/shm/tether." + name, std::string(4096, '\0'));
  if (chown(("/dev/shm/tether." + name).c_str(), 65534, 65534) != 0) {
    GTEST_SKIP() << "cannot chown a file here (not root): the other-user case needs root";
  }
  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 77) << clean.output;
  EXPECT_TRUE(contains(clean.errors, "belongs to nobody (uid 65534), not to us")) << clean.errors;
  EXPECT_TRUE(contains(clean.errors, "sudo -u nobody")) << clean.errors;
  EXPECT_TRUE(segment_exists(name)) << "clean removed another user's segment";
}

// A directory where the segment should be is not a segment (65), named as what it is, by every binary
// that opens the segment (it was reported as a system error, or as "accessible to other users"). The
// system-error path itself (71) is pinned in-process: SegmentOpen.SystemErrorsAreOsErrors.
TEST(TetherTools, DirectoryInPlaceOfTheSegmentIsNotASegment) {
  Cleanup cleanup;
  const auto name = cleanup.name("os-error");
  ASSERT_TRUE(std::filesystem::create_directory("/dev/shm/tether." + name));
  std::filesystem::permissions("/dev/shm/tether." + name, std::filesystem::perms::owner_all);
  const std::string what = "segment '" + name + "' is a directory, not a shared-memory object";
  const auto shutdown = run({binary("tether"), "shutdown", name});
  EXPECT_EQ(shutdown.exit_code, 65) << shutdown.output;
  EXPECT_TRUE(contains(shutdown.errors, what)) << shutdown.errors;
  const auto controller = run({binary("tether-controller"), "--name", name, "--", binary("tether-listener")});
  EXPECT_EQ(controller.exit_code, 65);
  EXPECT_TRUE(contains(controller.errors, what)) << controller.errors;
  const auto listener = run({binary("tether-listener"), "--name", name});
  EXPECT_EQ(listener.exit_code, 65);
  EXPECT_TRUE(contains(listener.errors, what)) << listener.errors;
  const auto status = run({binary("tether"), "status", name});
  EXPECT_EQ(status.exit_code, 65);
  EXPECT_TRUE(contains(status.errors, what)) << status.errors;
  EXPECT_TRUE(std::filesystem::is_directory("/dev/shm/tether." + name)) << "something replaced the directory";
}

// `tether clean` removes what a controller left (a valid segment, or one whose creator died before
// sizing it or writing its magic) and nothing else: a directory, a symbolic link or a file of another
// size under the name is refused (65) and left as it was.
TEST(TetherClean, RemovesOnlyWhatAControllerLeft) {
  Cleanup cleanup;
  for (const auto& [stem, bytes] :
       {std::pair<std::string, std::string>{"clean-empty", ""},
        std::pair<std::string, std::string>{"clean-uninitialised", std::string(4096, '\0')}}) {
    const auto name = cleanup.name(stem);
    const PlantedObject planted("/dev/shm/tether." + name, bytes);
    const auto clean = run({binary("tether"), "clean", name});
    EXPECT_EQ(clean.exit_code, 0) << clean.errors;
    EXPECT_TRUE(contains(clean.output, name + ": removed segment")) << clean.output;
    EXPECT_FALSE(segment_exists(name));
  }
  const auto directory = cleanup.name("clean-directory");
  ASSERT_TRUE(std::filesystem::create_directory("/dev/shm/tether." + directory));
  const auto target = cleanup.name("clean-link-target");
  const PlantedObject target_file("/dev/shm/tether." + target, std::string(4096, '\0'));
  const auto link = cleanup.name("clean-link");
  std::filesystem::create_symlink("/dev/shm/tether." + target, "/dev/shm/tether." + link);
  const auto odd_size = cleanup.name("clean-odd-size");
  const PlantedObject odd("/dev/shm/tether." + odd_size, std::string(5000, '\0'));
  for (const auto& [name, reason] : std::map<std::string, std::string>{
           {directory, "is a directory"}, {link, "is a symbolic link"}, {odd_size, "has 5000 bytes, not the 4096"}}) {
    const auto clean = run({binary("tether"), "clean", name});
    EXPECT_EQ(clean.exit_code, 65) << name << ": " << clean.output << clean.errors;
    EXPECT_TRUE(contains(clean.errors, "tether clean: '" + name + "': /dev/shm/tether." + name + " " + reason))
        << clean.errors;
    EXPECT_TRUE(contains(clean.errors, "not a tether segment, not removed")) << clean.errors;
    EXPECT_FALSE(contains(clean.output, "removed")) << clean.output;
  }
  EXPECT_TRUE(std::filesystem::is_directory("/dev/shm/tether." + directory));
  EXPECT_TRUE(std::filesystem::is_symlink("/dev/shm/tether." + link));
  EXPECT_TRUE(segment_exists(target)) << "the link's target was removed";
  EXPECT_EQ(std::filesystem::file_size("/dev/shm/tether." + odd_size), 5000u);
}

TEST(TetherStatus, MissingPairIsNotRunningInTextAndJson) {
  Cleanup cleanup;
  const auto name = cleanup.name("status-missing");
  const auto text = run({binary("tether"), "status", name});
  EXPECT_EQ(text.exit_code, 3);
  EXPECT_TRUE(contains(text.output, name + ": not running (no segment named '" + name + "')")) << text.output;
  const auto json = run({binary("tether"), "status", name, "--json"});
  EXPECT_EQ(json.exit_code, 3);
  const auto parsed = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << json.output;
  EXPECT_EQ(parsed["name"], name);
  EXPECT_EQ(parsed["state"], "none");
  EXPECT_TRUE(contains(parsed["error"].get<std::string>(), "no segment")) << parsed.dump();
  EXPECT_FALSE(segment_exists(name)) << "status created a segment";
}

TEST(TetherStatus, TextOfARunningPairNamesBothProcesses) {
  Cleanup cleanup;
  const auto name = cleanup.name("status-text");
  Process pair(pair_argv(name, {"--work-ms", "20"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  const auto status = run({binary("tether"), "status", name});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_TRUE(contains(status.output, "listener pid " + std::to_string(listener))) << status.output;
  EXPECT_TRUE(contains(status.output, "controller pid " + std::to_string(pair.pid()))) << status.output;
  EXPECT_TRUE(contains(status.output, "generation 1, restarts 0, shutdown not requested")) << status.output;
  EXPECT_TRUE(contains(status.output, " ms ago")) << "a registered listener has a heartbeat: " << status.output;
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

// `list` shows every pair of the machine (other tests' too): look only for ours.
TEST(TetherList, ShowsRunningPairsAndBrokenSegmentsButNoInvalidNames) {
  Cleanup cleanup;
  const auto first = cleanup.name("list-a");
  const auto second = cleanup.name("list-b");
  const auto broken = cleanup.name("list-broken");
  const auto hidden = ".it-list-hidden-" + std::to_string(getpid());
  Process pair_a(pair_argv(first, {"--work-ms", "20"}));
  Process pair_b(pair_argv(second, {"--work-ms", "20"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(first) != 0 && listener_pid(second) != 0; }))
      << pair_a.log() << pair_b.log();
  const PlantedObject broken_segment("/dev/shm/tether." + broken, std::string(100, 'x'));
  const PlantedObject invalid_name("/dev/shm/tether." + hidden, std::string(4096, '\0'));

  const auto text = run({binary("tether"), "list"});
  EXPECT_EQ(text.exit_code, 0) << text.errors;
  EXPECT_TRUE(contains(text.output, first + ": state ")) << text.output;
  EXPECT_TRUE(contains(text.output, second + ": state ")) << text.output;
  EXPECT_TRUE(contains(text.output, broken + ": segment '" + broken + "' has 100 bytes")) << text.output;
  EXPECT_FALSE(contains(text.output, hidden)) << text.output;

  const auto json = run({binary("tether"), "list", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.errors;
  const auto all = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_TRUE(all.is_array()) << json.output;
  std::map<std::string, nlohmann::json> ours;
  for (const auto& entry : all) {
    const auto entry_name = entry["name"].get<std::string>();
    EXPECT_NE(entry_name, hidden);
    if (entry_name == first || entry_name == second || entry_name == broken) ours[entry_name] = entry;
  }
  ASSERT_EQ(ours.size(), 3u) << json.output;
  EXPECT_EQ(ours[first]["listener_pid"], listener_pid(first));
  EXPECT_EQ(ours[first]["controller_pid"], pair_a.pid());
  EXPECT_EQ(ours[second]["controller_pid"], pair_b.pid());
  EXPECT_FALSE(ours[broken].contains("state")) << ours[broken].dump();
  EXPECT_TRUE(contains(ours[broken]["error"].get<std::string>(), "has 100 bytes")) << ours[broken].dump();

  pair_a.signal(SIGTERM);
  pair_b.signal(SIGTERM);
  EXPECT_EQ(pair_a.wait_exit(), 0) << pair_a.log();
  EXPECT_EQ(pair_b.wait_exit(), 0) << pair_b.log();
}

// A listener inside a long unit does not stop at once; `--wait` gives up after its timeout with
// EX_TEMPFAIL and leaves the request posted.
TEST(TetherShutdown, WaitGivesUpAfterItsTimeout) {
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown-timeout");
  Process pair(pair_argv(name, {"--work-ms", "600000"}, {"--stop-timeout-ms", "600000"}));
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("unit_started unit=1"); })) << pair.log();
  const pid_t listener = listener_pid(name);
  ASSERT_NE(listener, 0);

  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait", "--timeout-ms", "300"});
  EXPECT_EQ(shutdown.exit_code, 75) << shutdown.output;
  EXPECT_TRUE(contains(shutdown.output, name + ": shutdown requested\n")) << shutdown.output;
  EXPECT_TRUE(contains(shutdown.errors, "'" + name + "' still running after 300 ms")) << shutdown.errors;
  EXPECT_TRUE(process_alive(listener));
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["shutdown_requested"], true);
  EXPECT_EQ((*status)["controller_pid"], pair.pid());
}

// `tether shutdown` without --wait while no controller runs: the listener leaves, and the request stays
// in the segment. It binds the next controller (a restart racing the request must not lose it), which
// used to exit 0 at once with nothing in its log but `finished`. Now it says why; the one after runs.
TEST(TetherShutdown, RequestLeftWithoutAControllerBindsTheNextOneWhichSaysSo) {
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown-left");
  const pid_t listener = orphaned_listener(name);
  ASSERT_NE(listener, 0);
  const auto shutdown = run({binary("tether"), "shutdown", name});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  ASSERT_TRUE(wait_until([&] { return !process_alive(listener); }));

  Process next(pair_argv(name, {"--work-ms", "20"}));
  EXPECT_EQ(next.wait_exit(), 0) << next.log();
  EXPECT_TRUE(next.log_contains("shutdown_requested posted_before_start=yes")) << next.log();
  EXPECT_FALSE(next.log_contains("launched")) << next.log();
  EXPECT_FALSE(segment_exists(name));

  Process after(pair_argv(name, {"--work-ms", "20"}));
  EXPECT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << after.log();
  after.signal(SIGTERM);
  EXPECT_EQ(after.wait_exit(), 0) << after.log();
}

// A segment its controller died setting up (crash point mid_init) holds no pair: shutdown says so and
// removes it, instead of failing "not initialised" forever.
TEST(TetherShutdown, SegmentLeftHalfSetUpIsRemoved) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown-half-set-up");
  Process pair(controller_command(name, {}, listener_command({"--work-ms", "10"}), "mid_init=crash"));
  ASSERT_EQ(pair.wait_exit(), 128 + SIGKILL) << pair.log();
  ASSERT_TRUE(segment_exists(name));
  const auto shutdown = run({binary("tether"), "shutdown", name});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.output, name + ": not running")) << shutdown.output;
  EXPECT_FALSE(segment_exists(name));
}

// While its controller sets the segment up (here held at mid_init), the request cannot be posted yet:
// --wait waits for the set-up, then stops the pair; without --wait the tool gives up after a bounded
// wait with EX_TEMPFAIL.
TEST(TetherShutdown, WaitsForAControllerSettingUpItsSegment) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown-setting-up");
  Process pair(controller_command(name, {}, listener_command({"--work-ms", "10"}), "mid_init=pause(3000)"));
  ASSERT_TRUE(wait_until([&] { return segment_exists(name); })) << pair.log();
  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait", "--timeout-ms", "30000"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.output, name + ": stopped")) << shutdown.output;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

TEST(TetherShutdown, GivesUpOnASegmentStillBeingSetUp) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown-set-up-slow");
  Process pair(controller_command(name, {}, listener_command({"--work-ms", "10"}), "mid_init=pause(60000)"));
  ASSERT_TRUE(wait_until([&] { return segment_exists(name); })) << pair.log();
  const auto shutdown = run({binary("tether"), "shutdown", name});
  EXPECT_EQ(shutdown.exit_code, 75) << shutdown.errors;
  EXPECT_TRUE(contains(shutdown.errors, "still setting up '" + name + "'")) << shutdown.errors;
  EXPECT_TRUE(segment_exists(name)) << "a segment its controller holds is not removed";
  EXPECT_FALSE(pair.wait_exit(std::chrono::milliseconds(0)).has_value()) << "the controller is left alone";
}

// `tether-controller --name X &` returns before the segment exists: `tether wait` is what a script runs
// next, instead of a guessed sleep (which raced into "no segment named 'X'", 66).
TEST(TetherWait, FollowsAPairFromStartToGone) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-states");
  Process pair(pair_argv(name, {"--work-ms", "20"}));
  const auto running = run({binary("tether"), "wait", name, "--timeout-ms", "10000"});
  EXPECT_EQ(running.exit_code, 0) << running.errors;
  EXPECT_TRUE(contains(running.output, name + ": running")) << running.output;
  EXPECT_TRUE(segment_exists(name));
  const auto registered = run({binary("tether"), "wait", name, "--state", "registered", "--timeout-ms", "10000"});
  EXPECT_EQ(registered.exit_code, 0) << registered.errors;
  EXPECT_EQ(run({binary("tether"), "status", name}).exit_code, 0) << "registered means status says so";
  const auto working = run({binary("tether"), "wait", name, "--state", "working", "--timeout-ms", "10000"});
  EXPECT_EQ(working.exit_code, 0) << working.errors;
  ASSERT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 0);
  const auto gone = run({binary("tether"), "wait", name, "--state", "gone", "--timeout-ms", "10000"});
  EXPECT_EQ(gone.exit_code, 0) << gone.errors;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

TEST(TetherWait, GivesUpAfterItsTimeoutSayingWhatItSaw) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-timeout");
  const auto absent = run({binary("tether"), "wait", name, "--timeout-ms", "50"});
  EXPECT_EQ(absent.exit_code, 75) << absent.errors;
  EXPECT_TRUE(contains(absent.errors, "'" + name + "' not running after 50 ms (no segment named")) << absent.errors;
  // A plain worker never registers: waiting for that times out, naming the state it is in.
  Process pair({binary("tether-controller"), "--name", name, "--", "sleep", "infinity"});
  ASSERT_EQ(run({binary("tether"), "wait", name, "--timeout-ms", "10000"}).exit_code, 0) << pair.log();
  const auto unregistered = run({binary("tether"), "wait", name, "--state", "registered", "--timeout-ms", "100"});
  EXPECT_EQ(unregistered.exit_code, 75) << unregistered.errors;
  EXPECT_TRUE(contains(unregistered.errors, "not registered after 100 ms (state ")) << unregistered.errors;
  // With no segment at all, "gone" holds at once.
  EXPECT_EQ(run({binary("tether"), "wait", cleanup.name("wait-never"), "--state", "gone"}).exit_code, 0);
}

// From the request on, the pair is `stopping`, though its listener still reports `working` until the
// unit ends (a 40 s unit used to show `working` all through its stop).
TEST(TetherStatus, PairIsStoppingFromTheRequestOn) {
  Cleanup cleanup;
  const auto name = cleanup.name("status-stopping");
  Process pair(pair_argv(name, {"--work-ms", "3000"}));
  ASSERT_EQ(run({binary("tether"), "wait", name, "--state", "working", "--timeout-ms", "10000"}).exit_code, 0)
      << pair.log();
  ASSERT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 0);
  const auto status = run({binary("tether"), "status", name, "--json"});
  const auto parsed = nlohmann::json::parse(status.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << status.output;
  EXPECT_EQ(parsed["state"], "stopping") << status.output;
  EXPECT_EQ(parsed["listener_state"], "working") << status.output;
  const auto text = run({binary("tether"), "status", name});
  EXPECT_TRUE(contains(text.output, "state stopping (listener working)")) << text.output;
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

// `status --json` answers in JSON whatever happens, as `list --json` does (errors were plain text).
TEST(TetherStatus, JsonErrorsAreJson) {
  Cleanup cleanup;
  const auto name = cleanup.name("status-json-error");
  ASSERT_EQ(mkfifo(("/dev/shm/tether." + name).c_str(), 0600), 0);
  const auto status = run({binary("tether"), "status", name, "--json"});
  EXPECT_EQ(status.exit_code, 65) << status.errors;
  const auto parsed = nlohmann::json::parse(status.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << status.output;
  EXPECT_EQ(parsed["name"], name);
  EXPECT_EQ(parsed["exit_code"], 65);
  EXPECT_TRUE(contains(parsed.value("error", ""), "is a FIFO")) << status.output;
}

// What waiting cannot mend ends the wait at once with its own code: here not a segment at all.
TEST(TetherWait, SomethingThatIsNotASegmentEndsTheWaitAtOnce) {
  Cleanup cleanup;
  const auto name = cleanup.name("wait-foreign");
  ASSERT_EQ(mkfifo(("/dev/shm/tether." + name).c_str(), 0600), 0);
  const auto waited = run({binary("tether"), "wait", name, "--timeout-ms", "60000"}, 20s);
  EXPECT_EQ(waited.exit_code, 65) << waited.errors;
  EXPECT_TRUE(contains(waited.errors, "is a FIFO")) << waited.errors;
}

TEST(TetherShutdown, TimeoutOutOfRangeIsAUsageError) {
  Cleanup cleanup;
  const auto name = cleanup.name("shutdown-range");
  const auto zero = run({binary("tether"), "shutdown", name, "--wait", "--timeout-ms", "0"});
  EXPECT_EQ(zero.exit_code, 64) << zero.output;
  EXPECT_TRUE(contains(zero.errors, "--timeout-ms")) << zero.errors;
  EXPECT_EQ(run({binary("tether"), "clean"}).exit_code, 64) << "clean needs a name";
  EXPECT_FALSE(segment_exists(name));
}

}  // namespace
}  // namespace tether::testing
