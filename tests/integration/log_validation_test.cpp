// Goal: the harness holds every controller's log to the cores' rules at the end of its test (issue 14:
// the integration suite's real runs are validated, not only chaos's). Method: a process that writes a
// listener's unit before its registration to stderr (a history no core produces) must fail the test
// that started it, naming the rule; one that writes a valid history must not.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include "harness.hpp"

namespace tether::testing {
namespace {

std::string listener_line(std::uint64_t seq, const std::string& event, const std::string& more) {
  return R"({"program":"tether-listener","pid":20,"start":1020,"seq":)" + std::to_string(seq) + R"(,"mono_ns":)" +
         std::to_string(100 * seq) + R"(,"name":"pair","event":")" + event + R"(","time":"2026-12-07T00:00:00.000Z")" +
         more + "}";
}

// Runs a process whose stderr is exactly `lines`, to its end and its log's validation.
void log_and_end(const std::string& lines) {
  Process writer({"/bin/sh", "-c", "printf '%s\\n' \"$0\" >&2", lines});
  ASSERT_TRUE(writer.wait_exit().has_value());
}

void log_a_unit_before_registration() { log_and_end(listener_line(1, "unit_started", R"(,"unit":1)")); }

bool validator_built() { return access(binary("tether-sim").c_str(), X_OK) == 0; }

TEST(LogValidation, AProcessWhoseLogBreaksTheCoresRulesFailsItsTest) {
  if (!validator_built()) GTEST_SKIP() << "built without the simulator: no validator";
  EXPECT_NONFATAL_FAILURE(log_a_unit_before_registration(), "grammar");
}

TEST(LogValidation, AValidHistoryPasses) {
  if (!validator_built()) GTEST_SKIP() << "built without the simulator: no validator";
  log_and_end(listener_line(1, "registered", "") + "\n" + listener_line(2, "unit_started", R"(,"unit":1)"));
}

}  // namespace
}  // namespace tether::testing
