// tether-controller: launch a listener for a name and keep it running, adopt a live one, stop it
// gracefully on request. A thin shell: parse, open, hand over to the core's real driver.
#include <climits>
#include <csignal>
#include <optional>
#include <cstdio>
#include <fmt/format.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "adapters/controller_loop.hpp"
#include "adapters/failpoints.hpp"
#include "adapters/mapped_segment.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/steady_clock.hpp"
#include "apps/cli_support.hpp"
#include "apps/launch_options.hpp"
#include "core/exit_codes.hpp"

namespace {

// The default listener is the tether-listener installed beside this binary.
std::string default_listener_path() {
  std::vector<char> buffer(PATH_MAX + 1, '\0');
  const ssize_t length = readlink("/proc/self/exe", buffer.data(), PATH_MAX);
  if (length <= 0) return "tether-listener";
  std::string path(buffer.data(), static_cast<std::size_t>(length));
  return path.substr(0, path.rfind('/') + 1) + "tether-listener";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tether;
  CLI::App app{"Launch a listener process under NAME and keep it running; adopt a live one; stop it "
               "gracefully on SIGINT/SIGTERM or `tether shutdown NAME`.",
               "tether-controller"};
  app.set_version_flag("--version", tether_version);
  app.footer("Exit codes: 0 graceful shutdown, 64 usage, 65 bad segment, 69 gave up (crash loop) or "
             "cannot launch, 73 name held by another controller, 77 permission.");

  std::string name;
  ControllerConfig config;
  std::string restart = "always";
  std::string log_format = "text";
  std::vector<std::string> command;
  add_name_option(app, name, true);
  app.add_option("--restart", restart, "always | on-failure | never")
      ->check(CLI::IsMember({"always", "on-failure", "never"}))->capture_default_str();
  const auto duration = CLI::Range(std::uint64_t{0}, ControllerConfig::duration_ms_max);
  app.add_option("--restart-delay-ms", config.restart_delay_ms, "First restart delay, doubled per failure")
      ->check(duration)->capture_default_str();
  app.add_option("--restart-delay-max-ms", config.restart_delay_max_ms, "Cap of the restart delay")
      ->check(duration)->capture_default_str();
  app.add_option("--start-limit", config.start_limit, "Give up after this many starts within the interval")
      ->check(CLI::Range(1u, StartLimiter::start_limit_max))->capture_default_str();
  app.add_option("--start-limit-interval-ms", config.start_limit_interval_ms, "Interval of --start-limit")
      ->check(CLI::Range(std::uint64_t{1}, ControllerConfig::duration_ms_max))->capture_default_str();
  app.add_option("--stop-timeout-ms", config.stop_timeout_ms, "Grace after a shutdown request, then SIGTERM")
      ->check(duration)->capture_default_str();
  app.add_option("--kill-timeout-ms", config.kill_timeout_ms, "Grace after SIGTERM, then SIGKILL")
      ->check(duration)->capture_default_str();
  app.add_option("--stop-timeout-max-ms", config.stop_timeout_max_ms,
                 "Heartbeats during a stop extend it, up to this long after the request")
      ->check(duration)->capture_default_str();
  app.add_option("--watchdog-ms", config.watchdog_ms, "Kill and restart a listener whose heartbeat is older (0: off)")
      ->check(duration)->capture_default_str();
  app.add_option("--ready-timeout-ms", config.ready_timeout_ms,
                 "A worker not registered by then is a plain worker (stopped by signal, no watchdog)")
      ->check(duration)->capture_default_str();
  std::string stop_signal = "TERM";
  std::optional<std::string> directory;
  std::vector<std::string> environment;
  std::optional<std::string> environment_file;
  std::optional<std::string> log_file;
  app.add_option("--stop-signal", stop_signal, "Signal that stops a plain worker, and follows the stop timeout")
      ->capture_default_str();
  app.add_option("--cwd", directory, "Working directory of the worker")->check(CLI::ExistingDirectory);
  // One value per --env, so that `--env K=V -- COMMAND ...` leaves the command alone.
  app.add_option("--env", environment, "KEY=VALUE for the worker's environment (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--env-file", environment_file, "File of KEY=VALUE lines for the worker's environment");
  app.add_option("--log-file", log_file, "Append the worker's stdout and stderr here (reopened on SIGHUP)");
  app.add_option("--log-format", log_format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  app.add_option("command", command, "Listener command and arguments, after `--` (default: tether-listener)");
  if (auto code = parse_command_line(app, argc, argv)) return *code;
  // A vanished log reader must not kill the controller: a failed write is not worth the pair's life.
  std::signal(SIGPIPE, SIG_IGN);

  config.restart = *parse_restart_mode(restart);
  const LogSink log(*parse_log_format(log_format), "tether-controller", name);
  if (auto problem = config.problem()) {
    log.event("usage_error", {{"error", *problem}});
    return exit_code::usage;
  }
  if (auto problem = failpoints_problem()) {
    log.event("usage_error", {{"error", *problem}});
    return exit_code::usage;
  }
  if (command.empty()) command.push_back(default_listener_path());
  LaunchSpec spec{command, name, directory, {}, SIGTERM};
  if (auto signal_number = parse_signal(stop_signal)) {
    spec.stop_signal = *signal_number;
  } else {
    log.event("usage_error", {{"error", "--stop-signal '" + stop_signal + "' is not a signal"}});
    return exit_code::usage;
  }
  if (environment_file.has_value()) {
    auto entries = read_environment_file(*environment_file);
    if (!entries.ok()) {
      log.event("usage_error", {{"error", entries.error().message}});
      return entries.error().exit_code;
    }
    spec.environment = entries.value();
  }
  for (const auto& entry : environment) {
    if (auto problem = environment_entry_problem(entry)) {
      log.event("usage_error", {{"error", "--env " + *problem}});
      return exit_code::usage;
    }
    spec.environment.push_back(entry);  // after the file's: the command line wins
  }
  int output_fd = -1;
  if (log_file.has_value()) {
    auto opened = open_log_file(*log_file);
    if (!opened.ok()) {
      log.event("error", {{"error", opened.error()}});
      return exit_code::cant_create;
    }
    output_fd = opened.value();
  }

  // Block our signals before anything can deliver them, so none is lost before the loop reads them.
  SignalFd signals;
  if (!signals.valid()) {
    log.event("error", {{"error", std::string("cannot create a signalfd")}});
    return exit_code::os_error;
  }
  auto segment = MappedSegment::open_for_controller(name);
  if (!segment.ok()) {
    log.event("refused", {{"error", segment.error().message}});
    return segment.error().exit_code();
  }
  PosixProcesses processes(spec);
  processes.set_output(output_fd);
  // Log rotation: the next launch writes to a freshly opened file (a running worker keeps its
  // descriptor; the file is opened for appending, so copy-and-truncate rotation is safe for it).
  const auto reopen_log_file = [&] {
    if (!log_file.has_value()) return;
    auto reopened = open_log_file(*log_file);
    if (!reopened.ok()) {
      log.event("log_file_reopen_failed", {{"error", reopened.error()}});
      return;
    }
    close(output_fd);
    output_fd = reopened.value();
    processes.set_output(output_fd);
    log.event("log_file_reopened", {{"path", *log_file}});
  };
  SteadyClock clock;
  ControllerCore core(config, segment.value(), processes, self_identity());
  const int code = run_controller_loop(core, processes, signals, clock, log, reopen_log_file);
  // Still holding the lock: nobody else can be using the name while we remove it.
  if (core.remove_segment()) MappedSegment::remove(name);
  return code;
}
