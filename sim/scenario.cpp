#include "scenario.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/exit_codes.hpp"

namespace tether::sim {

namespace {
constexpr std::string_view format_name = "tether-sim-scenario";
constexpr std::uint64_t format_version = 1;
constexpr std::size_t decisions_max = 50'000'000;
constexpr std::size_t nesting_max = 16;  // a scenario nests 3 deep; the parser recurses per level
}  // namespace

// The JSON parser recurses once per nesting level: refuse deep documents before they reach it.
bool json_nested_too_deep(const std::string& text, std::size_t depth_max) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') {
      if (++depth > depth_max) return true;
    }
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return false;
}

namespace {
using Json = nlohmann::json;

// Reads an unsigned field with bounds, or explains what is wrong with it.
Result<std::uint64_t, std::string> read_unsigned(const Json& object, const char* key, std::uint64_t max) {
  if (!object.contains(key)) return tether::fail(fmt::format("missing \"{}\"", key));
  const Json& value = object.at(key);
  if (!value.is_number_unsigned()) return tether::fail(fmt::format("\"{}\" must be a non-negative integer", key));
  const auto number = value.get<std::uint64_t>();
  if (number > max) return tether::fail(fmt::format("\"{}\" must be at most {}", key, max));
  return number;
}
}  // namespace

std::string scenario_to_json(const Scenario& scenario) {
  Json violation = nullptr;
  if (scenario.violation.has_value()) {
    violation = {{"invariant", scenario.violation->invariant},
                 {"step", scenario.violation->step},
                 {"time_ns", scenario.violation->time_ns},
                 {"detail", scenario.violation->detail}};
  }
  Json document = {
      {"format", format_name},
      {"version", format_version},
      {"protocol", protocol_name(scenario.config.protocol)},
      {"mutant", mutant_name(scenario.config.mutant)},
      {"configuration",
       {{"pid_count", scenario.config.pid_count},
        {"steps_max", scenario.config.steps_max},
        {"fault_phase_ms", scenario.config.fault_phase_ms},
        {"explore", scenario.config.explore},
        {"crash_budget", scenario.config.crash_budget}}},
      {"seed", scenario.seed},
      {"violation", violation},
      {"decisions", scenario.decisions},
  };
  // check's fault bounds, only when set: files of the other commands stay as they were.
  if (scenario.config.fault_bounds != FaultBounds{}) {
    Json bounds = Json::object();
    for (const FaultBoundField& field : fault_bound_fields)
      bounds[std::string(field.name)] = scenario.config.fault_bounds.*field.member;
    document["configuration"]["fault_bounds"] = bounds;
  }
  // Defences switched off, only when any is: files of the other commands stay as they were.
  if (scenario.config.defences_off != 0) document["defences_off"] = defence_names(scenario.config.defences_off);
  return document.dump(1) + "\n";
}

Result<Scenario, std::string> scenario_from_json(const std::string& text) {
  if (json_nested_too_deep(text, nesting_max))
    return tether::fail(fmt::format("nested more than {} levels deep", nesting_max));
  const Json document = Json::parse(text, nullptr, false);
  if (document.is_discarded()) return tether::fail(std::string("not valid JSON"));
  if (!document.is_object()) return tether::fail(std::string("the top level must be an object"));
  if (!document.contains("format") || !document.at("format").is_string() ||
      document.at("format").get<std::string>() != format_name) {
    return tether::fail(fmt::format("\"format\" must be \"{}\"", format_name));
  }
  auto version = read_unsigned(document, "version", format_version);
  if (!version) return tether::fail(version.error());
  if (version.value() != format_version) return tether::fail(std::string("unsupported \"version\""));

  Scenario scenario;
  if (!document.contains("protocol") || !document.at("protocol").is_string()) {
    return tether::fail(std::string("\"protocol\" must be \"tether\" or \"seed\""));
  }
  const auto protocol = parse_protocol(document.at("protocol").get<std::string>());
  if (!protocol) return tether::fail(std::string("\"protocol\" must be \"tether\" or \"seed\""));
  scenario.config.protocol = *protocol;
  if (!document.contains("mutant") || !document.at("mutant").is_string()) {
    return tether::fail(std::string("\"mutant\" must be a string (see `tether-sim mutants`)"));
  }
  const auto mutant = parse_mutant(document.at("mutant").get<std::string>());
  if (!mutant) return tether::fail(std::string("unknown \"mutant\" (see `tether-sim mutants`)"));
  scenario.config.mutant = *mutant;

  if (document.contains("defences_off")) {
    const Json& off = document.at("defences_off");
    if (!off.is_array()) return tether::fail(std::string("\"defences_off\" must be an array of defence names"));
    for (const Json& name : off) {
      const auto defence = name.is_string() ? parse_defence(name.get<std::string>()) : std::nullopt;
      if (!defence) return tether::fail(std::string("unknown defence in \"defences_off\""));
      scenario.config.defences_off |= defence_bit(*defence);
    }
  }

  if (!document.contains("configuration") || !document.at("configuration").is_object()) {
    return tether::fail(std::string("missing \"configuration\" object"));
  }
  const Json& configuration = document.at("configuration");
  auto pid_count = read_unsigned(configuration, "pid_count", SimConfig::pid_count_max);
  if (!pid_count) return tether::fail("configuration: " + pid_count.error());
  auto steps_max = read_unsigned(configuration, "steps_max", SimConfig::steps_max_max);
  if (!steps_max) return tether::fail("configuration: " + steps_max.error());
  auto fault_phase_ms = read_unsigned(configuration, "fault_phase_ms", SimConfig::fault_phase_ms_max);
  if (!fault_phase_ms) return tether::fail("configuration: " + fault_phase_ms.error());
  auto crash_budget = read_unsigned(configuration, "crash_budget", SimConfig::crash_budget_max);
  if (!crash_budget) return tether::fail("configuration: " + crash_budget.error());
  if (!configuration.contains("explore") || !configuration.at("explore").is_boolean()) {
    return tether::fail(std::string("configuration: \"explore\" must be true or false"));
  }
  scenario.config.pid_count = static_cast<std::uint32_t>(pid_count.value());
  scenario.config.steps_max = steps_max.value();
  scenario.config.fault_phase_ms = fault_phase_ms.value();
  scenario.config.crash_budget = static_cast<std::uint32_t>(crash_budget.value());
  scenario.config.explore = configuration.at("explore").get<bool>();
  if (configuration.contains("fault_bounds")) {
    const Json& bounds = configuration.at("fault_bounds");
    if (!bounds.is_object()) return tether::fail(std::string("configuration: \"fault_bounds\" must be an object"));
    for (const FaultBoundField& field : fault_bound_fields) {
      // A bound the file does not name keeps its default: files from before a kind existed still read.
      if (!bounds.contains(field.name)) continue;
      auto value = read_unsigned(bounds, std::string(field.name).c_str(), std::numeric_limits<std::uint32_t>::max());
      if (!value) return tether::fail("configuration: fault_bounds: " + value.error());
      scenario.config.fault_bounds.*field.member = static_cast<std::uint32_t>(value.value());
    }
  }
  if (auto problem = scenario.config.problem()) return tether::fail("configuration: " + problem->message);

  auto seed = read_unsigned(document, "seed", std::numeric_limits<std::uint64_t>::max());
  if (!seed) return tether::fail(seed.error());
  scenario.seed = seed.value();

  if (!document.contains("decisions") || !document.at("decisions").is_array()) {
    return tether::fail(std::string("\"decisions\" must be an array of non-negative integers"));
  }
  const Json& decisions = document.at("decisions");
  if (decisions.size() > decisions_max) return tether::fail(std::string("\"decisions\" is too long"));
  scenario.decisions.reserve(decisions.size());
  for (const Json& value : decisions) {
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
      return tether::fail(std::string("\"decisions\" must be an array of non-negative 32-bit integers"));
    }
    scenario.decisions.push_back(value.get<std::uint32_t>());
  }

  if (document.contains("violation") && !document.at("violation").is_null()) {
    const Json& violation = document.at("violation");
    if (!violation.is_object() || !violation.contains("invariant") || !violation.at("invariant").is_string()) {
      return tether::fail(std::string("\"violation\" must be null or an object with an \"invariant\" string"));
    }
    Violation recorded;
    recorded.invariant = violation.at("invariant").get<std::string>();
    auto step = read_unsigned(violation, "step", std::numeric_limits<std::uint64_t>::max());
    if (!step) return tether::fail("violation: " + step.error());
    recorded.step = step.value();
    if (violation.contains("time_ns") && violation.at("time_ns").is_number_unsigned()) {
      recorded.time_ns = violation.at("time_ns").get<std::uint64_t>();
    }
    if (violation.contains("detail") && violation.at("detail").is_string()) {
      recorded.detail = violation.at("detail").get<std::string>();
    }
    scenario.violation = recorded;
  }
  return scenario;
}

Result<Scenario, FileError> load_scenario(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return tether::fail(FileError{exit_code::no_input, fmt::format("{}: cannot open: {}", path, std::strerror(errno))});
  }
  // Read at most one byte past the limit: a huge file, or an endless one (/dev/zero), is refused after it.
  std::string text(scenario_file_bytes_max + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  // Reading a directory fails at once; an empty file reads nothing.
  if (file.bad() || text.empty()) {
    return tether::fail(FileError{exit_code::no_input, fmt::format("{}: cannot read it, or it is empty", path)});
  }
  if (text.size() > scenario_file_bytes_max) {
    return tether::fail(FileError{exit_code::data_error, fmt::format("{}: larger than {} bytes; not a scenario file",
                                                                     path, scenario_file_bytes_max)});
  }
  auto scenario = scenario_from_json(text);
  if (!scenario) return tether::fail(FileError{exit_code::data_error, fmt::format("{}: {}", path, scenario.error())});
  return std::move(scenario.value());
}

Result<Unit, FileError> write_text_file(const std::string& path, std::string_view text) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return tether::fail(
        FileError{exit_code::cant_create, fmt::format("{}: cannot create: {}", path, std::strerror(errno))});
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size() && std::fflush(file) == 0;
  const int write_error = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    return tether::fail(FileError{
        exit_code::io_error, fmt::format("{}: cannot write: {}", path, std::strerror(written ? errno : write_error))});
  }
  return Unit{};
}

Result<Unit, FileError> save_scenario(const std::string& path, const Scenario& scenario) {
  return write_text_file(path, scenario_to_json(scenario));
}

}  // namespace tether::sim
