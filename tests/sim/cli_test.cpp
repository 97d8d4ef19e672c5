// Goal: the tether-sim command line keeps its contract (exit codes, mutant list, JSON summary) and the
// regression corpus in tests/regressions still behaves as recorded. Method: run the built binary.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <utility>
#include <vector>

#include "mutants.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace tether::sim {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;
};

// Runs tether-sim with its stderr (and, unless `stdout_to` names a file, its stdout) captured. A run that
// does not end within a minute is killed (exit code 124, from timeout(1)).
Outcome run_cli(const std::string& arguments, const std::string& stdout_to = "") {
  const std::string command = "timeout 60 " + std::string(TETHER_SIM_BINARY) + " " + arguments + " 2>&1" +
                              (stdout_to.empty() ? "" : " >" + stdout_to);
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

std::filesystem::path scratch_root() {
  return std::filesystem::temp_directory_path() / ("tether-sim-cli-test-" + std::to_string(getpid()));
}

std::filesystem::path scratch_dir() {
  const auto dir = scratch_root();
  std::filesystem::create_directories(dir);
  return dir;
}

// Removes the scratch directory once every test has run: the tests leave nothing behind.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_root(), ignored);
  }
};
const auto* const scratch_cleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr) << path;
  EXPECT_EQ(std::fwrite(text.data(), 1, text.size(), file), text.size());
  EXPECT_EQ(std::fclose(file), 0);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string regression(const std::string& file) { return std::string(TETHER_REGRESSIONS_DIR) + "/" + file; }

TEST(SimCli, ListsEveryMutant) {
  const Outcome outcome = run_cli("mutants");
  EXPECT_EQ(outcome.exit_code, 0);
  for (const Mutant mutant : all_mutants) EXPECT_NE(outcome.output.find(mutant_name(mutant)), std::string::npos);
}

// There was no --version, and --help showed no defaults.
TEST(SimCli, VersionAndDefaultsAreShown) {
  const Outcome version = run_cli("--version");
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_TRUE(contains(version.output, TETHER_TEST_VERSION)) << version.output;
  const Outcome help = run_cli("run --help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_TRUE(contains(help.output, "--seeds UINT:1-1000000000=1000")) << help.output;
  EXPECT_TRUE(contains(help.output, "--protocol TEXT=tether")) << help.output;
}

TEST(SimCli, BadScenarioFileExits65) {
  const auto path = scratch_dir() / "bad.json";
  write_file(path, "{\"format\": 3}");
  const Outcome outcome = run_cli("replay " + path.string());
  EXPECT_EQ(outcome.exit_code, 65) << outcome.output;
  EXPECT_NE(outcome.output.find("format"), std::string::npos);
  EXPECT_EQ(run_cli("shrink " + path.string() + " -o /dev/null").exit_code, 65);
}

// EX_NOINPUT, as the README's exit codes say (it was 65, the code of a file that is not valid).
TEST(SimCli, MissingScenarioFileExits66) {
  for (const char* command : {"replay /nonexistent.json", "shrink /nonexistent.json -o /dev/null"}) {
    const Outcome outcome = run_cli(command);
    EXPECT_EQ(outcome.exit_code, 66) << command << ": " << outcome.output;
    EXPECT_TRUE(contains(outcome.output, "/nonexistent.json: cannot open: No such file")) << outcome.output;
  }
}

// A 90 MB file took 6.3 s and 1.29 GB to replay; a file over the limit is refused before it is parsed
// (here a valid scenario padded with whitespace, which JSON allows).
TEST(SimCli, OversizedScenarioFileIsRefused) {
  std::FILE* source = std::fopen(regression("seed-shutdown_lost.json").c_str(), "r");
  ASSERT_NE(source, nullptr);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), source));
  std::fclose(source);
  const auto path = scratch_dir() / "huge.json";
  write_file(path, text + std::string(scenario_file_bytes_max, ' '));
  for (const std::string& command : {"replay " + path.string(), "shrink " + path.string() + " -o /dev/null"}) {
    const Outcome outcome = run_cli(command);
    EXPECT_EQ(outcome.exit_code, 65) << command << outcome.output;
    EXPECT_TRUE(contains(outcome.output, "larger than 8388608 bytes")) << outcome.output;
  }
}

// A replay that does not show the violation its file records reproduced nothing: it must not exit 0.
// A fixed bug's regression file records what it violated before the fix, and replays clean today.
TEST(SimCli, ReplayThatDoesNotReproduceItsViolationFails) {
  const Outcome fixed = run_cli("replay " + regression("tether-tool_posts_into_recreated_segment.json"));
  EXPECT_EQ(fixed.exit_code, 65) << fixed.output;
  EXPECT_TRUE(contains(fixed.output,
                       "NOT REPRODUCED: the file records shutdown_lost at step 26; this replay "
                       "violated nothing"))
      << fixed.output;
  // The seed's lost shutdown, relabelled: the replay violates shutdown_lost, not the recorded torn_unit.
  auto relabelled = load_scenario(regression("seed-shutdown_lost.json"));
  ASSERT_TRUE(relabelled.ok()) << relabelled.error().message;
  relabelled.value().violation->invariant = "torn_unit";
  const auto path = scratch_dir() / "relabelled.json";
  write_file(path, scenario_to_json(relabelled.value()));
  const Outcome other = run_cli("replay " + path.string());
  EXPECT_EQ(other.exit_code, 65) << other.output;
  EXPECT_TRUE(contains(other.output, "records torn_unit at step 5; this replay violated shutdown_lost instead"))
      << other.output;
  // Reproduced as recorded: exit 1, the invariant failed.
  EXPECT_EQ(run_cli("replay " + regression("seed-shutdown_lost.json")).exit_code, 1);
}

// Every numeric option takes a whole number in its range. `--seeds -5` used to run 2^64 - 5 seeds (it
// never ended), `--seeds 0` and `--jobs 0` passed having run nothing.
TEST(SimCli, NumericOptionsOutsideTheirRangeAreUsageErrors) {
  const std::string scenario = regression("seed-shutdown_lost.json");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"run --seeds -5", "--seeds"},
      {"run --seeds 0", "--seeds"},
      {"run --seeds 18446744073709551615", "--seeds"},
      {"run --seeds 99999999999999999999999", "--seeds"},
      {"run --seeds 1e3", "--seeds"},
      {"run --seed -1", "--seed"},
      {"run --jobs 0", "--jobs"},
      {"run --jobs -2", "--jobs"},
      {"run --jobs 100000", "--jobs"},
      {"run --steps 0", "--steps"},
      {"run --steps -1", "--steps"},
      {"run --pids 2", "--pids"},
      {"run --pids -6", "--pids"},
      {"run --fault-phase-ms 0", "--fault-phase-ms"},
      {"run --fault-phase-ms -3000", "--fault-phase-ms"},
      {"run --check-determinism -1", "--check-determinism"},
      {"replay " + scenario + " --last -1", "--last"},
      {"explore --depth -1", "--depth"},
      {"explore --depth 1000", "--depth"},
      {"explore --depth 1 --crashes -1", "--crashes"},
      {"explore --depth 1 --crashes 9", "--crashes"},
      {"explore --depth 1 --pids 0", "--pids"},
      {"check --launches 5", "--launches"},
      {"check --controllers 0", "--controllers"},
      {"check --controllers 5", "--controllers"},
      {"check --shutdowns -1", "--shutdowns"},
      {"check --cleans 9", "--cleans"},
      {"check --removals x", "--removals"},
      {"check --listener-faults 5", "--listener-faults"},
      {"check --strangers 99999999999", "--strangers"},
  };
  for (const auto& [arguments, option] : refused) {
    const Outcome outcome = run_cli(arguments);
    EXPECT_EQ(outcome.exit_code, 64) << arguments << ": " << outcome.output;
    EXPECT_TRUE(contains(outcome.output, option + ": must be a whole number from"))
        << arguments << ": " << outcome.output;
  }
  EXPECT_EQ(run_cli("run --seed 0 --pids 3 --check-determinism 0 --fault-phase-ms 1 --jobs 1").exit_code, 0);
}

// Output that cannot be written is EX_IOERR (74) with the file named, never "written to /dev/full".
TEST(SimCli, OutputThatCannotBeWrittenExits74) {
  const std::string scenario = regression("seed-shutdown_lost.json");
  const std::vector<std::pair<std::string, std::string>> to_files = {
      {"shrink " + scenario + " -o /dev/full", "tether-sim shrink: /dev/full: cannot write: No space left"},
      {"explore --protocol seed --depth 0 -o /dev/full", "tether-sim explore: /dev/full: cannot write: No space left"},
      {"replay " + scenario + " --trace-out /dev/full", "tether-sim replay: /dev/full: cannot write: No space left"},
      {"shrink " + scenario + " -o /nonexistent/min.json", "/nonexistent/min.json: cannot create: No such file"},
  };
  for (const auto& [arguments, message] : to_files) {
    const Outcome outcome = run_cli(arguments);
    EXPECT_EQ(outcome.exit_code, contains(message, "cannot create") ? 73 : 74) << arguments << ": " << outcome.output;
    EXPECT_TRUE(contains(outcome.output, message)) << arguments << ": " << outcome.output;
    EXPECT_FALSE(contains(outcome.output, "written to")) << arguments << ": " << outcome.output;
  }
  const auto blocked = scratch_dir() / "a-file";
  write_file(blocked, "not a directory");
  const Outcome run = run_cli("run --protocol seed --seeds 20 --out " + blocked.string());
  EXPECT_EQ(run.exit_code, 73) << run.output;
  EXPECT_TRUE(contains(run.output, blocked.string() + ": cannot create the directory")) << run.output;
  for (const std::string& arguments :
       std::vector<std::string>{"run --seeds 3", "run --seeds 3 --json", "mutants", "--help", "replay " + scenario}) {
    const Outcome outcome = run_cli(arguments, "/dev/full");
    EXPECT_EQ(outcome.exit_code, 74) << arguments << ": " << outcome.output;
    EXPECT_TRUE(contains(outcome.output, "tether-sim: cannot write standard output: No space left")) << outcome.output;
  }
}

TEST(SimCli, UsageErrorsExit64) {
  EXPECT_EQ(run_cli("run --protocol raft --seeds 1").exit_code, 64);
  EXPECT_EQ(run_cli("run --mutant typo --seeds 1").exit_code, 64);
  EXPECT_EQ(run_cli("frobnicate").exit_code, 64);
  // A defence's name is checked, and the message names the option and every valid name.
  const Outcome bad_defence = run_cli("check --defence-off gate --depth 0");
  EXPECT_EQ(bad_defence.exit_code, 64);
  EXPECT_NE(bad_defence.output.find("--defence-off"), std::string::npos) << bad_defence.output;
  EXPECT_NE(bad_defence.output.find("registration_recheck"), std::string::npos) << bad_defence.output;
  EXPECT_EQ(run_cli("run --defence-off bogus --seeds 1").exit_code, 64);
}

TEST(SimCli, SchedulerIsChosenAndNamed) {
  EXPECT_EQ(run_cli("run --scheduler fifo --seeds 1").exit_code, 64);
  const Outcome stray = run_cli("run --pct-depth 2 --seeds 1");
  EXPECT_EQ(stray.exit_code, 64);
  EXPECT_NE(stray.output.find("only with --scheduler pct"), std::string::npos) << stray.output;
  EXPECT_EQ(run_cli("run --scheduler pct --pct-depth 0 --seeds 1").exit_code, 64);
  EXPECT_EQ(run_cli("run --scheduler pct --pct-depth 9 --seeds 1").exit_code, 64);
  EXPECT_EQ(run_cli("run --scheduler pct --pct-steps 0 --seeds 1").exit_code, 64);
  const Outcome pct = run_cli("run --scheduler pct --pct-depth 2 --seeds 50");
  EXPECT_EQ(pct.exit_code, 0) << pct.output;
  EXPECT_NE(pct.output.find("mutant none, scheduler pct (depth 2, 150 steps): 50 seeds"), std::string::npos)
      << pct.output;
  const Outcome swarm = run_cli("run --seeds 5");
  EXPECT_NE(swarm.output.find("mutant none: 5 seeds"), std::string::npos) << swarm.output;
  const auto summary =
      nlohmann::json::parse(run_cli("run --scheduler pct --pct-steps 90 --seeds 5 --json").output, nullptr, false);
  ASSERT_FALSE(summary.is_discarded());
  EXPECT_EQ(summary["scheduler"], "pct (depth 3, 90 steps)");
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

// 94 seeds of the seed design fail, the first duplicate_listener being the 52nd (seed 164): beyond the
// first 20 failures, it still gets its scenario file.
TEST(SimCli, EveryInvariantKeepsItsFirstScenarioFile) {
  const auto dir = scratch_dir() / "every-invariant";
  const Outcome outcome = run_cli("run --protocol seed --seeds 300 --json --out " + dir.string());
  EXPECT_EQ(outcome.exit_code, 1);
  const auto summary = nlohmann::json::parse(outcome.output, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << outcome.output;
  std::map<std::string, bool> first_has_file;
  std::size_t files = 0;
  for (const auto& failure : summary["violations"]) {
    const bool has_file = failure["scenario"].is_string();
    if (has_file) {
      ++files;
      EXPECT_TRUE(std::filesystem::exists(failure["scenario"].get<std::string>()));
    }
    first_has_file.try_emplace(failure["invariant"].get<std::string>(), has_file);
  }
  EXPECT_TRUE(first_has_file.contains("duplicate_listener"));
  for (const auto& [invariant, has_file] : first_has_file) EXPECT_TRUE(has_file) << invariant;
  EXPECT_EQ(files, 20U);  // the rare invariant's file takes the place of a common one
}

// With --findings, a campaign writes its findings and no per-seed files into the current directory.
TEST(SimCli, FindingsWithoutOutWriteNoPerSeedFiles) {
  const std::filesystem::path default_out = "tether-sim-failures";
  const bool existed = std::filesystem::exists(default_out);
  const auto findings = scratch_dir() / "findings";
  const Outcome outcome = run_cli("run --protocol seed --seeds 30 --findings " + findings.string());
  EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
  EXPECT_FALSE(std::filesystem::is_empty(findings));
  EXPECT_EQ(std::filesystem::exists(default_out), existed);
  if (!existed) std::filesystem::remove_all(default_out);
}

TEST(SimCli, ExplainPrintsAShrunkTraceOfEachInvariant) {
  const Outcome outcome =
      run_cli("run --protocol seed --seeds 40 --explain --out " + (scratch_dir() / "explain").string());
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
// The seed's lost shutdown drew faults that found no listener to kill: the timeline counts them
// instead of showing each, and still shows the fault that mattered.
TEST(SimCli, ReplayTimelineLeavesOutFaultsThatDidNothing) {
  const Outcome replay = run_cli("replay " + regression("seed-shutdown_lost.json"));
  EXPECT_EQ(replay.exit_code, 1) << replay.output;
  EXPECT_FALSE(contains(replay.output, "nothing to do")) << replay.output;
  EXPECT_TRUE(contains(replay.output, "faults that found nothing to act on are not shown")) << replay.output;
  EXPECT_TRUE(contains(replay.output, "fault shutdown_tool")) << replay.output;
}

TEST(SimRegressions, CorpusReplaysAsRecorded) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TETHER_REGRESSIONS_DIR)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const auto scenario = load_scenario(entry.path().string());
    ASSERT_TRUE(scenario.ok()) << scenario.error().message;
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
