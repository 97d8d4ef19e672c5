#include "validate.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <tuple>

#include "validate_lines.hpp"
#include "validate_rules.hpp"

namespace tether::sim {

namespace {

constexpr int exit_valid = 0;
constexpr int exit_rejected = 65;

using ProcessKey = std::tuple<std::string, std::int64_t, std::uint64_t>;  // program, pid, start
ProcessKey key_of(const LogLine& line) { return {line.program, line.pid, line.start}; }

struct Rejection {
  const LogLine* line;
  std::string rule;
  std::string detail;
};

std::string where(const std::vector<std::string>& paths, const LogLine& line) {
  return fmt::format("{}:{}", paths[line.file], line.line_number);
}

// Within one file a process's lines appear in the order it wrote them: its seq grows by one from line
// to line of that file (or more, when its other lines went to another file) and its clock never goes
// back. A reordered line breaks this where it lands.
std::optional<Rejection> check_file_order(const std::vector<LogLine>& lines) {
  std::map<ProcessKey, const LogLine*> last;
  for (const LogLine& line : lines) {
    if (!line.json) continue;
    auto& previous = last[key_of(line)];
    if (previous != nullptr && (line.seq <= previous->seq || line.mono_ns < previous->mono_ns)) {
      return Rejection{
          &line, "line_order",
          fmt::format("{} pid {}: seq {} (mono_ns {}) follows seq {} (mono_ns {}) of line {}: out of order",
                      line.program, line.pid, line.seq, line.mono_ns, previous->seq, previous->mono_ns,
                      previous->line_number)};
    }
    previous = &line;
  }
  return std::nullopt;
}

// One pair's history: JSON lines merged by their monotonic time (ties by file and line), text lines in
// their file's order (they carry no clock, so they must all come from one file).
std::variant<std::vector<const LogLine*>, std::string> merge(const std::vector<const LogLine*>& lines,
                                                             const std::string& name) {
  const bool all_json = std::all_of(lines.begin(), lines.end(), [](const LogLine* line) { return line->json; });
  const bool all_text = std::none_of(lines.begin(), lines.end(), [](const LogLine* line) { return line->json; });
  if (!all_json && !all_text) {
    return fmt::format("pair '{}' mixes text and JSON lines: text lines carry no clock to merge them by", name);
  }
  std::vector<const LogLine*> merged = lines;
  if (all_text) {
    const std::size_t file = merged.front()->file;
    if (std::any_of(merged.begin(), merged.end(), [&](const LogLine* line) { return line->file != file; })) {
      return fmt::format(
          "pair '{}' has text lines in more than one file: without a clock they cannot be merged "
          "(run the binaries with --log-format json)",
          name);
    }
    return merged;  // already in file order
  }
  std::stable_sort(merged.begin(), merged.end(), [](const LogLine* a, const LogLine* b) {
    return std::tie(a->mono_ns, a->file, a->line_number) < std::tie(b->mono_ns, b->file, b->line_number);
  });
  return merged;
}

struct PairOutcome {
  std::optional<Rejection> rejection;
  std::size_t controllers = 0;
  std::size_t listeners = 0;
};

PairOutcome check_pair(const std::vector<const LogLine*>& history) {
  PairOutcome outcome;
  HistoryChecker checker;
  std::map<ProcessKey, std::uint64_t> last_seq;
  for (const LogLine* line : history) {
    if (line->json) {
      // Every line of a process is in the logs: its seq counts 1, 2, 3, ... with no gap.
      auto [entry, first] = last_seq.try_emplace(key_of(*line), 0);
      if (line->seq != entry->second + 1) {
        outcome.rejection = Rejection{
            line, "lines_dropped",
            fmt::format("{} pid {}: seq {} follows seq {}: {} line(s) missing", line->program, line->pid, line->seq,
                        entry->second, line->seq > entry->second ? line->seq - entry->second - 1 : 0)};
        return outcome;
      }
      entry->second = line->seq;
      if (line->event == "log_lines_dropped") {
        outcome.rejection = Rejection{line, "lines_dropped", "the process could not write some of its lines"};
        return outcome;
      }
    }
    if (auto problem = checker.feed(*line)) {
      outcome.rejection = Rejection{line, problem->rule, problem->detail};
      return outcome;
    }
  }
  outcome.controllers = checker.controllers();
  outcome.listeners = checker.listeners();
  return outcome;
}

}  // namespace

ValidationReport validate_logs(const std::vector<std::string>& paths) {
  std::vector<std::vector<LogLine>> files;
  files.reserve(paths.size());
  for (std::size_t index = 0; index < paths.size(); ++index) {
    auto read = read_log_file(paths[index], index);
    if (auto* problem = std::get_if<LogFileProblem>(&read)) return {problem->exit_code, "REJECTED " + problem->message};
    files.push_back(std::move(std::get<std::vector<LogLine>>(read)));
  }
  std::map<std::string, std::vector<const LogLine*>> pairs;
  std::size_t event_lines = 0;
  for (const auto& lines : files) {
    if (auto rejection = check_file_order(lines)) {
      return {exit_rejected,
              fmt::format("REJECTED {}: {}: {}", where(paths, *rejection->line), rejection->rule, rejection->detail)};
    }
    for (const LogLine& line : lines) pairs[line.name].push_back(&line);
    event_lines += lines.size();
  }
  if (event_lines == 0) return {exit_rejected, "REJECTED: no tether event lines in the logs given"};
  std::size_t controllers = 0;
  std::size_t listeners = 0;
  for (const auto& [name, lines] : pairs) {
    auto merged = merge(lines, name);
    if (auto* problem = std::get_if<std::string>(&merged)) return {exit_rejected, "REJECTED: " + *problem};
    const PairOutcome outcome = check_pair(std::get<std::vector<const LogLine*>>(merged));
    if (outcome.rejection.has_value()) {
      const Rejection& rejection = *outcome.rejection;
      return {exit_rejected,
              fmt::format("REJECTED {}: {}: {}", where(paths, *rejection.line), rejection.rule, rejection.detail)};
    }
    controllers += outcome.controllers;
    listeners += outcome.listeners;
  }
  const bool json = files.end() != std::find_if(files.begin(), files.end(),
                                                [](const auto& lines) { return !lines.empty() && lines.front().json; });
  return {exit_valid, fmt::format("VALID: {} event lines, {} pair(s), {} controller(s), {} listener(s){}", event_lines,
                                  pairs.size(), controllers, listeners,
                                  json ? "" : " (text lines: identity by pid, order by file position, no seq)")};
}

}  // namespace tether::sim
