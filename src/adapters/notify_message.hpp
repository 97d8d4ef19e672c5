#pragma once
// One datagram of systemd's notify protocol (sd_notify(3)): newline-separated KEY=VALUE assignments.
// Pure parsing, no I/O: the notify socket hands every datagram here (and the fuzzers can too).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "tether/error.hpp"

namespace tether {

// Larger datagrams are refused whole (systemd's own limit is larger; nothing we act on needs more).
inline constexpr std::size_t notify_datagram_bytes_max = 4096;
// Longer STATUS= text is cut here: what `tether status` can show from the segment.
inline constexpr std::size_t notify_status_bytes_max = 255;
// More assignments than this in one datagram is garbage, not a message.
inline constexpr std::size_t notify_assignments_max = 64;

struct NotifyMessage {
  bool ready = false;                      // READY=1
  bool stopping = false;                   // STOPPING=1
  bool watchdog = false;                   // WATCHDOG=1
  std::optional<std::string> status;       // STATUS=text (cut at notify_status_bytes_max)
  std::optional<std::uint64_t> extend_us;  // EXTEND_TIMEOUT_USEC=n
  friend bool operator==(const NotifyMessage&, const NotifyMessage&) = default;
};

// Why a whole datagram is refused. The controller logs the message and changes nothing; the exit code
// (EX_DATAERR) is there for the one error shape, not because a refusal ends anything.
enum class NotifyErrorKind : std::uint8_t {
  empty,           // no bytes at all
  too_long,        // over notify_datagram_bytes_max
  nul_byte,        // a NUL anywhere
  too_many_lines,  // over notify_assignments_max lines
  no_assignment,   // only empty lines
  not_assignment,  // a line that is not KEY=VALUE
  bad_key,         // a key with characters other than A-Z, 0-9 and _
  bad_value,       // a known key with a value we do not accept
};
using NotifyError = Error<NotifyErrorKind>;

// The message, or why the whole datagram is refused: an empty one, a NUL byte, a line that is not
// KEY=VALUE with KEY of upper-case letters, digits and '_', a known key with a value we do not accept
// (READY=2, a non-decimal EXTEND_TIMEOUT_USEC, control characters in STATUS), or too many lines.
// Unknown well-formed keys (MAINPID=, ERRNO=, ...) are ignored, as systemd ignores what it does not use.
Result<NotifyMessage, NotifyError> parse_notify_message(std::string_view datagram);

}  // namespace tether
