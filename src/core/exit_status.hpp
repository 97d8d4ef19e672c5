#pragma once
// How a watched process ended, as far as the driver could learn it.
#include <cstdint>

namespace tether {

struct ExitStatus {
  enum class Kind : std::uint8_t {
    exited,   // returned or called exit(); `value` is the code
    killed,   // ended by a signal; `value` is the signal number
    unknown,  // not our child (adopted): only the segment can tell how it ended
  };
  Kind kind = Kind::unknown;
  int value = 0;

  [[nodiscard]] bool clean() const { return kind == Kind::exited && value == 0; }
  static ExitStatus code(int exit_code) { return {Kind::exited, exit_code}; }
  static ExitStatus signal(int signal_number) { return {Kind::killed, signal_number}; }
  static ExitStatus unknown_status() { return {Kind::unknown, 0}; }
  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

}  // namespace tether
