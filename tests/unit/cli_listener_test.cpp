// Goal: tether-listener's command line maps each option into ListenerOptions, keeps the documented
// defaults and refuses bad values with EX_USAGE (64) naming the option. Method: literal argvs.
#include <gtest/gtest.h>

#include "apps/listener_cli.hpp"
#include "cli_test_support.hpp"

namespace tether {
namespace {

using testing::command_line;
using testing::expect_usage_error;

TEST(ListenerCli, NoArgumentsGiveTheDefaults) {
  const auto parsed = parse_listener_command_line(command_line({}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  EXPECT_EQ(parsed.options.name, "") << "empty: the listener takes $TETHER_NAME";
  const WorkerConfig defaults;
  EXPECT_EQ(parsed.options.worker.work_ms, defaults.work_ms);
  EXPECT_EQ(parsed.options.worker.units, 0u);
  EXPECT_EQ(parsed.options.worker.idle_ms, 0u);
  EXPECT_EQ(parsed.options.heartbeat_ms, 1000u);
  EXPECT_EQ(parsed.options.log_format, "text");
}

TEST(ListenerCli, EveryOptionLandsInItsField) {
  const auto parsed =
      parse_listener_command_line(command_line({"--name", "w.1", "--work-ms", "12", "--units", "3", "--idle-ms", "45",
                                                "--heartbeat-ms", "6", "--log-format", "json"}));
  ASSERT_FALSE(parsed.exit.has_value()) << parsed.exit->message;
  EXPECT_EQ(parsed.options.name, "w.1");
  EXPECT_EQ(parsed.options.worker.work_ms, 12u);
  EXPECT_EQ(parsed.options.worker.units, 3u);
  EXPECT_EQ(parsed.options.worker.idle_ms, 45u);
  EXPECT_EQ(parsed.options.heartbeat_ms, 6u);
  EXPECT_EQ(parsed.options.log_format, "json");
}

TEST(ListenerCli, HelpAndVersionExitZeroOnStandardOutput) {
  testing::expect_help(parse_listener_command_line(command_line({"--help"})).exit, "--heartbeat-ms");
  testing::expect_version(parse_listener_command_line(command_line({"--version"})).exit);
}

TEST(ListenerCli, BadValuesNameTheirOption) {
  expect_usage_error(parse_listener_command_line(command_line({"--name", ".x"})).exit, "--name");
  expect_usage_error(parse_listener_command_line(command_line({"--work-ms", "86400001"})).exit, "--work-ms");
  expect_usage_error(parse_listener_command_line(command_line({"--idle-ms", "-1"})).exit, "--idle-ms");
  expect_usage_error(parse_listener_command_line(command_line({"--heartbeat-ms", "0"})).exit, "--heartbeat-ms");
  expect_usage_error(parse_listener_command_line(command_line({"--units", "many"})).exit, "--units");
  expect_usage_error(parse_listener_command_line(command_line({"--units", "-1"})).exit, "--units");
  expect_usage_error(parse_listener_command_line(command_line({"--units", " -1"})).exit, "--units");
  expect_usage_error(parse_listener_command_line(command_line({"--log-format", "yaml"})).exit, "--log-format");
  expect_usage_error(parse_listener_command_line(command_line({"stray"})).exit, "stray");
}

}  // namespace
}  // namespace tether
