#include "adapters/log_sink.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "adapters/proc_identity.hpp"
#include "adapters/steady_clock.hpp"
#include "core/ports.hpp"

namespace tether {

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::text;
  if (text == "json") return LogFormat::json;
  return std::nullopt;
}

namespace {

void escape_control_characters(std::string& line) {
  if (std::none_of(line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) return;
  std::string escaped;
  escaped.reserve(line.size() + 8);
  for (const char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20) {
      escaped += c;
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\t') {
      escaped += "\\t";
    } else {
      escaped += fmt::format("\\x{:02x}", byte);
    }
  }
  line = std::move(escaped);
}

}  // namespace

// One word, as a key=value log needs: SIGTERM, SIGRTMIN+6 (glibc names no real-time signal), signal-99.
std::string signal_name(int signal_number) {
  const char* abbreviation = sigabbrev_np(signal_number);
  if (abbreviation != nullptr) return fmt::format("SIG{}", abbreviation);
  if (signal_number >= SIGRTMIN && signal_number <= SIGRTMAX) {
    return fmt::format("SIGRTMIN+{}", signal_number - SIGRTMIN);
  }
  return fmt::format("signal-{}", signal_number);
}

namespace {
// `seq` counts the lines of the process, not of one sink: a process may log through more than one sink
// (the listener's usage errors), and a checker reads one process's lines as one sequence.
std::atomic<std::uint64_t> lines_logged{0};
}  // namespace

LogSink::LogSink(LogFormat format, std::string program, std::string name)
    : format_(format),
      program_(std::move(program)),
      name_(std::move(name)),
      start_time_ticks_(self_identity().start_time_ticks) {}

void LogSink::event(std::string_view event, std::initializer_list<LogField> fields) const {
  write(event, fields, nullptr);
}

void LogSink::write(std::string_view event, std::initializer_list<LogField> fields,
                    const ProcessIdentity* subject) const {
  if (dropped_lines_ > 0) {
    const std::string notice =
        format_line("log_lines_dropped", {{"count", static_cast<std::int64_t>(dropped_lines_)}}, nullptr);
    if (!output_.write_line(notice)) {
      ++dropped_lines_;
      return;
    }
    dropped_lines_ = 0;
  }
  // One write per line, so lines of the controller and its listener never interleave mid-line.
  if (!output_.write_line(format_line(event, fields, subject))) ++dropped_lines_;
}

std::string LogSink::format_line(std::string_view event, std::initializer_list<LogField> fields,
                                 const ProcessIdentity* subject) const {
  const std::uint64_t seq = ++lines_logged;
  const auto now = std::chrono::system_clock::now();
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  // UTC, as the Z says: fmt 9 formats a system_clock time point in local time (TZ=Asia/Tokyo logged
  // times nine hours ahead, marked Z).
  const std::string time =
      fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), milliseconds);
  std::string line;
  if (format_ == LogFormat::json) {
    nlohmann::json object = {
        {"time", time}, {"program", program_}, {"pid", getpid()}, {"name", name_}, {"event", event}};
    for (const auto& field : fields) {
      std::visit([&](const auto& value) { object[std::string(field.key)] = value; }, field.value);
    }
    if (subject != nullptr) object["listener_start"] = subject->start_time_ticks;
    object["start"] = start_time_ticks_;
    object["mono_ns"] = monotonic_now_ns();
    object["seq"] = seq;
    // Names and paths come from users and may hold bytes that are not UTF-8: replace them rather than
    // let dump() throw (a log line must never end the program).
    line = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = fmt::format("{} {}[{}] {}: {}", time, program_, getpid(), name_, event);
    for (const auto& field : fields) {
      std::visit([&](const auto& value) { line += fmt::format(" {}={}", field.key, value); }, field.value);
    }
    // One event, one line: a control character from a user's path (a newline, say) is shown escaped.
    escape_control_characters(line);
  }
  line += '\n';
  return line;
}

namespace {
LogField status_field(const ExitStatus& status) {
  switch (status.kind) {
    case ExitStatus::Kind::exited: return {"code", std::int64_t{status.value}};
    case ExitStatus::Kind::killed: return {"signal", signal_name(status.value)};
    case ExitStatus::Kind::unknown: break;
  }
  return {"code", std::string("unknown")};
}
}  // namespace

void LogSink::controller_event(const ControllerEvent& e) const {
  using Kind = ControllerEvent::Kind;
  const std::int64_t pid = e.process.pid;
  // Every event that names a listener: its start time too (JSON only), so that a checker can tell it
  // from a later process with the same pid.
  const auto about = [&](std::string_view name, std::initializer_list<LogField> fields) {
    write(name, fields, &e.process);
  };
  switch (e.kind) {
    case Kind::segment_initialised: event("segment_initialised"); break;
    case Kind::stale_listener_cleared: about("stale_listener_cleared", {{"listener_pid", pid}}); break;
    case Kind::launched:
      about("launched", {{"listener_pid", pid}, {"generation", static_cast<std::int64_t>(e.value)}});
      break;
    case Kind::launch_failed:
      event("launch_failed", {{"error", std::string(spawn_error_text(static_cast<SpawnError>(e.value)))}});
      break;
    case Kind::adopted: about("adopted", {{"listener_pid", pid}}); break;
    case Kind::exited: about("exited", {{"listener_pid", pid}, status_field(e.status)}); break;
    case Kind::restarting: event("restarting", {{"delay_ms", static_cast<std::int64_t>(e.value)}}); break;
    case Kind::shutdown_requested:
      if (e.value == 1) {
        event("shutdown_requested", {{"posted_before_start", std::string("yes")}});
      } else {
        about("shutdown_requested", {{"listener_pid", pid}});
      }
      break;
    case Kind::escalated_sigterm:
      about("escalated", {{"listener_pid", pid}, {"signal", std::string("SIGTERM")}});
      break;
    case Kind::escalated_sigkill:
      about("escalated", {{"listener_pid", pid}, {"signal", std::string("SIGKILL")}});
      break;
    case Kind::stop_extended:
      about("stop_extended", {{"listener_pid", pid}, {"deadline_in_ms", static_cast<std::int64_t>(e.value)}});
      break;
    case Kind::watchdog_fired:
      about("watchdog_fired", {{"listener_pid", pid}, {"heartbeat_age_ms", static_cast<std::int64_t>(e.value)}});
      break;
    case Kind::registered: about("registered", {{"listener_pid", pid}}); break;
    case Kind::unregistered:
      about("unregistered", {{"listener_pid", pid}, {"treated_as", std::string("plain worker")}});
      break;
    case Kind::stop_signalled: about("stop_signalled", {{"listener_pid", pid}}); break;
    case Kind::worker_ready: about("worker_ready", {{"listener_pid", pid}}); break;
    case Kind::worker_stopping: about("worker_stopping", {{"listener_pid", pid}}); break;
    case Kind::gave_up:
      event("gave_up", {{"reason", fmt::format("{} starts within --start-limit-interval-ms", e.value)}});
      break;
    case Kind::finished: event("finished", {{"exit_code", static_cast<std::int64_t>(e.value)}}); break;
  }
}

}  // namespace tether
