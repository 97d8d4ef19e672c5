// Goal: scenario files round-trip, and every malformed file is refused with a message, never a crash.
// Method: serialise a recorded scenario, parse it back, then feed a catalogue of broken documents.
#include <gtest/gtest.h>

#include "scenario.hpp"
#include "sweep.hpp"

namespace tether::sim {
namespace {

TEST(SimScenario, RoundTripsThroughJson) {
  SimConfig config;
  config.mutant = Mutant::registration_clears_shutdown;
  const Scenario original = scenario_for_seed(config, 3);
  const auto parsed = scenario_from_json(scenario_to_json(original));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value().decisions, original.decisions);
  EXPECT_EQ(parsed.value().seed, 3u);
  EXPECT_EQ(parsed.value().config.mutant, Mutant::registration_clears_shutdown);
  EXPECT_EQ(parsed.value().config.steps_max, config.steps_max);
}

TEST(SimScenario, RefusesMalformedDocuments) {
  const std::string valid_head =
      R"({"format":"tether-sim-scenario","version":1,"protocol":"tether","mutant":"none",)"
      R"("configuration":{"pid_count":6,"steps_max":100,"fault_phase_ms":100,"explore":false,"crash_budget":0},)";
  const std::vector<std::string> broken = {
      "",
      "not json",
      "[]",
      R"({"format":"something-else"})",
      valid_head + R"("seed":1})",                               // no decisions
      valid_head + R"("seed":1,"decisions":[1,-2]})",            // negative decision
      valid_head + R"("seed":1,"decisions":[1,99999999999]})",   // beyond 32 bits
      valid_head + R"("seed":"one","decisions":[]})",            // seed of the wrong type
      valid_head + R"("seed":1,"decisions":"0,1"})",             // decisions not an array
      valid_head + R"("seed":1,"decisions":[],"violation":7})",  // violation of the wrong type
      R"({"format":"tether-sim-scenario","version":2})",         // unknown version
      R"({"format":"tether-sim-scenario","version":1,"protocol":"raft","mutant":"none"})",
      R"({"format":"tether-sim-scenario","version":1,"protocol":"tether","mutant":"typo"})",
      R"({"format":"tether-sim-scenario","version":1,"protocol":"tether","mutant":"none",)"
      R"("configuration":{"pid_count":1,"steps_max":100,"fault_phase_ms":100,"explore":false,"crash_budget":0},)"
      R"("seed":1,"decisions":[]})",  // pid space too small
      R"({"format":"tether-sim-scenario","version":1,"protocol":"seed","mutant":"no_controller_lock",)"
      R"("configuration":{"pid_count":6,"steps_max":100,"fault_phase_ms":100,"explore":false,"crash_budget":0},)"
      R"("seed":1,"decisions":[]})",  // mutants belong to our protocol
  };
  for (const std::string& text : broken) {
    const auto parsed = scenario_from_json(text);
    EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.error().empty());
    }
  }
  const auto accepted = scenario_from_json(valid_head + R"("seed":1,"decisions":[]})");
  EXPECT_TRUE(accepted.ok()) << accepted.error();
}

TEST(SimScenario, MissingFileIsAnError) {
  const auto loaded = load_scenario("/nonexistent/tether-sim/scenario.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("cannot open"), std::string::npos);
  EXPECT_EQ(loaded.error().exit_code, 66);
}

// A directory opens as a stream but cannot be read: said so, not reported as bad JSON.
TEST(SimScenario, DirectoryIsAnErrorNamingIt) {
  const auto loaded = load_scenario("/");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("cannot read"), std::string::npos) << loaded.error().message;
}

}  // namespace
}  // namespace tether::sim
