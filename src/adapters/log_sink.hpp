#pragma once
// One line per event on stderr: time, program, pid, pair name, event, details. Text for people, JSON
// lines (--log-format json) for machines.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/log_output.hpp"
#include "core/controller_event.hpp"

namespace tether {

enum class LogFormat : std::uint8_t { text, json };
std::optional<LogFormat> parse_log_format(std::string_view text);

struct LogField {
  std::string_view key;
  std::variant<std::int64_t, std::string> value;
};

class LogSink {
 public:
  LogSink(LogFormat format, std::string program, std::string name);

  // Never blocks on a reader that stopped reading (log_output.hpp): a line that does not fit is dropped,
  // and the next line that fits is preceded by a `log_lines_dropped count=N` line.
  void event(std::string_view event, std::initializer_list<LogField> fields = {}) const;
  void controller_event(const ControllerEvent& event) const;

 private:
  [[nodiscard]] std::string format_line(std::string_view event, std::initializer_list<LogField> fields) const;

  LogFormat format_;
  std::string program_;
  std::string name_;
  LogOutput output_;
  mutable std::uint64_t dropped_lines_ = 0;
};

std::string signal_name(int signal_number);

}  // namespace tether
