// Goal: bad names and options are refused with a message and EX_USAGE (64) by every binary, before
// anything is created. Method: run each binary with bad input and check exit code, message, /dev/shm.
#include <csignal>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace tether::testing {
namespace {

TEST(BadInput, InvalidNamesAreRefusedByEveryBinary) {
  Cleanup cleanup;
  const std::vector<std::string> bad_names = {"",  ".hidden", "a/b", "has space", std::string(65, 'x'), "n\xc3\xa4me",
                                              "-x"};
  for (const auto& bad : bad_names) {
    const auto controller = run({binary("tether-controller"), "--name", bad});
    EXPECT_EQ(controller.exit_code, 64) << "name '" << bad << "'";
    EXPECT_NE(controller.errors.find("name"), std::string::npos) << controller.errors;
    EXPECT_EQ(run({binary("tether-listener"), "--name", bad}).exit_code, 64) << bad;
    EXPECT_EQ(run({binary("tether"), "status", bad}).exit_code, 64) << bad;
    EXPECT_EQ(run({binary("tether"), "shutdown", bad}).exit_code, 64) << bad;
    EXPECT_EQ(run({binary("tether"), "clean", bad}).exit_code, 64) << bad;
    if (!bad.empty() && bad.find('/') == std::string::npos) {
      EXPECT_FALSE(segment_exists(bad));
    }
  }
}

TEST(BadInput, OutOfRangeAndUnknownOptionsAreUsageErrors) {
  Cleanup cleanup;
  const auto name = cleanup.name("options");
  EXPECT_EQ(run({binary("tether-controller"), "--name", name, "--restart", "sometimes"}).exit_code, 64);
  EXPECT_EQ(run({binary("tether-controller"), "--name", name, "--start-limit", "0"}).exit_code, 64);
  EXPECT_EQ(run({binary("tether-controller"), "--name", name, "--restart-delay-ms", "-5"}).exit_code, 64);
  EXPECT_EQ(run({binary("tether-controller"), "--name", name, "--stop-timeout-ms", "abc"}).exit_code, 64);
  EXPECT_EQ(run({binary("tether-controller"), "--name", name, "--frobnicate"}).exit_code, 64);
  const auto inverted =
      run({binary("tether-controller"), "--name", name, "--restart-delay-ms", "500", "--restart-delay-max-ms", "100"});
  EXPECT_EQ(inverted.exit_code, 64);
  EXPECT_NE(inverted.errors.find("--restart-delay-max-ms"), std::string::npos) << inverted.errors;
  EXPECT_EQ(run({binary("tether")}).exit_code, 64);
  EXPECT_FALSE(segment_exists(name));
}

// JSON logs carry user-given text (here a path in an error message) that need not be UTF-8: the line
// replaces such bytes and the program exits with its own code (it used to abort: dump() threw).
TEST(BadInput, JsonLogLinesSurviveBytesThatAreNotUtf8) {
  Cleanup cleanup;
  const auto name = cleanup.name("json-bytes");
  const std::string path = "/nonexistent-\xff\xfe.env";
  const auto result = run({binary("tether-controller"), "--name", name, "--log-format", "json", "--env-file", path,
                           "--", "sleep", "infinity"});
  EXPECT_EQ(result.exit_code, 66) << result.errors;
  const auto line = nlohmann::json::parse(result.errors, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << result.errors;
  EXPECT_EQ(line.value("event", ""), "usage_error") << result.errors;
  EXPECT_NE(line.value("error", "").find("\xef\xbf\xbd"), std::string::npos) << result.errors;  // U+FFFD
  EXPECT_FALSE(segment_exists(name));
}

TEST(BadInput, HelpAndVersionSucceed) {
  for (const auto* program : {"tether-controller", "tether-listener", "tether"}) {
    const auto help = run({binary(program), "--help"});
    EXPECT_EQ(help.exit_code, 0) << program;
    EXPECT_NE(help.output.find("--version"), std::string::npos) << program;
    const auto version = run({binary(program), "--version"});
    EXPECT_EQ(version.exit_code, 0) << program;
    EXPECT_NE(version.output.find("0.1.0"), std::string::npos) << program;
  }
}

TEST(BadInput, StatusOfAnUnknownNameIsNotRunning) {
  Cleanup cleanup;
  const auto name = cleanup.name("unknown");
  const auto status = run({binary("tether"), "status", name, "--json"});
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_NE(status.output.find("\"state\":\"none\""), std::string::npos) << status.output;
  EXPECT_EQ(run({binary("tether"), "shutdown", name}).exit_code, 66);
}

TEST(BadInput, MissingListenerExecutableGivesUpAtOnce) {
  Cleanup cleanup;
  const auto name = cleanup.name("missing");
  Process pair({binary("tether-controller"), "--name", name, "--", "/nonexistent/worker"});
  EXPECT_EQ(pair.wait_exit(), 69) << pair.log();
  EXPECT_EQ(pair.log_count("launch_failed"), 1) << "no restart storm: " << pair.log();
  EXPECT_FALSE(segment_exists(name));
}

}  // namespace
}  // namespace tether::testing

namespace tether::testing {
namespace {

// `--env K=V -- COMMAND --its-options`: the separator ends the controller's options, never the command.
TEST(BadInput, EnvJustBeforeTheSeparatorLeavesTheCommandAlone) {
  Cleanup cleanup;
  const auto name = cleanup.name("env-separator");
  Process pair({binary("tether-controller"), "--name", name, "--env", "A=1", "--", binary("tether-listener"),
                "--work-ms", "20"});
  EXPECT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

}  // namespace
}  // namespace tether::testing
