#include "apps/controller_cli.hpp"

#include <cassert>
#include <csignal>
#include <cstdint>
#include <vector>

#include "adapters/notify_pipe.hpp"
#include "apps/launch_options.hpp"
#include "core/restart_policy.hpp"

namespace tether {

namespace {

// Adds a duration option in milliseconds, bounded like every duration of ControllerConfig.
void add_duration_option(CLI::App& app, const std::string& flag, std::uint64_t& value_ms, const std::string& help,
                         std::uint64_t minimum_ms = 0) {
  app.add_option(flag, value_ms, help)
      ->check(CLI::Range(minimum_ms, ControllerConfig::duration_ms_max))
      ->capture_default_str();
}

// One value per --env: the next word starts the command (`--env K=V sleep 9` runs sleep). A command that
// starts with KEY=VALUE is a second value meant for the --env before it: `--env FOO=1 BAR=2 -- /bin/echo
// hi` ran a program named BAR=2 with the arguments /bin/echo hi. Refused, never run.
std::optional<std::string> assignment_as_command(const std::vector<std::string>& command) {
  if (command.empty() || command.front().find('=') == std::string::npos || environment_entry_problem(command.front())) {
    return std::nullopt;
  }
  return "'" + command.front() + "' would run as the command: one KEY=VALUE per --env (repeat --env for each)";
}

}  // namespace

ParseOutcome<ControllerOptions> parse_controller_command_line(std::span<const char* const> argv) {
  ParseOutcome<ControllerOptions> outcome;
  ControllerOptions& options = outcome.options;
  ControllerConfig& config = options.config;
  CLI::App app{
      "Launch a listener process under NAME and keep it running; adopt a live one; stop it "
      "gracefully on SIGINT/SIGTERM or `tether shutdown NAME`.",
      "tether-controller"};
  app.set_version_flag("--version", tether_version);
  app.footer(
      "Exit codes: 0 graceful shutdown (or the worker ended well and is not restarted), 1 the worker "
      "failed and is not restarted, 64 usage, 65 bad segment, 66 env file unreadable, 69 gave up (crash "
      "loop) or cannot launch, 71 system error, 73 name held by another controller or log file not "
      "opened, 74 output not written, 77 permission.");

  std::string restart = "always";
  std::string stop_signal = "TERM";
  std::vector<std::string> environment;
  add_name_option(app, options.name, true);
  app.add_option("--restart", restart, "always | on-failure | never")
      ->check(CLI::IsMember({"always", "on-failure", "never"}))
      ->capture_default_str();
  add_duration_option(app, "--restart-delay-ms", config.restart_delay_ms, "First restart delay, doubled per failure");
  add_duration_option(app, "--restart-delay-max-ms", config.restart_delay_ms_max, "Cap of the restart delay");
  add_duration_option(app, "--healthy-run-ms", config.healthy_run_ms,
                      "A run this long resets the backoff and the start limit");
  app.add_option("--start-limit", config.start_limit, "Give up after this many starts within the interval")
      ->check(CLI::Range(1u, StartLimiter::start_limit_max))
      ->capture_default_str();
  add_duration_option(app, "--start-limit-interval-ms", config.start_limit_interval_ms, "Interval of --start-limit", 1);
  add_duration_option(app, "--stop-timeout-ms", config.stop_timeout_ms, "Grace after a shutdown request, then SIGTERM");
  add_duration_option(app, "--kill-timeout-ms", config.kill_timeout_ms, "Grace after SIGTERM, then SIGKILL");
  add_duration_option(app, "--stop-timeout-max-ms", config.stop_timeout_ms_max,
                      "Heartbeats during a stop extend it, up to this long after the request");
  add_duration_option(app, "--watchdog-ms", config.watchdog_ms,
                      "Kill and restart a listener whose heartbeat is older (0: off)");
  add_duration_option(app, "--ready-timeout-ms", config.ready_timeout_ms,
                      "A worker not registered by then is a plain worker (stopped by signal, no watchdog)");
  app.add_flag("--notify-socket", options.notify_socket,
               "Give the worker a NOTIFY_SOCKET: READY=1, STOPPING=1, STATUS=, WATCHDOG=1, EXTEND_TIMEOUT_USEC= "
               "from its process group are heard");
  app.add_option("--notification-fd", options.launch.notification_fd,
                 "The worker writes a newline to this descriptor when ready (s6's notification-fd)")
      ->check(CLI::Range(notification_fd_min, notification_fd_max));
  app.add_option("--stop-signal", stop_signal, "Signal that stops a plain worker, and follows the stop timeout")
      ->capture_default_str();
  // Checked by check_working_directory, after parsing: the check reads the file system.
  app.add_option("--cwd", options.launch.directory, "Working directory of the worker")->type_name("TEXT:DIR");
  // One value per --env, so that `--env K=V -- COMMAND ...` leaves the command alone.
  app.add_option("--env", environment, "KEY=VALUE for the worker's environment (repeat --env for each)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->type_name("KEY=VALUE");
  app.add_option("--env-file", options.environment_file, "File of KEY=VALUE lines for the worker's environment");
  app.add_option("--log-file", options.log_file, "Append the worker's stdout and stderr here (reopened on SIGHUP)");
  add_log_format_option(app, options.log_format);
  app.add_option("command", options.launch.command,
                 "Listener command and arguments, after `--` (default: tether-listener)");
  outcome.exit = parse_with(app, argv);
  if (outcome.exit.has_value()) return outcome;

  // CLI11 checked each value alone; what follows are the checks across values and of the spellings.
  options.launch.name = options.name;
  const auto restart_mode = parse_restart_mode(restart);
  assert(restart_mode.has_value() && "the option's IsMember check admits only the spellings of restart modes");
  config.restart = *restart_mode;
  if (auto problem = config.problem()) {
    outcome.exit = usage_event_exit(problem->message);
    return outcome;
  }
  if (auto signal_number = parse_signal(stop_signal)) {
    options.launch.stop_signal = *signal_number;
  } else {
    outcome.exit = usage_event_exit("--stop-signal '" + stop_signal + "' is not a signal");
    return outcome;
  }
  if (auto problem = assignment_as_command(options.launch.command)) {
    outcome.exit = usage_event_exit(*problem);
    return outcome;
  }
  for (const auto& entry : environment) {
    if (auto problem = environment_entry_problem(entry)) {
      outcome.exit = usage_event_exit("--env " + *problem);
      return outcome;
    }
  }
  options.launch.environment = environment;
  return outcome;
}

std::optional<CliExit> check_working_directory(const ControllerOptions& options) {
  if (!options.launch.directory.has_value()) return std::nullopt;
  std::string directory = *options.launch.directory;
  const std::string problem = CLI::ExistingDirectory(directory);
  if (problem.empty()) return std::nullopt;
  return usage_error_exit("--cwd: " + problem);
}

}  // namespace tether
