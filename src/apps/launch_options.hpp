#pragma once
// The controller's options about how the worker runs (signal, directory, environment, output), checked
// before anything starts: each problem is a message naming the option.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/unique_fd.hpp"
#include "core/result.hpp"
#include "tether/error.hpp"

namespace tether {

// "TERM", "SIGTERM" or a number, for --stop-signal.
std::optional<int> parse_signal(const std::string& text);

// A KEY=VALUE entry with a valid variable name; the problem otherwise.
std::optional<std::string> environment_entry_problem(const std::string& entry);

// A refused option, in the one error shape: the message names the option's value and the problem.
enum class OptionErrorKind : std::uint8_t {
  unreadable,   // a file the option names cannot be read (66)
  refused,      // its content is not acceptable (64)
  forbidden,    // permission denied (77)
  cannot_open,  // cannot be created or opened otherwise (73)
};
using OptionError = Error<OptionErrorKind>;

// Reads an env file with systemd's EnvironmentFile= rules (apps/environment_file.hpp). A FIFO is read
// as its writer writes, but never waited on for longer than file_text's bound.
// Exit 66 when the file cannot be read, 64 when its content is refused.
Result<std::vector<std::string>, OptionError> read_environment_file(const std::string& path);

// Opens (creating, appending) the worker's log file, close-on-exec. Exit 77 when permission is denied,
// 73 when it cannot be created or opened otherwise.
Result<UniqueFd, OptionError> open_log_file(const std::string& path);

}  // namespace tether
