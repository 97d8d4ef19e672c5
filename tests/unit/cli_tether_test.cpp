// Goal: `tether`'s command line selects exactly one subcommand with its name and flags, and refuses bad
// names, values and missing subcommands with EX_USAGE (64) and a message saying what is wrong.
// Method: literal argvs through parse_tether_command_line.
#include <gtest/gtest.h>

#include "apps/shutdown_wait.hpp"
#include "apps/tether_cli.hpp"
#include "cli_test_support.hpp"

namespace tether {
namespace {

using testing::command_line;
using testing::expect_usage_error;
using Subcommand = TetherCommand::Subcommand;

TEST(TetherCli, StatusTakesANameAndJson) {
  const auto parsed = parse_tether_command_line(command_line({"status", "demo", "--json"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  EXPECT_EQ(parsed.options.subcommand, Subcommand::status);
  EXPECT_EQ(parsed.options.name, "demo");
  EXPECT_TRUE(parsed.options.json);
  const auto text = parse_tether_command_line(command_line({"status", "demo"}));
  ASSERT_FALSE(text.exit.has_value());
  EXPECT_FALSE(text.options.json);
}

TEST(TetherCli, ListNeedsNoName) {
  const auto parsed = parse_tether_command_line(command_line({"list"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  EXPECT_EQ(parsed.options.subcommand, Subcommand::list);
  EXPECT_EQ(parsed.options.name, "");
  EXPECT_FALSE(parsed.options.json);
  EXPECT_TRUE(parse_tether_command_line(command_line({"list", "--json"})).options.json);
}

TEST(TetherCli, ShutdownWaitsOnlyWhenAskedWithItsTimeout) {
  const auto plain = parse_tether_command_line(command_line({"shutdown", "demo"}));
  ASSERT_FALSE(plain.exit.has_value()) << plain.exit->message;
  EXPECT_EQ(plain.options.subcommand, Subcommand::shutdown);
  EXPECT_EQ(plain.options.name, "demo");
  EXPECT_FALSE(plain.options.wait);
  EXPECT_EQ(plain.options.timeout_ms, 30000u);
  EXPECT_FALSE(plain.options.timeout_given) << "the default follows the controller's deadline";
  const auto waiting = parse_tether_command_line(command_line({"shutdown", "--wait", "--timeout-ms", "250", "demo"}));
  ASSERT_FALSE(waiting.exit.has_value()) << waiting.exit->message;
  EXPECT_TRUE(waiting.options.wait);
  EXPECT_EQ(waiting.options.timeout_ms, 250u);
  EXPECT_TRUE(waiting.options.timeout_given);
  // Given as the default's value, it is still given: the user asked for exactly that bound.
  const auto explicit_default =
      parse_tether_command_line(command_line({"shutdown", "--wait", "--timeout-ms", "30000", "demo"}));
  ASSERT_FALSE(explicit_default.exit.has_value()) << explicit_default.exit->message;
  EXPECT_TRUE(explicit_default.options.timeout_given);
}

TEST(ShutdownWait, AGivenTimeoutIsKeptAndTheDefaultStretchesToTheControllersDeadline) {
  constexpr std::uint64_t start_ns = 1'000'000'000;
  constexpr std::uint64_t own_ns = start_ns + 30000 * 1'000'000ull;
  // No stop deadline reported (an older controller, or none seen yet): the timeout alone.
  EXPECT_EQ(shutdown_wait_deadline_ns(start_ns, 30000, false, 0), own_ns);
  // A controller deadline before our own: ours.
  EXPECT_EQ(shutdown_wait_deadline_ns(start_ns, 30000, false, start_ns + 1'000'000), own_ns);
  // A later one, with the timeout not given: the controller's, plus its time to exit.
  const std::uint64_t late_ns = start_ns + 65000 * 1'000'000ull;
  EXPECT_EQ(shutdown_wait_deadline_ns(start_ns, 30000, false, late_ns), late_ns + controller_exit_grace_ms * 1'000'000);
  // Given: kept, however late the controller's.
  EXPECT_EQ(shutdown_wait_deadline_ns(start_ns, 30000, true, late_ns), own_ns);
  EXPECT_EQ(shutdown_wait_deadline_ns(start_ns, 5, true, late_ns), start_ns + 5'000'000);
  // The end of time stays there.
  EXPECT_EQ(shutdown_wait_deadline_ns(start_ns, 30000, false, UINT64_MAX), UINT64_MAX);
}

TEST(TetherCli, CleanTakesAName) {
  const auto parsed = parse_tether_command_line(command_line({"clean", "old-pair"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  EXPECT_EQ(parsed.options.subcommand, Subcommand::clean);
  EXPECT_EQ(parsed.options.name, "old-pair");
}

TEST(TetherCli, WaitTakesANameAStateAndATimeout) {
  const auto plain = parse_tether_command_line(command_line({"wait", "demo"}));
  ASSERT_FALSE(plain.exit.has_value()) << plain.exit->message;
  EXPECT_EQ(plain.options.subcommand, Subcommand::wait);
  EXPECT_EQ(plain.options.name, "demo");
  EXPECT_EQ(plain.options.wait_state, WaitState::running);
  EXPECT_EQ(plain.options.timeout_ms, 30000u);
  const std::pair<const char*, WaitState> states[] = {{"running", WaitState::running},
                                                      {"registered", WaitState::registered},
                                                      {"working", WaitState::working},
                                                      {"idle", WaitState::idle},
                                                      {"gone", WaitState::gone}};
  for (const auto& [word, state] : states) {
    const auto parsed = parse_tether_command_line(command_line({"wait", "demo", "--state", word, "--timeout-ms", "5"}));
    ASSERT_FALSE(parsed.exit.has_value()) << word << ": " << parsed.exit->message;
    EXPECT_EQ(parsed.options.wait_state, state) << word;
    EXPECT_EQ(wait_state_name(state), word);
    EXPECT_EQ(parsed.options.timeout_ms, 5u);
  }
  expect_usage_error(parse_tether_command_line(command_line({"wait", "demo", "--state", "asleep"})).exit, "--state");
  expect_usage_error(parse_tether_command_line(command_line({"wait", "demo", "--timeout-ms", "0"})).exit,
                     "--timeout-ms");
  expect_usage_error(parse_tether_command_line(command_line({"wait"})).exit, "name");
  // The default is shown as the word it is (it was shown as a raw byte).
  testing::expect_help(parse_tether_command_line(command_line({"wait", "--help"})).exit, "=running");
}

TEST(TetherCli, HelpAndVersionExitZeroOnStandardOutput) {
  testing::expect_help(parse_tether_command_line(command_line({"--help"})).exit, "shutdown");
  testing::expect_help(parse_tether_command_line(command_line({"shutdown", "--help"})).exit, "--timeout-ms");
  testing::expect_version(parse_tether_command_line(command_line({"--version"})).exit);
}

TEST(TetherCli, RefusalsSayWhatIsWrong) {
  expect_usage_error(parse_tether_command_line(command_line({})).exit, "subcommand");
  // An unknown word is named, with the commands there are (CLI11 alone said "A subcommand is required").
  expect_usage_error(parse_tether_command_line(command_line({"restart", "x"})).exit,
                     "unknown command 'restart'; the commands are status, list, shutdown, clean and wait");
  expect_usage_error(parse_tether_command_line(command_line({"bogus"})).exit, "unknown command 'bogus'");
  expect_usage_error(parse_tether_command_line(command_line({"--json"})).exit, "subcommand");
  expect_usage_error(parse_tether_command_line(command_line({"status"})).exit, "name");
  // An unknown option is named, even when a required argument is missing too (it was reported only as a
  // missing name).
  expect_usage_error(parse_tether_command_line(command_line({"status", "--jsn"})).exit,
                     "The following argument was not expected: --jsn; name is required");
  // Named in the order given (CLI11 alone listed them last first).
  expect_usage_error(parse_tether_command_line(command_line({"shutdown", "-x", "-y"})).exit,
                     "The following arguments were not expected: -x -y; name is required");
  expect_usage_error(parse_tether_command_line(command_line({"shutdown", "x", "-a", "-b"})).exit,
                     "The following arguments were not expected: -a -b\nRun with --help");
  expect_usage_error(parse_tether_command_line(command_line({"--json"})).exit, "not expected: --json");
  expect_usage_error(parse_tether_command_line(command_line({"status", ".hidden"})).exit, "name");
  expect_usage_error(parse_tether_command_line(command_line({"clean", "a/b"})).exit, "name");
  expect_usage_error(parse_tether_command_line(command_line({"shutdown", "x", "--timeout-ms", "0"})).exit,
                     "--timeout-ms");
  expect_usage_error(parse_tether_command_line(command_line({"shutdown", "x", "--timeout-ms", "86400001"})).exit,
                     "--timeout-ms");
  expect_usage_error(parse_tether_command_line(command_line({"list", "--wait"})).exit, "--wait");
}

}  // namespace
}  // namespace tether
