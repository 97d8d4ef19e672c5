#include "findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "core/assert.hpp"
#include "core/exit_codes.hpp"
#include "runner.hpp"
#include "shrink.hpp"

namespace tether::sim {

namespace {

// "controller#3 pid 4" -> "controller": the kind of process, not which one.
std::string process_kind(const std::string& who) { return who.substr(0, who.find_first_of("# ")); }

// Drops digits (pids, times, generations, identities), then tokens left with no letter ("3/2" -> "/").
std::string without_numbers(const std::string& text) {
  std::string result;
  std::string token;
  const auto flush = [&] {
    if (std::any_of(token.begin(), token.end(),
                    [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; })) {
      result += result.empty() ? "" : " ";
      result += token;
    }
    token.clear();
  };
  for (const char c : text) {
    if (c == ' ') {
      flush();
    } else if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '#') {
      token += c;
    }
  }
  flush();
  return result;
}

// The protocol events a signature is made of: processes starting, spawning, ending, signalled and
// notified, the cores' events and the faults that did something to a process. Segment operations are
// left out (the cores' events say what they meant), and so are the simulator's own lines.
std::optional<std::string> protocol_event(const TraceRecord& record) {
  // The simulator's own lines ("fault start_controller") announce what the next line shows a process do.
  if (record.serial == 0) return std::nullopt;
  switch (record.op) {
    case TraceOp::event: {
      // "event stale_listener_cleared 3/2 value 0": the event's name is what matters.
      const std::size_t name_end = record.text.find(' ', sizeof("event"));
      return process_kind(record.who) + ": " + record.text.substr(0, name_end);
    }
    case TraceOp::fault:
      if (record.idle) return std::nullopt;
      [[fallthrough]];
    case TraceOp::start:
    case TraceOp::spawn:
    case TraceOp::spawn_failed:
    case TraceOp::exit:
    case TraceOp::killed:
    case TraceOp::signal:
    case TraceOp::notice: return process_kind(record.who) + ": " + without_numbers(record.text);
    default: return std::nullopt;
  }
}

// 64-bit FNV-1a: the signature must not depend on the standard library's std::hash.
std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  return (hash ^ 0xff) * 0x100000001b3;  // a separator, so that ("ab","c") and ("a","bc") differ
}

// The order that picks a group's representative: fewest steps, then the lowest seed.
bool shorter(const Finding& a, const Finding& b) {
  return std::tie(a.steps, a.shortest.seed) < std::tie(b.steps, b.shortest.seed);
}

Finding classify(const SimConfig& config, const SweepFailure& failure, std::size_t replays_max) {
  Scenario scenario = scenario_for_seed(config, failure.seed);
  if (auto shrunk = shrink(scenario, replays_max)) scenario = std::move(shrunk.value().scenario);
  TETHER_ASSERT(scenario.violation.has_value());
  Finding finding;
  finding.invariant = scenario.violation->invariant;
  finding.events = signature_events(scenario);
  finding.signature = signature_of(finding.invariant, finding.events);
  finding.count = 1;
  finding.first_seed = failure.seed;
  finding.steps = scenario.violation->step;
  finding.shortest = std::move(scenario);
  return finding;
}

std::string file_prefix(const SimConfig& config) {
  return config.mutant == Mutant::none
             ? std::string(protocol_name(config.protocol))
             : fmt::format("{}-{}", protocol_name(config.protocol), mutant_name(config.mutant));
}

}  // namespace

std::vector<std::string> signature_events(const Scenario& shrunk) {
  Trace trace(true);
  run_decisions(shrunk.config, shrunk.decisions, trace);
  std::vector<std::string> events;
  for (const TraceRecord& record : trace.records()) {
    auto event = protocol_event(record);
    // Repeats say nothing new (a burst of refused controllers is one event).
    if (event && (events.empty() || events.back() != *event)) events.push_back(std::move(*event));
  }
  if (events.size() > signature_events_max) {
    events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(signature_events_max));
  }
  return events;
}

std::string signature_of(std::string_view invariant, const std::vector<std::string>& events) {
  // The set, not the order: two controllers' steps interleave differently from seed to seed, and each
  // interleaving of one bug would otherwise be a finding of its own.
  const std::set<std::string> distinct(events.begin(), events.end());
  std::uint64_t hash = fnv1a(0xcbf29ce484222325, invariant);
  for (const std::string& event : distinct) hash = fnv1a(hash, event);
  return fmt::format("{:016x}", hash);
}

std::vector<Finding> classify_failures(const SimConfig& config, const std::vector<SweepFailure>& failures,
                                       unsigned jobs, std::size_t replays_max) {
  std::vector<Finding> classified(failures.size());
  std::atomic<std::size_t> next{0};
  // Each thread claims failures one at a time; every iteration claims one, so the loop is bounded.
  const auto work = [&] {
    for (std::size_t claimed = 0; claimed < failures.size(); ++claimed) {
      const std::size_t index = next.fetch_add(1);
      if (index >= failures.size()) break;
      classified[index] = classify(config, failures[index], replays_max);
    }
  };
  const unsigned threads_wanted =
      std::clamp<unsigned>(jobs, 1, static_cast<unsigned>(std::max<std::size_t>(1, failures.size())));
  std::vector<std::thread> threads;
  for (unsigned thread = 1; thread < threads_wanted; ++thread) threads.emplace_back(work);
  work();
  for (auto& thread : threads) thread.join();
  return group_findings(std::move(classified));
}

std::vector<Finding> group_findings(std::vector<Finding> findings) {
  std::map<std::pair<std::string, std::string>, Finding> groups;
  for (Finding& finding : findings) {
    auto key = std::make_pair(finding.invariant, finding.signature);
    auto [at, inserted] = groups.try_emplace(std::move(key), finding);
    if (inserted) continue;
    Finding& group = at->second;
    group.count += finding.count;
    group.first_seed = std::min(group.first_seed, finding.first_seed);
    if (shorter(finding, group)) {
      group.shortest = std::move(finding.shortest);
      group.steps = finding.steps;
      group.events = std::move(finding.events);
    }
  }
  std::vector<Finding> grouped;
  grouped.reserve(groups.size());
  for (auto& [key, finding] : groups) grouped.push_back(std::move(finding));
  return grouped;
}

Result<std::vector<std::string>, FileError> write_findings(const std::string& directory, const SimConfig& config,
                                                           const std::vector<Finding>& findings,
                                                           const std::map<std::string, SweepFailure>& first_failures) {
  std::vector<std::string> written;
  if (findings.empty() && first_failures.empty()) return written;
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return tether::fail(FileError{exit_code::cant_create,
                                  fmt::format("{}: cannot create the directory: {}", directory, error.message())});
  }
  const std::string prefix = file_prefix(config);
  for (const Finding& finding : findings) {
    nlohmann::json document = nlohmann::json::parse(scenario_to_json(finding.shortest));
    document["finding"] = {{"invariant", finding.invariant}, {"signature", finding.signature},
                           {"count", finding.count},         {"first_seed", finding.first_seed},
                           {"steps", finding.steps},         {"events", finding.events}};
    const std::string path = fmt::format("{}/{}-{}-{}.json", directory, prefix, finding.invariant, finding.signature);
    if (auto saved = write_text_file(path, document.dump(1) + "\n"); !saved) return tether::fail(saved.error());
    written.push_back(path);
  }
  for (const auto& [invariant_name, failure] : first_failures) {
    const std::string path = fmt::format("{}/{}-first-{}-seed{}.json", directory, prefix, invariant_name, failure.seed);
    if (auto saved = save_scenario(path, scenario_for_seed(config, failure.seed)); !saved)
      return tether::fail(saved.error());
    written.push_back(path);
  }
  return written;
}

}  // namespace tether::sim
