// Goal: `tether status` explains an outage and a running pair (issue 16): during a restart delay it
// names the last exit and when it was, the pending restart and its delay, the consecutive failures and
// what the start limit still allows; for a running worker its uptime and command; the same in --json.
// Method: real controllers over plain workers that fail or run, judged through `tether status`.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

TEST(StatusOutage, ARestartDelayShowsTheLastExitAndTheRestartToCome) {
  Cleanup cleanup;
  const auto name = cleanup.name("outage");
  Process pair(controller_argv(name,
                               {"--restart-delay-ms", "20000", "--restart-delay-max-ms", "20000", "--start-limit", "4"},
                               {"/bin/sh", "-c", "exit 3"}));
  std::optional<nlohmann::json> status;
  ASSERT_TRUE(wait_until([&] {
    status = status_json(name);
    return status.has_value() && (*status)["restart_in_ms"].is_number();
  })) << pair.log();
  EXPECT_EQ((*status)["last_exit"], nlohmann::json({{"code", 3}})) << status->dump();
  EXPECT_LE((*status)["last_exit_age_ms"].get<std::uint64_t>(), 20000u) << status->dump();
  const auto restart_in_ms = (*status)["restart_in_ms"].get<std::uint64_t>();
  EXPECT_GT(restart_in_ms, 0u) << status->dump();
  EXPECT_LE(restart_in_ms, 20000u) << status->dump();
  EXPECT_EQ((*status)["consecutive_failures"], 1) << status->dump();
  EXPECT_EQ((*status)["starts_left"], 3) << "one of four starts used: " << status->dump();
  EXPECT_TRUE((*status)["uptime_ms"].is_null()) << "no worker runs: " << status->dump();
  EXPECT_TRUE((*status)["command"].is_null()) << status->dump();

  const auto text = run({binary("tether"), "status", name});
  EXPECT_EQ(text.exit_code, 3) << "no live listener: " << text.output;
  EXPECT_TRUE(contains(text.output, "last exit code 3 ")) << text.output;
  EXPECT_TRUE(contains(text.output, "restart in ")) << text.output;
  EXPECT_TRUE(contains(text.output, "(consecutive failures 1, starts left 3)")) << text.output;

  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

TEST(StatusOutage, ARunningWorkerShowsItsUptimeAndCommand) {
  Cleanup cleanup;
  const auto name = cleanup.name("uptime");
  Process pair(controller_argv(name, {}, {"/bin/sleep", "600"}));
  std::optional<nlohmann::json> status;
  ASSERT_TRUE(wait_until([&] {
    status = status_json(name);
    return status.has_value() && (*status)["uptime_ms"].is_number() && (*status)["command"] == "/bin/sleep 600";
  })) << pair.log()
      << (status ? status->dump() : "");
  EXPECT_TRUE((*status)["last_exit"].is_null()) << "nothing has exited: " << status->dump();
  EXPECT_TRUE((*status)["restart_in_ms"].is_null()) << status->dump();
  EXPECT_EQ((*status)["consecutive_failures"], 0) << status->dump();
  // Uptime grows with the worker's age.
  const auto first_ms = (*status)["uptime_ms"].get<std::uint64_t>();
  ASSERT_TRUE(wait_until([&] {
    status = status_json(name);
    return status.has_value() && (*status)["uptime_ms"].is_number() &&
           (*status)["uptime_ms"].get<std::uint64_t>() >= first_ms + 100;
  })) << status->dump();
  const auto text = run({binary("tether"), "status", name});
  EXPECT_TRUE(contains(text.output, ", up ")) << text.output;
  EXPECT_TRUE(contains(text.output, "command \"/bin/sleep 600\"")) << text.output;
  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(nothing_left_behind());
}

}  // namespace
}  // namespace tether::testing
