// Goal: a live pair's segment is private to its user: another user can neither read its status nor post
// a shutdown (exit 77), and the pair does not notice the attempt; a malformed TETHER_FAILPOINTS is a
// usage error (64) before anything is created. Method: `setpriv` to the nobody user against a real
// pair (root only); the binaries run with bad failpoint strings.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness_extras.hpp"
#include "pair_processes.hpp"

namespace tether::testing {
namespace {

std::vector<std::string> as_nobody(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  return argv;
}

TEST(SegmentPrivacy, AnotherUserCanNeitherReadTheStatusNorPostAShutdown) {
  if (geteuid() != 0) GTEST_SKIP() << "switching to another user needs root";
  // The nobody user must be able to run the binaries at all, or a 77 would prove nothing.
  const auto version = run(as_nobody({binary("tether"), "--version"}));
  if (version.exit_code != 0) {
    GTEST_SKIP() << "the nobody user cannot run " << binary("tether") << ": " << version.errors;
  }
  Cleanup cleanup;
  const auto name = cleanup.name("private");
  Process pair(controller_command(name, {}, listener_command({"--work-ms", "50"})));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  struct stat segment {};
  ASSERT_EQ(stat(("/dev/shm/tether." + name).c_str(), &segment), 0);
  EXPECT_EQ(segment.st_mode & 0777, 0600u);
  EXPECT_EQ(segment.st_uid, geteuid());

  const auto status = run(as_nobody({binary("tether"), "status", name, "--json"}));
  EXPECT_EQ(status.exit_code, 77) << status.output << status.errors;
  EXPECT_EQ(status.output.find(std::to_string(listener)), std::string::npos) << "status leaked: " << status.output;
  const auto shutdown = run(as_nobody({binary("tether"), "shutdown", name}));
  EXPECT_EQ(shutdown.exit_code, 77) << shutdown.output << shutdown.errors;
  const auto listener_as_nobody = run(as_nobody({binary("tether-listener"), "--name", name, "--units", "1"}));
  EXPECT_EQ(listener_as_nobody.exit_code, 77) << listener_as_nobody.errors;

  const auto after = status_json(name);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)["shutdown_requested"], false) << after->dump();
  EXPECT_EQ((*after)["listener_pid"], listener) << after->dump();
  EXPECT_FALSE(pair.wait_exit(0ms).has_value()) << pair.log();
  EXPECT_FALSE(pair.log_contains("shutdown_requested")) << pair.log();
}

// A --log-file the user may not write is a permission problem (77), as every other refusal of access
// is; it used to be reported as "cannot create" (73).
TEST(SegmentPrivacy, LogFileWithoutPermissionIsNoPermission) {
  if (geteuid() != 0) GTEST_SKIP() << "switching to another user needs root";
  if (run(as_nobody({binary("tether"), "--version"})).exit_code != 0) GTEST_SKIP() << "nobody cannot run the binaries";
  Cleanup cleanup;
  const auto name = cleanup.name("log-permission");
  const TempDir directory("log-permission");
  ASSERT_EQ(chmod(directory.path().c_str(), 0700), 0);  // root's: closed to nobody
  const std::string path = directory.file("worker.log");
  const auto controller =
      run(as_nobody({binary("tether-controller"), "--name", name, "--log-file", path, "--", "sleep", "infinity"}));
  EXPECT_EQ(controller.exit_code, 77) << controller.errors;
  EXPECT_TRUE(contains(controller.errors, "cannot open log file '" + path + "': Permission denied"))
      << controller.errors;
  EXPECT_FALSE(segment_exists(name));
}

TEST(SegmentPrivacy, MalformedFailpointsAreUsageErrors) {
  TETHER_REQUIRE_FAILPOINTS();
  Cleanup cleanup;
  const auto name = cleanup.name("failpoints");
  const std::vector<std::string> malformed = {
      "bogus=crash",
      "after_spawn=explode",
      "in_unit=pause(abc)",
      "in_unit=pause(-1)",
      "in_unit=pause(5",
      "after_spawn",
      "=crash",
      "after_spawn=crash,,",
      "in_unit=exit()",
      "mid_init=crash;in_unit=crash",
  };
  for (const auto& failpoints : malformed) {
    SCOPED_TRACE(failpoints);
    const auto controller = run(controller_command(name, {}, listener_command({"--work-ms", "10"}), failpoints));
    EXPECT_EQ(controller.exit_code, 64) << controller.errors;
    EXPECT_NE(controller.errors.find("TETHER_FAILPOINTS"), std::string::npos) << controller.errors;
    const auto listener = run(listener_with_failpoints(failpoints, {"--name", name, "--units", "1"}));
    EXPECT_EQ(listener.exit_code, 64) << listener.errors;
    EXPECT_NE(listener.errors.find("TETHER_FAILPOINTS"), std::string::npos) << listener.errors;
    EXPECT_FALSE(segment_exists(name)) << "a usage error must come before the segment is created";
  }
  // The well-formed neighbours of those strings are accepted (a pause of 0 ms changes nothing).
  const auto accepted =
      run(controller_command(name, {"--restart", "never"}, listener_command({"--units", "1", "--work-ms", "1"}),
                             "in_unit=pause(0),after_register=exit(0)"));
  EXPECT_EQ(accepted.exit_code, 0) << accepted.errors;
  EXPECT_FALSE(segment_exists(name));
}

}  // namespace
}  // namespace tether::testing
