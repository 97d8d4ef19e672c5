// tether-controller: launch a listener for a name and keep it running, adopt a live one, stop it
// gracefully on request. A thin shell: parse, open, hand over to the core's real driver.
#include <climits>
#include <fmt/format.h>
#include <csignal>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "adapters/controller_loop.hpp"
#include "adapters/failpoints.hpp"
#include "adapters/mapped_segment.hpp"
#include "adapters/notify_socket.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/standard_descriptors.hpp"
#include "adapters/steady_clock.hpp"
#include "apps/controller_cli.hpp"
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
  // First: a closed stderr must not become the segment that log lines are written into.
  if (!open_standard_descriptors()) return exit_code::os_error;
  auto parsed = parse_controller_command_line({argv, static_cast<std::size_t>(argc)});
  if (parsed.exit.has_value() && parsed.exit->output != CliExit::Output::usage_event) {
    return print_exit("tether-controller", *parsed.exit);
  }
  ControllerOptions& options = parsed.options;
  if (!parsed.exit.has_value()) {
    if (auto exit = check_working_directory(options)) return print_exit("tether-controller", *exit);
  }
  // A vanished log reader must not kill the controller: a failed write is not worth the pair's life.
  std::signal(SIGPIPE, SIG_IGN);
  // An ignored SIGCHLD, inherited from our parent, has the kernel reap our workers itself: their exit
  // statuses lost, and their pids free for strangers while we still mean to signal their groups.
  std::signal(SIGCHLD, SIG_DFL);

  const std::string& name = options.name;
  const LogSink log(*parse_log_format(options.log_format), "tether-controller", name);
  if (parsed.exit.has_value()) {
    log.event("usage_error", {{"error", parsed.exit->message}});
    return parsed.exit->exit_code;
  }
  if (auto problem = failpoints_problem()) {
    log.event("usage_error", {{"error", *problem}});
    return exit_code::usage;
  }
  LaunchSpec& spec = options.launch;
  if (spec.command.empty()) spec.command.push_back(default_listener_path());
  if (options.environment_file.has_value()) {
    auto entries = read_environment_file(*options.environment_file);
    if (!entries.ok()) {
      log.event("usage_error", {{"error", entries.error().message}});
      return entries.error().exit_code;
    }
    // The file's entries first: the command line's --env entries win.
    spec.environment.insert(spec.environment.begin(), entries.value().begin(), entries.value().end());
  }
  UniqueFd output;
  const std::optional<std::string>& log_file = options.log_file;
  if (log_file.has_value()) {
    auto opened = open_log_file(*log_file);
    if (!opened.ok()) {
      log.event("error", {{"error", opened.error().message}});
      return opened.error().exit_code;
    }
    output = std::move(opened).value();
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
    return segment.error().exit_code;
  }
  // The worker's own NOTIFY_SOCKET, named after the user and the pair: only the controller holding the
  // name's lock binds it, and a worker adopted by the next controller of the name still reaches it.
  std::optional<NotifySocket> notify_socket;
  if (options.notify_socket) {
    auto opened = NotifySocket::open(fmt::format("@tether-notify/{}/{}", getuid(), name));
    if (!opened.ok()) {
      log.event("error", {{"error", opened.error().message}});
      return opened.error().exit_code;
    }
    spec.environment.push_back("NOTIFY_SOCKET=" + opened.value().address());
    notify_socket.emplace(std::move(opened.value()));
  }
  WorkerNotices notices(std::move(notify_socket), segment.value().worker_notice_area());
  PosixProcesses processes(spec);
  processes.set_output(output.get());
  // Log rotation: the next launch writes to a freshly opened file (a running worker keeps its
  // descriptor; the file is opened for appending, so copy-and-truncate rotation is safe for it).
  const auto reopen_log_file = [&] {
    if (!log_file.has_value()) return;
    auto reopened = open_log_file(*log_file);
    if (!reopened.ok()) {
      log.event("log_file_reopen_failed", {{"error", reopened.error().message}});
      return;
    }
    output = std::move(reopened).value();
    processes.set_output(output.get());
    log.event("log_file_reopened", {{"path", *log_file}});
  };
  SteadyClock clock;
  ServiceManagerNotifier manager(clock.now_ns());
  if (manager.problem().has_value()) {
    log.event("error", {{"error", *manager.problem()}});
    return exit_code::unavailable;
  }
  ControllerCore core(options.config, segment.value(), processes, self_identity());
  ControllerReporter report(segment.value().controller_report_area(), options.config);
  const int code =
      run_controller_loop({core, processes, signals, notices, manager, report, clock, log, reopen_log_file});
  // Still holding the lock: nobody else can be using the name while we remove it.
  if (core.remove_segment()) MappedSegment::remove(name);
  return code;
}
