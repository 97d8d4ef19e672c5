#pragma once
// The controller's options about how the worker runs (signal, directory, environment, output), checked
// before anything starts: each problem is a message naming the option.
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tether {

// "TERM", "SIGTERM" or a number, for --stop-signal.
std::optional<int> parse_signal(const std::string& text);

// A KEY=VALUE entry with a valid variable name; the problem otherwise.
std::optional<std::string> environment_entry_problem(const std::string& entry);

struct EnvironmentFileError {
  int exit_code;  // 66 when the file cannot be read, 64 when a line is not KEY=VALUE
  std::string message;
};

// Reads an env file: KEY=VALUE lines; blank lines and lines starting with '#' are skipped.
Result<std::vector<std::string>, EnvironmentFileError> read_environment_file(const std::string& path);

// Opens (creating, appending) the worker's log file, close-on-exec; the descriptor or a message.
Result<int, std::string> open_log_file(const std::string& path);

}  // namespace tether
