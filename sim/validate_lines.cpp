#include "validate_lines.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace tether::sim {

namespace {

bool is_tether_program(std::string_view program) {
  return program == "tether-controller" || program == "tether-listener" || program == "tether";
}

template <class Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A whole number of a JSON object that must be there and fit, or the reason it does not.
std::optional<std::string> required_number(const nlohmann::json& object, const char* key, std::uint64_t minimum,
                                           std::uint64_t& out) {
  const auto found = object.find(key);
  if (found == object.end()) return fmt::format("a tether event without '{}'", key);
  if (!found->is_number_unsigned() && !(found->is_number_integer() && found->get<std::int64_t>() >= 0)) {
    return fmt::format("'{}' is not a whole number", key);
  }
  out = found->get<std::uint64_t>();
  if (out < minimum) return fmt::format("'{}' is {}, below {}", key, out, minimum);
  return std::nullopt;
}

ParsedLine parse_json_line(std::string_view text) {
  const auto object = nlohmann::json::parse(text, nullptr, false);
  if (object.is_discarded() || !object.is_object()) return std::monostate{};
  const auto program = object.find("program");
  if (program == object.end() || !program->is_string() || !is_tether_program(program->get_ref<const std::string&>())) {
    return std::monostate{};  // a worker's own JSON
  }
  LogLine line;
  line.json = true;
  line.program = program->get<std::string>();
  for (const char* key : {"name", "event"}) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) return LineProblem{fmt::format("no string '{}'", key)};
  }
  line.name = object["name"].get<std::string>();
  line.event = object["event"].get<std::string>();
  std::uint64_t pid = 0;
  for (const auto& [key, minimum, out] : {std::tuple{"pid", 1u, &pid}, std::tuple{"start", 1u, &line.start},
                                          std::tuple{"mono_ns", 0u, &line.mono_ns}, std::tuple{"seq", 1u, &line.seq}}) {
    if (auto problem = required_number(object, key, minimum, *out)) return LineProblem{*problem};
  }
  if (pid > static_cast<std::uint64_t>(INT32_MAX)) return LineProblem{"'pid' is out of range"};
  line.pid = static_cast<std::int64_t>(pid);
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) {
      line.fields[key] = value.get<std::string>();
    } else if (value.is_number_integer()) {
      line.fields[key] = value.dump();
    }
  }
  return line;
}

// `2026-12-06T23:14:02.123Z tether-controller[123] NAME: EVENT key=value ...` (log_sink.cpp).
ParsedLine parse_text_line(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || text[space - 1] != 'Z') return std::monostate{};
  const auto open = text.find('[', space);
  const auto close = text.find("] ", space);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::monostate{};
  const std::string_view program = text.substr(space + 1, open - space - 1);
  if (!is_tether_program(program)) return std::monostate{};
  const auto pid = parse_number<std::int64_t>(text.substr(open + 1, close - open - 1));
  const auto colon = text.find(": ", close + 2);
  if (!pid.has_value() || *pid <= 0 || *pid > INT32_MAX || colon == std::string_view::npos) {
    return LineProblem{"a tether text line without 'program[pid] name: event'"};
  }
  LogLine line;
  line.program = std::string(program);
  line.pid = *pid;
  line.name = std::string(text.substr(close + 2, colon - close - 2));
  std::string_view rest = text.substr(colon + 2);
  const auto event_end = rest.find(' ');
  line.event = std::string(rest.substr(0, event_end));
  if (line.event.empty()) return LineProblem{"a tether text line without an event"};
  rest = event_end == std::string_view::npos ? std::string_view() : rest.substr(event_end + 1);
  // key=value words; a word without '=' continues the previous value (reason=shutdown requested).
  std::string last_key;
  for (std::size_t words = 0; !rest.empty() && words < log_line_bytes_max; ++words) {
    const auto end = rest.find(' ');
    const std::string_view word = rest.substr(0, end);
    const auto equals = word.find('=');
    if (equals != std::string_view::npos && equals > 0) {
      last_key = std::string(word.substr(0, equals));
      line.fields[last_key] = std::string(word.substr(equals + 1));
    } else if (!last_key.empty()) {
      line.fields[last_key] += " " + std::string(word);
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return line;
}

}  // namespace

std::optional<std::int64_t> LogLine::number(std::string_view key) const {
  const auto found = fields.find(key);
  if (found == fields.end()) return std::nullopt;
  return parse_number<std::int64_t>(found->second);
}

std::string LogLine::text(std::string_view key) const {
  const auto found = fields.find(key);
  return found == fields.end() ? std::string() : found->second;
}

ParsedLine parse_log_line(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (!text.empty() && text.front() == '{') return parse_json_line(text);
  return parse_text_line(text);
}

std::variant<std::vector<LogLine>, LogFileProblem> read_log_file(const std::string& path, std::size_t file_index) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return LogFileProblem{66, fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  // Read in blocks, counted: a pipe or a device of endless bytes must end in an error, not in memory.
  std::string content;
  std::array<char, 65536> block{};
  while (file.read(block.data(), block.size()) || file.gcount() > 0) {
    content.append(block.data(), static_cast<std::size_t>(file.gcount()));
    if (content.size() > log_file_bytes_max) {
      return LogFileProblem{65, fmt::format("{}: larger than {} MiB", path, log_file_bytes_max >> 20)};
    }
  }
  if (file.bad()) return LogFileProblem{66, fmt::format("{}: read error", path)};
  std::vector<LogLine> lines;
  std::string_view rest = content;
  for (std::size_t number = 1; !rest.empty(); ++number) {
    const auto end = rest.find('\n');
    const std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (text.size() > log_line_bytes_max) {
      return LogFileProblem{65,
                            fmt::format("{}:{}: a line longer than {} KiB", path, number, log_line_bytes_max >> 10)};
    }
    auto parsed = parse_log_line(text);
    if (auto* problem = std::get_if<LineProblem>(&parsed)) {
      return LogFileProblem{65, fmt::format("{}:{}: {}", path, number, problem->message)};
    }
    if (auto* line = std::get_if<LogLine>(&parsed)) {
      line->file = file_index;
      line->line_number = number;
      lines.push_back(std::move(*line));
    }
  }
  return lines;
}

}  // namespace tether::sim
