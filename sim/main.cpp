// tether-sim: sweep seeds, replay, shrink and explore simulated runs of the tether protocol (or the
// seed design, or a planted bug), and merge campaign summaries (campaign_cli.hpp). Exit codes: 0 pass, 1
// an invariant failed (or a merged campaign is incomplete), 64 usage, 65 bad file (or a replay that does
// not reproduce the violation it records, or summaries that cannot be merged), 66 unreadable file, 73 an
// output file cannot be created, 74 output could not be written.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "campaign_cli.hpp"
#include "campaign_summary.hpp"
#include "check.hpp"
#include "validate.hpp"
#include "cli_report.hpp"
#include "core/exit_codes.hpp"
#include "explore.hpp"
#include "runner.hpp"
#include "scenario.hpp"
#include "shrink.hpp"
#include "sweep.hpp"

namespace {

using namespace tether;
using namespace tether::sim;

constexpr std::size_t scenario_files_max = 20;
// Bounds of the numeric options: enough for any sweep one would wait for (a billion seeds is about six
// hours at 50,000 seeds/s), small enough that a typo is refused instead of running for ever.
constexpr std::uint64_t seeds_max = 1'000'000'000;
constexpr std::uint64_t jobs_max = 1024;
constexpr std::uint64_t depth_max = 16;                  // the explorer's run limit ends the search long before
constexpr std::uint64_t states_max_max = 1'000'000'000;  // some 60 GB of visited set: beyond any machine here
constexpr std::uint64_t memory_mb_max_max = 1'048'576;   // 1 TiB
constexpr std::uint64_t unbounded = std::numeric_limits<std::uint64_t>::max();

// A whole decimal number in [minimum, maximum]. CLI11 alone reads "-5" into an unsigned option as
// 2^64 - 5 (a sweep that never ends) and an overflowing number as 2^64 - 1.
CLI::Validator bounded(std::uint64_t minimum, std::uint64_t maximum) {
  return CLI::Validator(
      [minimum, maximum](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc{} && stop == end && value >= minimum && value <= maximum) return {};
        return maximum == unbounded
                   ? fmt::format("must be a whole number from {} up, not '{}'", minimum, text)
                   : fmt::format("must be a whole number from {} to {}, not '{}'", minimum, maximum, text);
      },
      // Shown after the option's type in --help: "--seeds UINT:1-1000000000".
      maximum == unbounded ? std::string() : fmt::format("{}-{}", minimum, maximum));
}

void add_pids_option(CLI::App& command, std::uint32_t& pid_count) {
  command.add_option("--pids", pid_count, "size of the simulated pid space")
      ->check(bounded(SimConfig::pid_count_min, SimConfig::pid_count_max));
}

// --scheduler and PCT's parameters (run only: explore and check enumerate every schedule).
struct SchedulerOptions {
  std::string name = "swarm";
  CLI::Option* depth = nullptr;
  CLI::Option* steps = nullptr;
};

void add_scheduler_options(CLI::App& command, SchedulerOptions& options, SchedulerConfig& scheduler) {
  command.add_option("--scheduler", options.name, "swarm (random among the ready) or pct (docs/SIMULATOR.md)");
  options.depth = command.add_option("--pct-depth", scheduler.pct_depth, "PCT's depth d: d - 1 priority change points")
                      ->check(bounded(1, SchedulerConfig::pct_depth_max));
  options.steps = command.add_option("--pct-steps", scheduler.pct_steps, "the steps PCT's change points fall among")
                      ->check(bounded(1, SchedulerConfig::pct_steps_max));
}

std::optional<std::string> apply_scheduler(const SchedulerOptions& options, SchedulerConfig& scheduler) {
  const auto kind = parse_scheduler(options.name);
  if (!kind) return std::string("--scheduler must be swarm or pct");
  if (*kind != SchedulerKind::pct && (options.depth->count() > 0 || options.steps->count() > 0)) {
    return std::string("--pct-depth and --pct-steps apply only with --scheduler pct");
  }
  scheduler.kind = *kind;
  return std::nullopt;
}

// Says why a file could not be read or written, and returns its exit code.
int file_failed(const char* command, const FileError& error) {
  fmt::print(stderr, "tether-sim {}: {}\n", command, error.message);
  return error.exit_code;
}

struct CommonOptions {
  std::string protocol = "tether";
  std::string mutant = "none";
  std::vector<std::string> defences_off;  // --defence-off, repeatable
};

void add_defence_off_option(CLI::App& command, CommonOptions& common) {
  command.add_option("--defence-off", common.defences_off,
                     "switch this defence off (repeatable; the defence table in docs/PROTOCOL.md)");
}

// Turns the protocol/mutant names into a config, or explains which one is wrong.
std::optional<std::string> apply_common(const CommonOptions& common, SimConfig& config) {
  const auto protocol = parse_protocol(common.protocol);
  if (!protocol) return "--protocol must be tether or seed";
  const auto mutant = parse_mutant(common.mutant);
  if (!mutant) return "unknown --mutant (list them with `tether-sim mutants`)";
  for (const std::string& name : common.defences_off) {
    const auto defence = parse_defence(name);
    if (!defence) {
      return fmt::format("unknown --defence-off '{}' (one of: {})", name,
                         fmt::join(defence_names(all_defences_set), ", "));
    }
    config.defences_off |= defence_bit(*defence);
  }
  config.protocol = *protocol;
  config.mutant = *mutant;
  if (auto problem = config.problem()) return problem->message;
  return std::nullopt;
}

// Faults that found nothing to act on are counted, not shown: they say nothing about the run.
void print_timeline(const Trace& trace, Protocol protocol, std::size_t last_lines) {
  const auto& records = trace.records();
  const std::size_t first = last_lines != 0 && records.size() > last_lines ? records.size() - last_lines : 0;
  if (first > 0) fmt::print("... {} earlier events omitted (--last)\n", first);
  std::size_t idle_faults = 0;
  for (std::size_t i = first; i < records.size(); ++i) {
    if (records[i].idle) {
      ++idle_faults;
    } else {
      fmt::print("{}\n", timeline_line(records[i], protocol));
    }
  }
  if (idle_faults > 0) fmt::print("({} faults that found nothing to act on are not shown)\n", idle_faults);
}

int report_violation(const RunResult& result) {
  if (!result.violation) {
    fmt::print("no invariant violated ({} steps, {:.3f} ms of virtual time)\n", result.steps,
               static_cast<double>(result.end_time_ns) / 1e6);
    return exit_code::ok;
  }
  fmt::print("VIOLATED {} at step {} ({:.3f} ms): {}\n", result.violation->invariant, result.violation->step,
             static_cast<double>(result.violation->time_ns) / 1e6, result.violation->detail);
  return exit_code::failure;
}

// For the first failure of each invariant: shrink it and print its timeline, a short readable trace.
void explain_failures(const SimConfig& config, const SweepSummary& summary) {
  constexpr std::size_t explain_replays_max = 1500;
  for (const auto& [name, count] : summary.violations_by_invariant()) {
    const auto first = std::find_if(
        summary.failures.begin(), summary.failures.end(),
        // An init-capture: clang 14 cannot capture a structured binding.
        [&invariant = name](const SweepFailure& failure) { return failure.violation.invariant == invariant; });
    const auto shrunk = shrink(scenario_for_seed(config, first->seed), explain_replays_max);
    if (!shrunk) continue;
    fmt::print("\n=== {} (seed {}, shrunk to {} steps) ===\n", name, first->seed, shrunk.value().steps_after);
    Trace trace(true);
    const RunOutput output = run_decisions(shrunk.value().scenario.config, shrunk.value().scenario.decisions, trace);
    print_timeline(trace, config.protocol, 0);
    report_violation(output.result);
  }
}

// Which failing seeds get a scenario file: the first of every invariant, so that even the rarest has a
// replay line, then the earliest others up to scenario_files_max.
std::vector<bool> failures_with_files(const std::vector<SweepFailure>& failures) {
  std::vector<bool> wanted(failures.size(), false);
  std::set<std::string> invariants;
  for (std::size_t i = 0; i < failures.size(); ++i)
    wanted[i] = invariants.insert(failures[i].violation.invariant).second;
  std::size_t count = invariants.size();
  for (std::size_t i = 0; i < failures.size() && count < scenario_files_max; ++i) {
    if (!wanted[i]) {
      wanted[i] = true;
      ++count;
    }
  }
  return wanted;
}

// Writes the chosen failures' scenario files into `out_dir`, records their paths, and returns the exit
// code: `code` unless a directory or file could not be written.
int write_failure_scenarios(const SimConfig& config, const SweepSummary& summary, const std::string& out_dir,
                            ScenarioPaths& paths, int code) {
  const std::vector<bool> wanted = failures_with_files(summary.failures);
  for (std::size_t i = 0; i < summary.failures.size(); ++i) {
    if (!wanted[i]) continue;
    std::error_code error;
    std::filesystem::create_directories(out_dir, error);
    if (error) {
      return file_failed("run", FileError{exit_code::cant_create, fmt::format("{}: cannot create the directory: {}",
                                                                              out_dir, error.message())});
    }
    const SweepFailure& failure = summary.failures[i];
    const std::string mutant =
        config.mutant == Mutant::none ? std::string() : fmt::format("-{}", mutant_name(config.mutant));
    const std::string path = fmt::format("{}/{}{}-seed{}-{}.json", out_dir, protocol_name(config.protocol), mutant,
                                         failure.seed, failure.violation.invariant);
    const auto saved = save_scenario(path, scenario_for_seed(config, failure.seed));
    if (saved) {
      paths[i] = path;
    } else {
      code = file_failed("run", saved.error());
    }
  }
  return code;
}

int command_run(const CommonOptions& common, SimConfig config, std::optional<std::uint64_t> seed, std::uint64_t seeds,
                unsigned jobs, bool json, const std::string& out_dir, bool stop_at_first,
                std::uint64_t determinism_every, bool explain, CampaignRunOptions& campaign) {
  if (auto problem = apply_common(common, config)) {
    fmt::print(stderr, "tether-sim run: {}\n", *problem);
    return exit_code::usage;
  }
  // A campaign's summary records no defences, so its merged figures would pass for the whole protocol's.
  if (config.defences_off != 0 && (!campaign.summary_file.empty() || !campaign.shard.empty())) {
    fmt::print(stderr, "tether-sim run: --defence-off cannot be combined with --summary or --shard\n");
    return exit_code::usage;
  }
  SweepOptions options;
  options.config = config;
  options.first_seed = seed.value_or(1);
  options.seeds = seed ? 1 : seeds;
  options.jobs = jobs;
  options.stop_at_first = stop_at_first;
  options.determinism_every = determinism_every;
  campaign.stop_at_first = stop_at_first;
  if (seed) campaign.seed_start_text = std::to_string(*seed);  // --seed excludes --seed-start: a campaign of one
  const std::uint64_t campaign_seeds = options.seeds;
  if (auto problem = apply_campaign(campaign, options)) {
    fmt::print(stderr, "tether-sim run: {}\n", *problem);
    return exit_code::usage;
  }
  if (isatty(STDERR_FILENO) != 0 && !json) {
    options.progress = [](std::uint64_t done, std::uint64_t total) {
      fmt::print(stderr, "\r{} / {} seeds", done, total);
      if (done == total) fmt::print(stderr, "\n");
    };
  }
  const SweepSummary summary = run_sweep(options);
  ScenarioPaths paths(summary.failures.size());
  int code = summary.passed() ? exit_code::ok : exit_code::failure;
  if (!out_dir.empty()) code = write_failure_scenarios(config, summary, out_dir, paths, code);
  if (json) {
    fmt::print("{}\n", summary_json(summary, paths).dump());
  } else {
    fmt::print("{}", summary_text(summary, paths));
    if (explain) explain_failures(config, summary);
    if (!out_dir.empty() && summary.failures.size() > scenario_files_max) {
      fmt::print("(scenario files written for the first {} failures and the first of every invariant only)\n",
                 scenario_files_max);
    }
  }
  return finish_campaign_run(campaign, options, summary, campaign_seeds, json, code);
}

int command_replay(const std::string& file, const std::string& trace_out, std::size_t last_lines) {
  const auto scenario = load_scenario(file);
  if (!scenario) return file_failed("replay", scenario.error());
  const Scenario& loaded = scenario.value();
  fmt::print("replaying {}: protocol {}, mutant {}, seed {}, {} decisions\n", file,
             protocol_name(loaded.config.protocol), mutant_name(loaded.config.mutant), loaded.seed,
             loaded.decisions.size());
  Trace trace(true);
  const RunOutput output = run_decisions(loaded.config, loaded.decisions, trace);
  print_timeline(trace, loaded.config.protocol, last_lines);
  if (!trace_out.empty()) {
    if (const auto written = write_text_file(trace_out, chrome_trace(trace).dump() + "\n"); !written) {
      return file_failed("replay", written.error());
    }
    fmt::print("trace written to {} (open it in https://ui.perfetto.dev)\n", trace_out);
  }
  const int code = report_violation(output.result);
  // The file promises a violation; a replay that does not show it (the protocol or the simulator changed
  // since, or the file was edited) has not reproduced anything, and must not pass for a success.
  if (loaded.violation &&
      (!output.result.violation || output.result.violation->invariant != loaded.violation->invariant)) {
    fmt::print(stderr, "tether-sim replay: {}: NOT REPRODUCED: the file records {} at step {}; this replay {}\n", file,
               loaded.violation->invariant, loaded.violation->step,
               output.result.violation ? fmt::format("violated {} instead", output.result.violation->invariant)
                                       : std::string("violated nothing"));
    return exit_code::data_error;
  }
  return code;
}

int command_shrink(const std::string& file, const std::string& output_file) {
  const auto scenario = load_scenario(file);
  if (!scenario) return file_failed("shrink", scenario.error());
  const auto shrunk = shrink(scenario.value());
  if (!shrunk) {
    fmt::print(stderr, "tether-sim shrink: {}: {}\n", file, shrunk.error());
    return exit_code::data_error;
  }
  const ShrinkResult& result = shrunk.value();
  if (const auto saved = save_scenario(output_file, result.scenario); !saved)
    return file_failed("shrink", saved.error());
  fmt::print(
      "shrunk {} ({}): decisions {} -> {} (non-zero {} -> {}), steps {} -> {}, timeline {} -> {} lines, {} "
      "replays\nwritten to {}\n",
      file, result.scenario.violation->invariant, result.decisions_before, result.decisions_after,
      result.nonzero_before, result.nonzero_after, result.steps_before, result.steps_after, result.lines_before,
      result.lines_after, result.replays, output_file);
  return exit_code::ok;
}

// A search's shortest violating scenario: its timeline, its violation, and the file if asked for.
int report_found(const char* command, const Scenario& scenario, const std::string& output_file) {
  Trace trace(true);
  const RunOutput output = run_decisions(scenario.config, scenario.decisions, trace);
  print_timeline(trace, scenario.config.protocol, 0);
  const int code = report_violation(output.result);
  if (!output_file.empty()) {
    if (const auto saved = save_scenario(output_file, scenario); !saved) return file_failed(command, saved.error());
    fmt::print("scenario written to {}\n", output_file);
  }
  return code;
}

int command_explore(const CommonOptions& common, std::uint32_t depth, std::uint32_t crashes, std::uint32_t pid_count,
                    const std::string& output_file) {
  ExploreOptions options;
  options.config = small_world_config(crashes, pid_count);
  options.depth = depth;
  if (auto problem = apply_common(common, options.config)) {
    fmt::print(stderr, "tether-sim explore: {}\n", *problem);
    return exit_code::usage;
  }
  const ExploreResult result = explore(options);
  fmt::print("explored {} runs with up to {} deviations (preemptions, crashes){}\n", result.runs, result.depth_searched,
             result.complete ? "" : " (cut short by the run limit)");
  if (!result.shortest) {
    fmt::print("no invariant violated within the bound\n");
    return exit_code::ok;
  }
  return report_found("explore", *result.shortest, output_file);
}

int command_check(const CommonOptions& common, const CheckOptions& bounds, std::uint32_t crashes,
                  std::uint32_t pid_count, const FaultBounds& faults, const std::string& output_file) {
  CheckOptions options = bounds;
  options.config = small_world_config(crashes, pid_count);
  options.config.fault_bounds = faults;
  if (auto problem = apply_common(common, options.config)) {
    fmt::print(stderr, "tether-sim check: {}\n", *problem);
    return exit_code::usage;
  }
  if (!options.invariant.empty() &&
      std::find(invariant::all.begin(), invariant::all.end(), options.invariant) == invariant::all.end()) {
    fmt::print(stderr, "tether-sim check: unknown --invariant '{}' (one of: {})\n", options.invariant,
               fmt::join(invariant::all, ", "));
    return exit_code::usage;
  }
  const CheckResult result = check(options);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  // One line: the verdict on the bounded space, then the numbers that say how big it was.
  fmt::print(
      "check: {}: {} distinct states, {} transitions ({} revisits pruned{}{}), maximum depth {}, {:.0f} states/s, "
      "collision probability < {:.1e}, peak memory {} MiB (estimate {} MiB); bounds: depth {}, crashes {}, pids {}, "
      "{}\n",
      result.violation  ? "VIOLATION"
      : result.complete ? "complete"
                        : fmt::format("incomplete ({})", result.incomplete_reason),
      result.states, result.transitions, result.revisits,
      result.other_violations == 0 ? std::string()
                                   : fmt::format(", {} paths ended by other invariants", result.other_violations),
      options.reduction ? fmt::format(", {} asleep by the reduction", result.slept) : std::string(), result.max_depth,
      result.seconds > 0 ? static_cast<double>(result.states) / result.seconds : 0.0,
      collision_probability(result.states), usage.ru_maxrss / 1024, result.memory_bytes_peak >> 20, options.depth,
      crashes, pid_count, describe(faults));
  if (result.lasso) {
    // A path that never ends: its prefix, then a cycle back to the prefix's last state.
    fmt::print("LIVENESS: a path that never completes: prefix [{}], then for ever [{}]\n",
               fmt::join(result.lasso->prefix, ","), fmt::join(result.lasso->cycle, ","));
    if (!output_file.empty()) {
      Scenario lasso;
      lasso.config = options.config;
      lasso.decisions = result.lasso->prefix;
      lasso.decisions.insert(lasso.decisions.end(), result.lasso->cycle.begin(), result.lasso->cycle.end());
      if (const auto saved = save_scenario(output_file, lasso); !saved) return file_failed("check", saved.error());
      fmt::print("scenario (the prefix and the cycle once) written to {}\n", output_file);
    }
    return exit_code::failure;
  }
  if (result.liveness_judged && !result.lasso) {
    fmt::print("liveness: no cycle among {} states and {} edges: every path ends (at the final checkpoint)\n",
               result.states, result.edges);
  } else if (result.complete && !result.violation) {
    fmt::print("liveness: not judged under --reduce (a reduced graph may lack a cycle's edges)\n");
  }
  // A budget that ran out is no violation: 0, and the line says incomplete (ci/sim-check requires complete).
  if (!result.violation) return exit_code::ok;
  return report_found("check", *result.violation, output_file);
}

// Parses the command line and runs the subcommand; main checks that what it printed was written.
int run_command_line(int argc, char** argv) {
  CLI::App app{"tether-sim: deterministic simulation of the tether protocol"};
  app.set_version_flag("--version", std::string(simulator_tether_version()));
  // Every option's --help shows its default (the subcommands inherit this).
  app.option_defaults()->always_capture_default();
  app.require_subcommand(1);

  CommonOptions common;
  SimConfig config;
  std::optional<std::uint64_t> seed;
  std::uint64_t seeds = 1000;
  unsigned jobs = 1;
  bool json = false;
  std::string out_dir = "tether-sim-failures";
  bool stop_at_first = false;
  std::uint64_t determinism_every = 20;
  auto* run = app.add_subcommand("run", "sweep seeds and check every invariant");
  run->add_option("--protocol", common.protocol, "tether or seed");
  run->add_option("--mutant", common.mutant, "a planted bug (tether-sim mutants)");
  add_defence_off_option(*run, common);
  auto* seed_option = run->add_option("--seed", seed, "run this one seed")->check(bounded(0, unbounded));
  run->add_option("--seeds", seeds, "number of seeds, from 1")->excludes(seed_option)->check(bounded(1, seeds_max));
  run->add_option("--steps", config.steps_max, "step budget per run")->check(bounded(1, SimConfig::steps_max_max));
  add_pids_option(*run, config.pid_count);
  run->add_option("--fault-phase-ms", config.fault_phase_ms, "virtual duration of the fault phase")
      ->check(bounded(1, SimConfig::fault_phase_ms_max));
  run->add_option("--jobs", jobs, "threads")->check(bounded(1, jobs_max));
  run->add_flag("--json", json, "print the summary as one JSON object");
  auto* out_option =
      run->add_option("--out", out_dir, "directory for failing scenario files (with --findings: none unless given)");
  run->add_flag("--stop-at-first", stop_at_first, "stop at the first violation");
  run->add_option("--check-determinism", determinism_every, "run every Nth seed twice and compare (0: never)")
      ->check(bounded(0, unbounded));
  bool explain = false;
  run->add_flag("--explain", explain, "shrink the first failure of each invariant and print its timeline");
  SchedulerOptions scheduler_options;
  add_scheduler_options(*run, scheduler_options, config.scheduler);
  CampaignRunOptions campaign;
  add_campaign_run_options(*run, campaign, seed_option);
  MergeOptions merge_options;
  auto* merge = add_merge_command(app, merge_options);

  std::string file;
  std::string trace_out;
  std::size_t last_lines = 0;
  auto* replay = app.add_subcommand("replay", "re-run a scenario file exactly and print its timeline");
  replay->add_option("file", file, "scenario file")->required();
  replay->add_option("--trace-out", trace_out, "write a Chrome trace-event JSON (Perfetto)");
  replay->add_option("--last", last_lines, "print only the last N events (0: all)")->check(bounded(0, unbounded));

  std::string output_file;
  auto* shrink_command = app.add_subcommand("shrink", "minimise a failing scenario");
  shrink_command->add_option("file", file, "scenario file")->required();
  shrink_command->add_option("-o,--output", output_file, "where to write the minimal scenario")->required();

  std::uint32_t depth = 2;
  std::uint32_t crashes = 1;
  std::uint32_t explore_pids = 4;
  auto* explore_command = app.add_subcommand("explore", "enumerate interleavings and crash points (small world)");
  explore_command->add_option("--protocol", common.protocol, "tether or seed");
  explore_command->add_option("--mutant", common.mutant, "a planted bug");
  explore_command
      ->add_option("--depth", depth, "deviations from the default schedule per run (preemptions and crashes)")
      ->required()
      ->check(bounded(0, depth_max));
  explore_command->add_option("--crashes", crashes, "crash points the search may insert")
      ->check(bounded(0, SimConfig::crash_budget_max));
  add_pids_option(*explore_command, explore_pids);
  explore_command->add_option("-o,--output", output_file, "write the shortest failing scenario here");

  CheckOptions check_bounds;
  std::uint32_t check_crashes = 1;  // with the default faults about 30 s optimised (docs/SIMULATOR.md)
  std::uint32_t check_pids = 4;
  auto* check_command =
      app.add_subcommand("check", "explore every state of the small world within the bounds (visited set, BFS)");
  check_command->add_option("--protocol", common.protocol, "tether or seed");
  check_command->add_option("--mutant", common.mutant, "a planted bug");
  add_defence_off_option(*check_command, common);
  check_command->add_option("--depth", check_bounds.depth, "decisions deviating from 0 per path (preemptions, crashes)")
      ->capture_default_str()
      ->check(bounded(0, depth_max));
  check_command->add_option("--crashes", check_crashes, "crashes the search may insert per path")
      ->capture_default_str()
      ->check(bounded(0, SimConfig::crash_budget_max));
  add_pids_option(*check_command, check_pids);
  check_command
      ->add_option("--states-max", check_bounds.states_max, "stop (incomplete) after this many distinct states")
      ->capture_default_str()
      ->check(bounded(1, states_max_max));
  check_command
      ->add_option("--memory-mb-max", check_bounds.memory_mb_max,
                   "stop (incomplete) once the visited set and queue would need more")
      ->capture_default_str()
      ->check(bounded(1, memory_mb_max_max));
  FaultBounds check_faults = default_check_faults();
  for (const FaultBoundField& field : fault_bound_fields) {
    const std::uint64_t minimum = field.member == &FaultBounds::controllers ? 1 : 0;
    const std::uint64_t maximum =
        field.member == &FaultBounds::controllers ? FaultBounds::controllers_max : FaultBounds::per_kind_max;
    check_command->add_option(fmt::format("--{}", field.name), check_faults.*field.member, std::string(field.help))
        ->capture_default_str()
        ->check(bounded(minimum, maximum));
  }
  check_command->add_option("--invariant", check_bounds.invariant,
                            "look for a violation of this invariant only (paths violating others end there)");
  check_command->add_option("-o,--output", output_file, "write the shortest failing scenario here");
  check_command->add_flag("--reduce", check_bounds.reduction,
                          "partial-order reduction by sleep sets (liveness then not judged)");

  auto* mutants = app.add_subcommand("mutants", "list the planted bugs");

  std::vector<std::string> log_files;
  auto* validate = app.add_subcommand("validate", "check real runs' JSON event lines against the cores' rules");
  validate->add_option("logs", log_files, "log files of one pair's processes (stderr of the binaries)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Help to stdout (checked by main), usage errors to stderr.
    std::ostringstream output;
    std::ostringstream errors;
    const int code = app.exit(error, output, errors);
    fmt::print("{}", output.str());
    fmt::print(stderr, "{}", errors.str());
    return code == 0 ? exit_code::ok : exit_code::usage;
  }
  if (run->parsed()) {
    // A campaign's findings carry replayable scenarios: no per-seed files in the current directory too.
    if (out_option->count() == 0 && !campaign.findings_dir.empty()) out_dir.clear();
    if (auto problem = apply_scheduler(scheduler_options, config.scheduler)) {
      fmt::print(stderr, "tether-sim run: {}\n", *problem);
      return exit_code::usage;
    }
    return command_run(common, config, seed, seeds, jobs, json, out_dir, stop_at_first, determinism_every, explain,
                       campaign);
  }
  if (merge->parsed()) return command_merge(merge_options);
  if (replay->parsed()) return command_replay(file, trace_out, last_lines);
  if (shrink_command->parsed()) return command_shrink(file, output_file);
  if (explore_command->parsed()) return command_explore(common, depth, crashes, explore_pids, output_file);
  if (check_command->parsed()) {
    return command_check(common, check_bounds, check_crashes, check_pids, check_faults, output_file);
  }
  if (validate->parsed()) {
    const ValidationReport report = validate_logs(log_files);
    fmt::print(report.exit_code == 0 ? stdout : stderr, "{}\n", report.message);
    return report.exit_code;
  }
  if (mutants->parsed()) {
    for (const Mutant mutant : all_mutants) fmt::print("{}\n", mutant_name(mutant));
    return exit_code::ok;
  }
  return exit_code::usage;
}

}  // namespace

int main(int argc, char** argv) {
  const int code = run_command_line(argc, argv);
  // Everything printed on stdout is only known to be written once flushed: `run > /dev/full` fails here.
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    fmt::print(stderr, "tether-sim: cannot write standard output: {}\n", std::strerror(errno));
    return exit_code::io_error;
  }
  return code;
}
