#include "adapters/notify_message.hpp"

#include <charconv>

#include "core/exit_codes.hpp"

namespace tether {

namespace {

NotifyError refusal(NotifyErrorKind kind, std::string message) {
  return NotifyError{kind, std::move(message), exit_code::data_error};
}

bool key_character(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// STATUS text is shown on one line of `tether status`: no control characters (tab aside).
bool printable_text(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

// Returns the problem with one KEY=VALUE line, or nothing when it was taken into `message`.
std::optional<NotifyError> take_assignment(std::string_view line, NotifyMessage& message) {
  const auto equals = line.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return refusal(NotifyErrorKind::not_assignment, "a line is not KEY=VALUE");
  }
  const std::string_view key = line.substr(0, equals);
  const std::string_view value = line.substr(equals + 1);
  for (const char c : key) {
    if (!key_character(c)) return refusal(NotifyErrorKind::bad_key, "a key has characters other than A-Z, 0-9 and _");
  }
  const auto flag = [&](bool& target) -> std::optional<NotifyError> {
    if (value != "1") return refusal(NotifyErrorKind::bad_value, std::string(key) + "= takes only 1");
    target = true;
    return std::nullopt;
  };
  if (key == "READY") return flag(message.ready);
  if (key == "STOPPING") return flag(message.stopping);
  if (key == "WATCHDOG") return flag(message.watchdog);  // WATCHDOG=trigger would ask for a kill: not ours
  if (key == "STATUS") {
    if (!printable_text(value)) return refusal(NotifyErrorKind::bad_value, "STATUS= has control characters");
    message.status = std::string(value.substr(0, notify_status_bytes_max));
    return std::nullopt;
  }
  if (key == "EXTEND_TIMEOUT_USEC") {
    std::uint64_t extend_us = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), extend_us);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size()) {
      return refusal(NotifyErrorKind::bad_value, "EXTEND_TIMEOUT_USEC= is not a decimal number of microseconds");
    }
    message.extend_us = extend_us;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Result<NotifyMessage, NotifyError> parse_notify_message(std::string_view datagram) {
  if (datagram.empty()) return fail(refusal(NotifyErrorKind::empty, "empty message"));
  if (datagram.size() > notify_datagram_bytes_max) return fail(refusal(NotifyErrorKind::too_long, "message too long"));
  if (datagram.find('\0') != std::string_view::npos) {
    return fail(refusal(NotifyErrorKind::nul_byte, "message has a NUL byte"));
  }
  NotifyMessage message;
  std::size_t lines = 0;
  std::size_t assignments = 0;
  while (!datagram.empty()) {
    if (++lines > notify_assignments_max) {
      return fail(refusal(NotifyErrorKind::too_many_lines, "message has too many lines"));
    }
    const auto newline = datagram.find('\n');
    const std::string_view line = datagram.substr(0, newline);
    datagram = newline == std::string_view::npos ? std::string_view{} : datagram.substr(newline + 1);
    if (line.empty()) continue;  // sd_notify callers often end with a newline
    if (auto problem = take_assignment(line, message)) return fail(*problem);
    ++assignments;
  }
  if (assignments == 0) return fail(refusal(NotifyErrorKind::no_assignment, "message has no assignment"));
  return message;
}

}  // namespace tether
