// Goal: tether-controller's command line maps every option into ControllerConfig and LaunchSpec, keeps
// the documented defaults, and refuses bad values with EX_USAGE (64) and a message naming the option.
// Method: parse_controller_command_line on literal argvs; check_working_directory on real paths.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "apps/controller_cli.hpp"
#include "cli_test_support.hpp"

namespace tether {
namespace {

using testing::command_line;
using testing::expect_usage_error;

TEST(ControllerCli, OnlyTheNameGivesTheDocumentedDefaults) {
  const auto parsed = parse_controller_command_line(command_line({"--name", "demo"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  const ControllerOptions& options = parsed.options;
  EXPECT_EQ(options.name, "demo");
  const ControllerConfig defaults;
  EXPECT_EQ(options.config.restart, RestartMode::always);
  EXPECT_EQ(options.config.restart_delay_ms, defaults.restart_delay_ms);
  EXPECT_EQ(options.config.restart_delay_ms_max, defaults.restart_delay_ms_max);
  EXPECT_EQ(options.config.start_limit, defaults.start_limit);
  EXPECT_EQ(options.config.start_limit_interval_ms, defaults.start_limit_interval_ms);
  EXPECT_EQ(options.config.stop_timeout_ms, defaults.stop_timeout_ms);
  EXPECT_EQ(options.config.kill_timeout_ms, defaults.kill_timeout_ms);
  EXPECT_EQ(options.config.stop_timeout_ms_max, defaults.stop_timeout_ms_max);
  EXPECT_EQ(options.config.watchdog_ms, 0u);
  EXPECT_EQ(options.config.ready_timeout_ms, defaults.ready_timeout_ms);
  EXPECT_TRUE(options.launch.command.empty()) << "main fills in the tether-listener beside the controller";
  EXPECT_EQ(options.launch.name, "demo");
  EXPECT_FALSE(options.launch.directory.has_value());
  EXPECT_TRUE(options.launch.environment.empty());
  EXPECT_EQ(options.launch.stop_signal, SIGTERM);
  EXPECT_FALSE(options.environment_file.has_value());
  EXPECT_FALSE(options.log_file.has_value());
  EXPECT_EQ(options.log_format, "text");
}

TEST(ControllerCli, EveryOptionLandsInItsField) {
  const auto parsed = parse_controller_command_line(command_line({"--name",
                                                                  "pair-1",
                                                                  "--restart",
                                                                  "on-failure",
                                                                  "--restart-delay-ms",
                                                                  "11",
                                                                  "--restart-delay-max-ms",
                                                                  "22",
                                                                  "--start-limit",
                                                                  "33",
                                                                  "--start-limit-interval-ms",
                                                                  "44",
                                                                  "--stop-timeout-ms",
                                                                  "55",
                                                                  "--kill-timeout-ms",
                                                                  "66",
                                                                  "--stop-timeout-max-ms",
                                                                  "77",
                                                                  "--watchdog-ms",
                                                                  "88",
                                                                  "--ready-timeout-ms",
                                                                  "99",
                                                                  "--stop-signal",
                                                                  "SIGINT",
                                                                  "--cwd",
                                                                  "/tmp",
                                                                  "--env",
                                                                  "A=1",
                                                                  "--env",
                                                                  "B=two words",
                                                                  "--env-file",
                                                                  "vars.env",
                                                                  "--log-file",
                                                                  "out.log",
                                                                  "--log-format",
                                                                  "json",
                                                                  "--",
                                                                  "worker",
                                                                  "--flag",
                                                                  "arg"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  const ControllerOptions& options = parsed.options;
  EXPECT_EQ(options.name, "pair-1");
  EXPECT_EQ(options.config.restart, RestartMode::on_failure);
  EXPECT_EQ(options.config.restart_delay_ms, 11u);
  EXPECT_EQ(options.config.restart_delay_ms_max, 22u);
  EXPECT_EQ(options.config.start_limit, 33u);
  EXPECT_EQ(options.config.start_limit_interval_ms, 44u);
  EXPECT_EQ(options.config.stop_timeout_ms, 55u);
  EXPECT_EQ(options.config.kill_timeout_ms, 66u);
  EXPECT_EQ(options.config.stop_timeout_ms_max, 77u);
  EXPECT_EQ(options.config.watchdog_ms, 88u);
  EXPECT_EQ(options.config.ready_timeout_ms, 99u);
  EXPECT_EQ(options.launch.stop_signal, SIGINT);
  EXPECT_EQ(options.launch.directory, "/tmp");
  EXPECT_EQ(options.launch.environment, (std::vector<std::string>{"A=1", "B=two words"}));
  EXPECT_EQ(options.environment_file, "vars.env");
  EXPECT_EQ(options.log_file, "out.log");
  EXPECT_EQ(options.log_format, "json");
  EXPECT_EQ(options.launch.command, (std::vector<std::string>{"worker", "--flag", "arg"}));
  EXPECT_EQ(options.launch.name, "pair-1");
}

TEST(ControllerCli, RestartModesAndSignalSpellings) {
  const auto never = parse_controller_command_line(command_line({"--name", "x", "--restart", "never"}));
  ASSERT_FALSE(never.exit.has_value());
  EXPECT_EQ(never.options.config.restart, RestartMode::never);
  for (const auto* spelling : {"KILL", "SIGKILL", "9"}) {
    const auto parsed = parse_controller_command_line(command_line({"--name", "x", "--stop-signal", spelling}));
    ASSERT_FALSE(parsed.exit.has_value()) << spelling;
    EXPECT_EQ(parsed.options.launch.stop_signal, SIGKILL) << spelling;
  }
}

// One value per --env: the words after its value are the command, with or without `--`.
TEST(ControllerCli, EnvTakesOneValueAndLeavesTheCommandAlone) {
  const auto parsed = parse_controller_command_line(command_line({"--name", "x", "--env", "K=V", "--", "sleep", "9"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  EXPECT_EQ(parsed.options.launch.environment, (std::vector<std::string>{"K=V"}));
  EXPECT_EQ(parsed.options.launch.command, (std::vector<std::string>{"sleep", "9"}));
  const auto without_separator =
      parse_controller_command_line(command_line({"--name", "x", "--env", "K=V", "sleep", "9"}));
  ASSERT_FALSE(without_separator.exit.has_value()) << without_separator.exit->message;
  EXPECT_EQ(without_separator.options.launch.environment, (std::vector<std::string>{"K=V"}));
  EXPECT_EQ(without_separator.options.launch.command, (std::vector<std::string>{"sleep", "9"}));
}

// `--env FOO=1 BAR=2 -- /bin/echo hi` ran a program named BAR=2 with the arguments /bin/echo hi: a
// command that starts with KEY=VALUE is a second value given to one --env. Refused, saying to repeat --env.
TEST(ControllerCli, SecondValueOfOneEnvIsRefusedNotRun) {
  for (const auto& argv : {command_line({"--name", "x", "--env", "FOO=1", "BAR=2", "--", "/bin/echo", "hi"}),
                           command_line({"--name", "x", "--env", "FOO=1", "BAR=2", "/bin/echo", "hi"})}) {
    const auto parsed = parse_controller_command_line(argv);
    expect_usage_error(parsed.exit, "'BAR=2' would run as the command: one KEY=VALUE per --env",
                       CliExit::Output::usage_event);
  }
  // Later words of the command are its own, even ones that look like options or assignments.
  const auto after =
      parse_controller_command_line(command_line({"--name", "x", "--", "/usr/bin/env", "A=1", "--", "x"}));
  ASSERT_FALSE(after.exit.has_value()) << after.exit->message;
  EXPECT_EQ(after.options.launch.command, (std::vector<std::string>{"/usr/bin/env", "A=1", "--", "x"}));
}

// The help shows one value per --env (it said `--env TEXT ...`, inviting several).
TEST(ControllerCli, HelpShowsOneValuePerEnv) {
  const auto help = parse_controller_command_line(command_line({"--help"}));
  ASSERT_TRUE(help.exit.has_value());
  EXPECT_NE(help.exit->message.find("--env KEY=VALUE"), std::string::npos) << help.exit->message;
  EXPECT_EQ(help.exit->message.find("--env TEXT ..."), std::string::npos) << help.exit->message;
}

// A refused entry is quoted as given: `--env =x` was reported as `--env '' is not a valid variable name`.
TEST(ControllerCli, RefusedEnvEntryIsQuotedAsGiven) {
  for (const char* entry : {"=x", "1A=b", "A-B=c", "novalue"}) {
    const auto parsed = parse_controller_command_line(command_line({"--name", "x", "--env", entry}));
    expect_usage_error(parsed.exit, std::string("--env '") + entry + "'", CliExit::Output::usage_event);
  }
}

TEST(ControllerCli, HelpAndVersionExitZeroOnStandardOutput) {
  testing::expect_help(parse_controller_command_line(command_line({"--help"})).exit, "--restart-delay-ms");
  // Every code the controller can exit with is listed (1, 66, 71 and 74 were missing).
  for (const char* code : {" 0 graceful", " 1 the worker failed", " 64 usage", " 65 bad segment", " 66 env file",
                           " 69 gave up", " 71 system error", " 73 name held", " 74 output", " 77 permission"}) {
    testing::expect_help(parse_controller_command_line(command_line({"--help"})).exit, code);
  }
  testing::expect_help(parse_controller_command_line(command_line({"--name", "x", "-h"})).exit, "--stop-signal");
  testing::expect_version(parse_controller_command_line(command_line({"--version"})).exit);
}

TEST(ControllerCli, ValuesCli11RefusesNameTheirOption) {
  struct Case {
    std::vector<const char*> arguments;
    const char* option;
  };
  const Case cases[] = {
      {{}, "--name"},
      {{"--name", ".hidden"}, "--name"},
      {{"--name", "a/b"}, "--name"},
      {{"--name", "x", "--restart", "sometimes"}, "--restart"},
      {{"--name", "x", "--start-limit", "0"}, "--start-limit"},
      {{"--name", "x", "--start-limit", "1001"}, "--start-limit"},
      {{"--name", "x", "--start-limit-interval-ms", "0"}, "--start-limit-interval-ms"},
      {{"--name", "x", "--restart-delay-ms", "-5"}, "--restart-delay-ms"},
      {{"--name", "x", "--stop-timeout-ms", "abc"}, "--stop-timeout-ms"},
      {{"--name", "x", "--watchdog-ms", "86400001"}, "--watchdog-ms"},
      {{"--name", "x", "--ready-timeout-ms", "99999999999999999999999"}, "--ready-timeout-ms"},
      {{"--name", "x", "--log-format", "xml"}, "--log-format"},
      {{"--name", "x", "--frobnicate"}, "--frobnicate"},
      // Unknown before missing: the unexpected option is named, not only the missing --name.
      {{"--frobnicate"}, "not expected: --frobnicate; --name is required"},
      {{"--name", "x", "--env"}, "--env"},
  };
  for (const auto& test_case : cases) {
    std::vector<const char*> argv{"tether-controller"};
    argv.insert(argv.end(), test_case.arguments.begin(), test_case.arguments.end());
    SCOPED_TRACE(test_case.option);
    expect_usage_error(parse_controller_command_line(argv).exit, test_case.option);
  }
}

// Problems across values, or in spellings CLI11 does not know, are logged as usage_error events; the
// name and the log format they are logged with were parsed.
TEST(ControllerCli, CrossChecksAreUsageEventsNamingTheOption) {
  const auto inverted = parse_controller_command_line(command_line(
      {"--name", "x", "--log-format", "json", "--restart-delay-ms", "500", "--restart-delay-max-ms", "100"}));
  expect_usage_error(inverted.exit, "--restart-delay-max-ms", CliExit::Output::usage_event);
  EXPECT_EQ(inverted.options.name, "x");
  EXPECT_EQ(inverted.options.log_format, "json");
  expect_usage_error(parse_controller_command_line(command_line({"--name", "x", "--stop-signal", "SIGNOPE"})).exit,
                     "--stop-signal", CliExit::Output::usage_event);
  expect_usage_error(parse_controller_command_line(command_line({"--name", "x", "--stop-signal", "0"})).exit,
                     "--stop-signal", CliExit::Output::usage_event);
  expect_usage_error(parse_controller_command_line(command_line({"--name", "x", "--env", "1A=b"})).exit, "--env",
                     CliExit::Output::usage_event);
  expect_usage_error(parse_controller_command_line(command_line({"--name", "x", "--env", "novalue"})).exit, "--env",
                     CliExit::Output::usage_event);
}

// The only check that reads the file system is a separate step, so that parsing itself stays pure.
TEST(ControllerCli, WorkingDirectoryMustExistAndBeADirectory) {
  const auto directory = std::filesystem::path(::testing::TempDir()) / "cli_controller_cwd";
  std::filesystem::create_directories(directory);
  const auto file = directory / "a_file";
  std::ofstream(file) << "x";
  const auto missing = directory / "absent";
  const auto check = [](const std::string& path) {
    const auto parsed = parse_controller_command_line(command_line({"--name", "x", "--cwd", path.c_str()}));
    EXPECT_FALSE(parsed.exit.has_value()) << "parsing does not look at the directory";
    return check_working_directory(parsed.options);
  };
  EXPECT_FALSE(check(directory.string()).has_value());
  expect_usage_error(check(missing.string()), "--cwd");
  expect_usage_error(check(file.string()), "--cwd");
  ControllerOptions without_cwd;
  EXPECT_FALSE(check_working_directory(without_cwd).has_value());
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace tether
