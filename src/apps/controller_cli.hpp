#pragma once
// tether-controller's command line: the options, their limits and the checks that need no file system,
// as a pure function of argv (unit-tested, fuzzed); main runs what it returns.
#include <optional>
#include <span>
#include <string>

#include "adapters/posix_processes.hpp"
#include "apps/cli_support.hpp"
#include "core/controller_config.hpp"

namespace tether {

struct ControllerOptions {
  std::string name;
  ControllerConfig config;
  // The worker. `launch.command` is empty when none was given: main then runs the tether-listener
  // beside the controller (finding it reads /proc). `launch.environment` holds the --env entries;
  // main puts the --env-file's entries before them, so that the command line wins.
  LaunchSpec launch;
  std::optional<std::string> environment_file;
  std::optional<std::string> log_file;
  std::string log_format = "text";
  // --notify-socket: the worker gets a NOTIFY_SOCKET of this controller's own (systemd's protocol).
  bool notify_socket = false;
};

ParseOutcome<ControllerOptions> parse_controller_command_line(std::span<const char* const> argv);

// The one check that needs the file system, for main to make after a successful parse: --cwd names an
// existing directory. The exit is worded as CLI11 words a failed check (code 64).
std::optional<CliExit> check_working_directory(const ControllerOptions& options);

}  // namespace tether
