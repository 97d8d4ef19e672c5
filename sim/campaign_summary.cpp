#include "campaign_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/exit_codes.hpp"

#ifndef TETHER_SIM_TETHER_VERSION
#error "sim/CMakeLists.txt defines TETHER_SIM_TETHER_VERSION as the project's version"
#endif

namespace tether::sim {

namespace {

using Json = nlohmann::json;
constexpr std::size_t summary_nesting_max = 16;  // a summary nests 5 deep (findings' scenarios)

// A summary is validated field by field; the first problem ends the reading with a message naming the
// field. It is thrown only inside summary_from_json, which turns it into an error value.
struct BadSummary {
  std::string message;
};

const Json& field(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) throw BadSummary{fmt::format("missing \"{}\"", key)};
  return object.at(key);
}

std::uint64_t whole(const Json& object, const char* key,
                    std::uint64_t maximum = std::numeric_limits<std::uint64_t>::max()) {
  const Json& value = field(object, key);
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() > maximum) {
    throw BadSummary{fmt::format("\"{}\" must be a whole number from 0 to {}", key, maximum)};
  }
  return value.get<std::uint64_t>();
}

double seconds(const Json& object, const char* key) {
  const Json& value = field(object, key);
  if (!value.is_number() || value.get<double>() < 0 || !std::isfinite(value.get<double>())) {
    throw BadSummary{fmt::format("\"{}\" must be a number of seconds, 0 or more", key)};
  }
  return value.get<double>();
}

std::string text(const Json& object, const char* key) {
  const Json& value = field(object, key);
  if (!value.is_string()) throw BadSummary{fmt::format("\"{}\" must be a string", key)};
  return value.get<std::string>();
}

const Json& array(const Json& object, const char* key) {
  const Json& value = field(object, key);
  if (!value.is_array()) throw BadSummary{fmt::format("\"{}\" must be an array", key)};
  return value;
}

Json failure_json(const SweepFailure& failure) {
  return {{"seed", failure.seed},
          {"invariant", failure.violation.invariant},
          {"step", failure.violation.step},
          {"time_ns", failure.violation.time_ns},
          {"detail", failure.violation.detail}};
}

SweepFailure failure_from(const Json& object) {
  SweepFailure failure;
  failure.seed = whole(object, "seed");
  failure.violation.invariant = text(object, "invariant");
  if (std::find(invariant::all.begin(), invariant::all.end(), failure.violation.invariant) == invariant::all.end()) {
    throw BadSummary{fmt::format("unknown invariant \"{}\"", failure.violation.invariant)};
  }
  failure.violation.step = whole(object, "step");
  failure.violation.time_ns = whole(object, "time_ns");
  failure.violation.detail = text(object, "detail");
  return failure;
}

Json shard_json(const ShardRecord& shard) {
  Json record = {{"index", shard.index},         {"first_seed", shard.range.first_seed},
                 {"seeds", shard.range.seeds},   {"ran", shard.ran},
                 {"seeds_run", shard.seeds_run}, {"failures", shard.failures},
                 {"elapsed_s", shard.elapsed_s}};
  if (!shard.ran) {
    record["exit_code"] = shard.exit_code;
    record["log"] = shard.log;
  }
  return record;
}

ShardRecord shard_from(const Json& object) {
  ShardRecord shard;
  shard.index = whole(object, "index", shard_count_max - 1);
  shard.range.first_seed = whole(object, "first_seed");
  shard.range.seeds = whole(object, "seeds");
  const Json& ran = field(object, "ran");
  if (!ran.is_boolean()) throw BadSummary{std::string("\"ran\" must be true or false")};
  shard.ran = ran.get<bool>();
  shard.seeds_run = whole(object, "seeds_run", shard.range.seeds);
  shard.failures = whole(object, "failures", shard.seeds_run);
  shard.elapsed_s = seconds(object, "elapsed_s");
  if (!shard.ran) {
    shard.exit_code = static_cast<int>(whole(object, "exit_code", 255));
    shard.log = text(object, "log");
  }
  return shard;
}

Json finding_json(const Finding& finding) {
  return {{"invariant", finding.invariant},
          {"signature", finding.signature},
          {"count", finding.count},
          {"first_seed", finding.first_seed},
          {"steps", finding.steps},
          {"events", finding.events},
          {"scenario", Json::parse(scenario_to_json(finding.shortest))}};
}

Finding finding_from(const Json& object) {
  Finding finding;
  finding.invariant = text(object, "invariant");
  finding.signature = text(object, "signature");
  finding.count = whole(object, "count");
  if (finding.count == 0) throw BadSummary{std::string("a finding's \"count\" must be at least 1")};
  finding.first_seed = whole(object, "first_seed");
  finding.steps = whole(object, "steps");
  for (const Json& event : array(object, "events")) {
    if (!event.is_string()) throw BadSummary{std::string("\"events\" must be strings")};
    finding.events.push_back(event.get<std::string>());
  }
  auto scenario = scenario_from_json(field(object, "scenario").dump());
  if (!scenario) throw BadSummary{"finding scenario: " + scenario.error()};
  finding.shortest = std::move(scenario.value());
  if (!finding.shortest.violation || finding.shortest.violation->invariant != finding.invariant) {
    throw BadSummary{"a finding's scenario must record its violation of " + finding.invariant};
  }
  if (finding.signature != signature_of(finding.invariant, finding.events)) {
    throw BadSummary{fmt::format("finding {}: the signature does not match its events", finding.signature)};
  }
  return finding;
}

// Summaries written before PCT existed have no scheduler: they were swarm runs.
void read_scheduler(const Json& configuration, SchedulerConfig& scheduler) {
  if (!configuration.contains("scheduler")) return;
  const auto kind = parse_scheduler(text(configuration, "scheduler"));
  if (!kind) throw BadSummary{std::string("\"scheduler\" must be \"swarm\" or \"pct\"")};
  scheduler.kind = *kind;
  scheduler.pct_depth = static_cast<std::uint32_t>(whole(configuration, "pct_depth", SchedulerConfig::pct_depth_max));
  scheduler.pct_steps = whole(configuration, "pct_steps", SchedulerConfig::pct_steps_max);
}

void read_identity(const Json& document, CampaignSummary& summary) {
  summary.tether_version = text(document, "tether_version");
  const auto protocol = parse_protocol(text(document, "protocol"));
  if (!protocol) throw BadSummary{std::string("\"protocol\" must be \"tether\" or \"seed\"")};
  const auto mutant = parse_mutant(text(document, "mutant"));
  if (!mutant) throw BadSummary{std::string("unknown \"mutant\" (see `tether-sim mutants`)")};
  summary.config.protocol = *protocol;
  summary.config.mutant = *mutant;
  const Json& configuration = field(document, "configuration");
  summary.config.pid_count = static_cast<std::uint32_t>(whole(configuration, "pid_count", SimConfig::pid_count_max));
  summary.config.steps_max = whole(configuration, "steps_max", SimConfig::steps_max_max);
  summary.config.fault_phase_ms = whole(configuration, "fault_phase_ms", SimConfig::fault_phase_ms_max);
  read_scheduler(configuration, summary.config.scheduler);
  summary.determinism_every = whole(configuration, "check_determinism");
  summary.coverage_seeds_min = whole(configuration, "coverage_seeds_min");
  if (auto problem = summary.config.problem()) throw BadSummary{"configuration: " + problem->message};
}

void read_campaign(const Json& document, CampaignSummary& summary) {
  const Json& campaign = field(document, "campaign");
  summary.seed_start = whole(campaign, "seed_start");
  summary.seeds = whole(campaign, "seeds");
  summary.shard_count = whole(campaign, "shards", shard_count_max);
  if (auto checked = check_campaign(summary.seed_start, summary.seeds,
                                    ShardSpec{0, std::max<std::uint64_t>(1, summary.shard_count)});
      !checked || summary.shard_count == 0) {
    throw BadSummary{"campaign: " + (checked ? std::string("\"shards\" must be at least 1") : checked.error())};
  }
}

// Each shard must be the block the campaign assigns to its index (campaign_shard.hpp).
void check_shard_range(const CampaignSummary& summary, const ShardRecord& shard) {
  if (shard.index >= summary.shard_count) {
    throw BadSummary{fmt::format("shard {} is not one of the campaign's {} shards", shard.index, summary.shard_count)};
  }
  const SeedRange expected =
      shard_seeds(summary.seed_start, summary.seeds, ShardSpec{shard.index, summary.shard_count});
  if (shard.range.first_seed != expected.first_seed || shard.range.seeds != expected.seeds) {
    throw BadSummary{fmt::format("shard {}/{} covers seeds {}+{}, but the campaign gives it {}+{}", shard.index,
                                 summary.shard_count, shard.range.first_seed, shard.range.seeds, expected.first_seed,
                                 expected.seeds)};
  }
}

void read_totals(const Json& document, CampaignSummary& summary) {
  const Json& totals = field(document, "totals");
  summary.totals.config = summary.config;
  summary.totals.seeds_run = whole(totals, "seeds_run");
  summary.totals.steps = whole(totals, "steps");
  summary.totals.segment_ops = whole(totals, "segment_ops");
  summary.totals.liveness_skipped = whole(totals, "liveness_skipped");
  summary.totals.elapsed_s = seconds(totals, "elapsed_s");
  const Json& coverage = field(totals, "coverage");
  for (std::size_t i = 0; i < situation_count; ++i) {
    summary.totals.coverage[i] = whole(coverage, std::string(situation_name(static_cast<Situation>(i))).c_str());
  }
  if (coverage.size() != situation_count) throw BadSummary{std::string("\"coverage\" names an unknown situation")};
  for (const Json& line : array(totals, "nondeterminism")) {
    if (!line.is_string()) throw BadSummary{std::string("\"nondeterminism\" must be strings")};
    summary.totals.nondeterminism.push_back(line.get<std::string>());
  }
  const Json& violations = field(totals, "violations");
  if (!violations.is_object()) throw BadSummary{std::string("\"violations\" must be an object")};
  for (const auto& [name, count] : violations.items()) {
    if (std::find(invariant::all.begin(), invariant::all.end(), name) == invariant::all.end()) {
      throw BadSummary{fmt::format("\"violations\": unknown invariant \"{}\"", name)};
    }
    summary.violations[name] = whole(violations, name.c_str());
  }
  for (const Json& failure : array(document, "failures")) summary.totals.failures.push_back(failure_from(failure));
  if (summary.totals.failures.size() > failures_listed_max) throw BadSummary{std::string("too many \"failures\"")};
  for (const Json& failure : array(document, "first_failures")) {
    SweepFailure first = failure_from(failure);
    summary.first_failures[first.violation.invariant] = std::move(first);
  }
  for (const Json& finding : array(document, "findings")) summary.findings.push_back(finding_from(finding));
}

// The totals are the sum of the shards that ran, and every shard that ran swept its whole block (run
// refuses --stop-at-first with --summary): a summary that says otherwise was edited or is corrupt.
void check_totals(const CampaignSummary& summary) {
  std::uint64_t seeds_run = 0;
  std::uint64_t failures = 0;
  for (const ShardRecord& shard : summary.shards) {
    if (shard.ran && shard.seeds_run != shard.range.seeds) {
      throw BadSummary{fmt::format("shard {} ran {} of its {} seeds", shard.index, shard.seeds_run, shard.range.seeds)};
    }
    seeds_run += shard.seeds_run;
    failures += shard.failures;
  }
  if (seeds_run != summary.totals.seeds_run || failures != summary.failures_total()) {
    throw BadSummary{std::string("the totals are not the sum of the shards (seeds run, failing seeds)")};
  }
  const std::uint64_t listed = std::min<std::uint64_t>(failures, failures_listed_max);
  if (summary.totals.failures.size() != listed || summary.first_failures.size() != summary.violations.size()) {
    throw BadSummary{std::string("the failures listed do not match the violations counted")};
  }
  std::uint64_t in_findings = 0;
  for (const Finding& finding : summary.findings) in_findings += finding.count;
  if (in_findings != failures) throw BadSummary{std::string("the findings do not count every failing seed")};
}

// A failed shard's record, written by scripts/campaign-shard: only the campaign and the shard are known.
CampaignSummary failure_record_from(const Json& document) {
  CampaignSummary summary;
  read_campaign(document, summary);
  ShardRecord shard;
  shard.index = whole(document, "shard", shard_count_max - 1);
  shard.ran = false;
  shard.exit_code = static_cast<int>(whole(document, "exit_code", 255));
  shard.log = text(document, "log");
  if (shard.index < summary.shard_count) {
    shard.range = shard_seeds(summary.seed_start, summary.seeds, ShardSpec{shard.index, summary.shard_count});
  }
  check_shard_range(summary, shard);
  summary.shards.push_back(shard);
  return summary;
}

}  // namespace

std::string_view simulator_tether_version() { return TETHER_SIM_TETHER_VERSION; }

bool CampaignSummary::complete() const {
  return shards.size() == shard_count &&
         std::all_of(shards.begin(), shards.end(), [](const ShardRecord& shard) { return shard.ran; });
}

std::uint64_t CampaignSummary::failures_total() const {
  std::uint64_t total = 0;
  for (const auto& [name, count] : violations) total += count;
  return total;
}

CampaignSummary summary_of_run(const SweepSummary& sweep, std::uint64_t determinism_every,
                               std::uint64_t coverage_seeds_min, std::uint64_t seed_start, std::uint64_t seeds,
                               ShardSpec shard, std::vector<Finding> findings) {
  CampaignSummary summary;
  summary.tether_version = std::string(simulator_tether_version());
  summary.config = sweep.config;
  summary.determinism_every = determinism_every;
  summary.coverage_seeds_min = coverage_seeds_min;
  summary.seed_start = seed_start;
  summary.seeds = seeds;
  summary.shard_count = shard.count;
  ShardRecord record;
  record.index = shard.index;
  record.range = shard_seeds(seed_start, seeds, shard);
  record.seeds_run = sweep.seeds_run;
  record.failures = sweep.failures.size();
  record.elapsed_s = sweep.elapsed_s;
  summary.shards.push_back(record);
  summary.totals = sweep;
  summary.violations = sweep.violations_by_invariant();
  for (const SweepFailure& failure : sweep.failures)
    summary.first_failures.try_emplace(failure.violation.invariant, failure);
  if (summary.totals.failures.size() > failures_listed_max) summary.totals.failures.resize(failures_listed_max);
  summary.findings = group_findings(std::move(findings));
  return summary;
}

std::string summary_to_json(const CampaignSummary& summary) {
  Json shards = Json::array();
  for (const ShardRecord& shard : summary.shards) shards.push_back(shard_json(shard));
  Json coverage = Json::object();
  for (std::size_t i = 0; i < situation_count; ++i) {
    coverage[std::string(situation_name(static_cast<Situation>(i)))] = summary.totals.coverage[i];
  }
  Json failures = Json::array();
  for (const SweepFailure& failure : summary.totals.failures) failures.push_back(failure_json(failure));
  Json first_failures = Json::array();
  for (const auto& [name, failure] : summary.first_failures) first_failures.push_back(failure_json(failure));
  Json findings = Json::array();
  for (const Finding& finding : summary.findings) findings.push_back(finding_json(finding));
  const Json document = {
      {"format", summary_format_name},
      {"version", summary_format_version},
      {"tether_version", summary.tether_version},
      {"protocol", protocol_name(summary.config.protocol)},
      {"mutant", mutant_name(summary.config.mutant)},
      {"configuration",
       {{"pid_count", summary.config.pid_count},
        {"steps_max", summary.config.steps_max},
        {"fault_phase_ms", summary.config.fault_phase_ms},
        {"scheduler", scheduler_name(summary.config.scheduler.kind)},
        {"pct_depth", summary.config.scheduler.pct_depth},
        {"pct_steps", summary.config.scheduler.pct_steps},
        {"check_determinism", summary.determinism_every},
        {"coverage_seeds_min", summary.coverage_seeds_min}}},
      {"campaign", {{"seed_start", summary.seed_start}, {"seeds", summary.seeds}, {"shards", summary.shard_count}}},
      {"complete", summary.complete()},
      {"passed", summary.passed()},
      {"shards", shards},
      {"totals",
       {{"seeds_run", summary.totals.seeds_run},
        {"steps", summary.totals.steps},
        {"segment_ops", summary.totals.segment_ops},
        {"liveness_skipped", summary.totals.liveness_skipped},
        {"elapsed_s", summary.totals.elapsed_s},
        {"violations", summary.violations},
        {"nondeterminism", summary.totals.nondeterminism},
        {"missing_situations", summary.totals.missing_situations},
        {"coverage", coverage}}},
      {"failures", failures},
      {"first_failures", first_failures},
      {"findings", findings},
  };
  return document.dump(1) + "\n";
}

Result<LoadedSummary, std::string> summary_from_json(const std::string& json_text) {
  if (json_nested_too_deep(json_text, summary_nesting_max)) {
    return tether::fail(fmt::format("nested more than {} levels deep", summary_nesting_max));
  }
  const Json document = Json::parse(json_text, nullptr, false);
  if (document.is_discarded()) return tether::fail(std::string("not valid JSON"));
  try {
    const std::string format = text(document, "format");
    if (whole(document, "version") != summary_format_version) {
      throw BadSummary{fmt::format("summary format version {} is not {} (the version this tether-sim reads)",
                                   document.at("version").dump(), summary_format_version)};
    }
    LoadedSummary loaded;
    if (format == shard_failure_format_name) {
      loaded.summary = failure_record_from(document);
      loaded.identity_known = false;
      return loaded;
    }
    if (format != summary_format_name) {
      throw BadSummary{
          fmt::format("\"format\" must be \"{}\" or \"{}\"", summary_format_name, shard_failure_format_name)};
    }
    CampaignSummary& summary = loaded.summary;
    read_identity(document, summary);
    read_campaign(document, summary);
    for (const Json& shard : array(document, "shards")) {
      summary.shards.push_back(shard_from(shard));
      check_shard_range(summary, summary.shards.back());
    }
    read_totals(document, summary);
    check_totals(summary);
    summary.totals.missing_situations = missing_situations(summary.config, summary.totals.seeds_run,
                                                           summary.totals.coverage, summary.coverage_seeds_min);
    return loaded;
  } catch (const BadSummary& bad) {
    return tether::fail(bad.message);
  }
}

Result<LoadedSummary, FileError> load_summary(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return tether::fail(FileError{exit_code::no_input, fmt::format("{}: cannot open: {}", path, std::strerror(errno))});
  }
  // At most one byte past the limit is read: an endless file (/dev/zero) is refused after it.
  std::string contents(summary_file_bytes_max + 1, '\0');
  file.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  contents.resize(static_cast<std::size_t>(file.gcount()));
  if (file.bad() || contents.empty()) {
    return tether::fail(FileError{exit_code::no_input, fmt::format("{}: cannot read it, or it is empty", path)});
  }
  if (contents.size() > summary_file_bytes_max) {
    return tether::fail(FileError{
        exit_code::data_error, fmt::format("{}: larger than {} bytes; not a summary", path, summary_file_bytes_max)});
  }
  auto loaded = summary_from_json(contents);
  if (!loaded) return tether::fail(FileError{exit_code::data_error, fmt::format("{}: {}", path, loaded.error())});
  return std::move(loaded.value());
}

}  // namespace tether::sim
