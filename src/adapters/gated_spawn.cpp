#include "adapters/gated_spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tether {

namespace {

// execvp's fallback when PATH is unset (glibc's confstr(_CS_PATH)).
constexpr std::string_view default_search_path = "/bin:/usr/bin";
// A PATH with more entries than this is not a real one; the search stops there.
constexpr std::size_t search_path_entries_max = 256;
// The descriptor the waiting child keeps its end of the gate on (everything above it is closed).
constexpr int held_gate_fd = 3;
// Where the waiting child keeps the readiness pipe's write end until the gate opens.
constexpr int held_notification_fd = 4;

bool executable_file(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Appends `text` to `line` within `line_bytes_max`; async-signal-safe (no allocation, no locale).
void append(char* line, std::size_t& length, std::size_t line_bytes_max, std::string_view text) {
  for (const char c : text) {
    if (length == line_bytes_max) return;
    line[length++] = c;
  }
}

// The worker's stderr (the controller's, or --log-file) says why the command did not run, as a shell
// would; the exit code alone (127) cannot tell a bad interpreter line from a missing library.
// strerrordesc_np: a constant string, unlike strerror no locale and no buffer.
void report_child_failure(std::string_view doing, const char* what, int error_number) {
  constexpr std::size_t line_bytes_max = 512;
  char line[line_bytes_max];
  std::size_t length = 0;
  const char* description = strerrordesc_np(error_number);
  append(line, length, line_bytes_max - 1, "tether-controller: cannot ");
  append(line, length, line_bytes_max - 1, doing);
  append(line, length, line_bytes_max - 1, " '");
  append(line, length, line_bytes_max - 1, what);
  append(line, length, line_bytes_max - 1, "': ");
  append(line, length, line_bytes_max - 1, description != nullptr ? description : "unknown error");
  line[length++] = '\n';
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, line, length);
}

// Runs in the forked child: async-signal-safe calls only, and it never returns.
[[noreturn]] void run_held_child(const GatedSpawnPlan& plan, int gate_read, int gate_write) {
  close(gate_write);  // our copy would keep the gate from ever reading end-of-file
  // The controller ignores SIGPIPE and blocks the signals it reads from its signalfd: the worker starts
  // with default dispositions and nothing blocked, or SIGTERM would never reach it.
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  sigemptyset(&defaults.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM, SIGUSR1, SIGHUP, SIGPIPE, SIGCHLD}) {
    sigaction(signal_number, &defaults, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // A process group of its own (pgid = its pid), so that stopping it reaches everything it starts.
  setpgid(0, 0);
  if (plan.directory != nullptr && chdir(plan.directory) != 0) {
    report_child_failure("change into", plan.directory, errno);
    _exit(exec_failed_exit_code);
  }
  // Out of the way of stdout and stderr before they are replaced, then onto its fixed number.
  const int gate = fcntl(gate_read, F_DUPFD, held_gate_fd);
  if (gate < 0) _exit(exec_failed_exit_code);
  if (plan.output_fd >= 0 && (dup2(plan.output_fd, STDOUT_FILENO) < 0 || dup2(plan.output_fd, STDERR_FILENO) < 0)) {
    _exit(exec_failed_exit_code);
  }
  // The readiness pipe above both held numbers first, so that placing the gate cannot overwrite it.
  const int notification =
      plan.notification_write_fd < 0 ? -1 : fcntl(plan.notification_write_fd, F_DUPFD, held_notification_fd + 1);
  if (plan.notification_write_fd >= 0 && notification < 0) _exit(exec_failed_exit_code);
  if (gate != held_gate_fd && dup2(gate, held_gate_fd) < 0) _exit(exec_failed_exit_code);
  if (notification >= 0 && dup2(notification, held_notification_fd) < 0) _exit(exec_failed_exit_code);
  // Only stdio, the gate and the readiness pipe stay: the controller's lock, signalfd and pidfds must
  // not be held by a process waiting at its gate (a held lock would refuse the next controller of the
  // name).
  close_range(notification >= 0 ? held_notification_fd + 1 : held_gate_fd + 1, ~0U, 0);
  char go = 0;
  ssize_t got = 0;
  do {
    got = read(held_gate_fd, &go, 1);
  } while (got < 0 && errno == EINTR);
  if (got != 1) _exit(gate_closed_exit_code);
  close(held_gate_fd);
  // dup2 leaves the new number open across the exec (it clears close-on-exec).
  if (notification >= 0 && plan.notification_fd != held_notification_fd) {
    if (dup2(held_notification_fd, plan.notification_fd) < 0) _exit(exec_failed_exit_code);
    close(held_notification_fd);
  }
  execve(plan.program, plan.argv, plan.envp);
  report_child_failure("run", plan.program, errno);
  _exit(exec_failed_exit_code);
}

}  // namespace

std::optional<std::string> resolve_program(const std::string& program, const std::optional<std::string>& directory) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    const bool relative = program.front() != '/';
    const std::string seen_from = relative && directory.has_value() ? *directory + "/" + program : program;
    if (!executable_file(seen_from)) return std::nullopt;
    return program;  // the child resolves a relative one itself, from inside `directory`
  }
  const char* path_variable = std::getenv("PATH");
  std::string_view search_path = path_variable != nullptr ? std::string_view(path_variable) : default_search_path;
  for (std::size_t entry = 0; entry < search_path_entries_max; ++entry) {
    const auto colon = search_path.find(':');
    const std::string_view folder = search_path.substr(0, colon);
    const std::string candidate = (folder.empty() ? std::string(".") : std::string(folder)) + "/" + program;
    if (executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    search_path.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

Result<GatedChild, SpawnError> spawn_gated(const GatedSpawnPlan& plan) {
  // A socket pair rather than a pipe: send() with MSG_NOSIGNAL tells a dead child without a SIGPIPE.
  int gate[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gate) != 0) return fail(SpawnError::resources);
  UniqueFd child_end(gate[0]);
  UniqueFd our_end(gate[1]);
  const pid_t pid = fork();
  if (pid < 0) return fail(SpawnError::resources);
  if (pid == 0) run_held_child(plan, child_end.get(), our_end.get());
  child_end.reset();
  // Also from this side: a stop signal to its group must find the group even before the child's own
  // setpgid ran. (Fails harmlessly once the child has done it, or died.)
  setpgid(pid, pid);
  return GatedChild{pid, std::move(our_end)};
}

void open_gate(UniqueFd gate) {
  if (!gate) return;
  const char go = 1;
  ssize_t sent = 0;
  do {
    sent = send(gate.get(), &go, 1, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
}

}  // namespace tether
