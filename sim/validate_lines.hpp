#pragma once
// `tether-sim validate`: reading the binaries' event lines. A JSON line (--log-format json) carries the
// process's identity (pid, start), its monotonic time (mono_ns) and its line count (seq); a text line
// carries the pid only, and its order is its place in the file. Anything else in a log (a worker's own
// output, a tool's message) is not an event line and is skipped.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tether::sim {

struct LogLine {
  std::size_t file = 0;         // index into the list of files
  std::size_t line_number = 0;  // from 1
  bool json = false;
  std::string program;  // tether-controller, tether-listener, tether
  std::string name;     // the pair
  std::string event;
  std::int64_t pid = 0;
  std::uint64_t start = 0;  // start time in clock ticks; 0 on text lines (unknown)
  std::uint64_t mono_ns = 0;
  std::uint64_t seq = 0;
  std::map<std::string, std::string, std::less<>> fields;  // the other fields, as text

  [[nodiscard]] std::optional<std::int64_t> number(std::string_view key) const;
  [[nodiscard]] std::string text(std::string_view key) const;  // "" when absent
};

// An event line, nothing (not an event line), or why a line that claims to be a tether event is broken.
struct LineProblem {
  std::string message;
};
using ParsedLine = std::variant<std::monostate, LogLine, LineProblem>;
ParsedLine parse_log_line(std::string_view text);

inline constexpr std::size_t log_file_bytes_max = std::size_t{256} << 20;
inline constexpr std::size_t log_line_bytes_max = std::size_t{1} << 20;

struct LogFileProblem {
  int exit_code;  // 66 cannot be read, 65 too large or a line too long or broken
  std::string message;
};
// Every event line of one file, in file order; or the first problem.
std::variant<std::vector<LogLine>, LogFileProblem> read_log_file(const std::string& path, std::size_t file_index);

}  // namespace tether::sim
