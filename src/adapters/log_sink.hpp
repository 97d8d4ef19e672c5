#pragma once
// One line per event on stderr: time, program, pid, pair name, event, details. Text for people, JSON
// lines (--log-format json) for machines. A JSON line also carries what a trace checker needs
// (`tether-sim validate`, docs/SIMULATOR.md): the process's start time (`start`, with `pid` its identity),
// CLOCK_MONOTONIC at the line (`mono_ns`, comparable across the processes of one machine: the merge
// order) and the process's line count (`seq`, from 1: a dropped or reordered line shows as a gap);
// an event about a listener names its start time too (`listener_start`).
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/log_output.hpp"
#include "core/controller_event.hpp"
#include "core/process_identity.hpp"

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
  // `subject`: the process the event is about (its start time goes into JSON lines only, so that the text
  // lines people and scripts read stay as they were).
  void write(std::string_view event, std::initializer_list<LogField> fields, const ProcessIdentity* subject) const;
  [[nodiscard]] std::string format_line(std::string_view event, std::initializer_list<LogField> fields,
                                        const ProcessIdentity* subject) const;

  LogFormat format_;
  std::string program_;
  std::string name_;
  LogOutput output_;
  std::uint64_t start_time_ticks_;
  mutable std::uint64_t dropped_lines_ = 0;
};

std::string signal_name(int signal_number);

}  // namespace tether
