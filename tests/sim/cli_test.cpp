// Goal: the tether-sim command line keeps its contract (exit codes, mutant list, JSON summary) and the
// regression corpus in tests/regressions still behaves as recorded. Method: run the built binary.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

#include "mutants.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace tether::sim {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;
};

Outcome run_cli(const std::string& arguments) {
  const std::string command = std::string(TETHER_SIM_BINARY) + " " + arguments + " 2>&1";
  Outcome outcome;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer{};
  for (int chunks = 0; chunks < 100000; ++chunks) {
    const std::size_t got = fread(buffer.data(), 1, buffer.size(), pipe);
    if (got == 0) break;
    outcome.output.append(buffer.data(), got);
  }
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::filesystem::path scratch_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("tether-sim-cli-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(SimCli, ListsEveryMutant) {
  const Outcome outcome = run_cli("mutants");
  EXPECT_EQ(outcome.exit_code, 0);
  for (const Mutant mutant : all_mutants) EXPECT_NE(outcome.output.find(mutant_name(mutant)), std::string::npos);
}

TEST(SimCli, BadScenarioFileExits65) {
  const auto path = scratch_dir() / "bad.json";
  { std::FILE* file = std::fopen(path.c_str(), "w"); std::fputs("{\"format\": 3}", file); std::fclose(file); }
  const Outcome outcome = run_cli("replay " + path.string());
  EXPECT_EQ(outcome.exit_code, 65) << outcome.output;
  EXPECT_NE(outcome.output.find("format"), std::string::npos);
  EXPECT_EQ(run_cli("replay /nonexistent.json").exit_code, 65);
  EXPECT_EQ(run_cli("shrink " + path.string() + " -o /dev/null").exit_code, 65);
}

TEST(SimCli, UsageErrorsExit64) {
  EXPECT_EQ(run_cli("run --protocol raft --seeds 1").exit_code, 64);
  EXPECT_EQ(run_cli("run --mutant typo --seeds 1").exit_code, 64);
  EXPECT_EQ(run_cli("frobnicate").exit_code, 64);
}

TEST(SimCli, JsonSummaryNamesFailuresAndTheirScenarioFiles) {
  const auto dir = scratch_dir() / "failures";
  const Outcome outcome = run_cli("run --protocol seed --seeds 100 --json --out " + dir.string());
  EXPECT_EQ(outcome.exit_code, 1);
  const auto summary = nlohmann::json::parse(outcome.output, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << outcome.output;
  for (const char* key : {"protocol", "mutant", "seeds", "steps", "elapsed_s", "violations"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  ASSERT_FALSE(summary["violations"].empty());
  const auto& first = summary["violations"][0];
  ASSERT_TRUE(first["scenario"].is_string());
  const Outcome replay = run_cli("replay " + first["scenario"].get<std::string>() + " --last 5");
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_NE(replay.output.find(first["invariant"].get<std::string>()), std::string::npos);
}

TEST(SimCli, ExplainPrintsAShrunkTraceOfEachInvariant) {
  const Outcome outcome = run_cli("run --protocol seed --seeds 40 --explain --out " + (scratch_dir() / "explain").string());
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.output.find("=== shutdown_lost"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("VIOLATED shutdown_lost"), std::string::npos);
}

TEST(SimCli, ExploreFindsTheSeedRaceAndPassesOurs) {
  const Outcome seed = run_cli("explore --protocol seed --depth 1");
  EXPECT_EQ(seed.exit_code, 1);
  EXPECT_NE(seed.output.find("VIOLATED shutdown_lost"), std::string::npos);
  const Outcome ours = run_cli("explore --depth 1");
  EXPECT_EQ(ours.exit_code, 0) << ours.output;
}

TEST(SimCli, TetherSweepPasses) {
  const Outcome outcome = run_cli("run --seeds 200 --json");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
}

// The corpus: shrunk scenarios. Files of our protocol without a mutant record failures that were fixed
// and must now pass; the others (the seed design, planted bugs) must still fail as recorded.
TEST(SimRegressions, CorpusReplaysAsRecorded) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TETHER_REGRESSIONS_DIR)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const auto scenario = load_scenario(entry.path().string());
    ASSERT_TRUE(scenario.ok()) << scenario.error();
    const Scenario& loaded = scenario.value();
    Trace trace;
    const RunOutput output = run_decisions(loaded.config, loaded.decisions, trace);
    const bool fixed = loaded.config.protocol == Protocol::tether && loaded.config.mutant == Mutant::none;
    if (fixed) {
      EXPECT_FALSE(output.result.violation.has_value())
          << entry.path() << " fails again: " << output.result.violation->detail;
    } else {
      ASSERT_TRUE(loaded.violation.has_value()) << entry.path();
      ASSERT_TRUE(output.result.violation.has_value()) << entry.path() << " no longer fails";
      EXPECT_EQ(output.result.violation->invariant, loaded.violation->invariant) << entry.path();
    }
  }
  EXPECT_GE(files, 3u);
}

}  // namespace
}  // namespace tether::sim
