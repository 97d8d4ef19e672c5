#include "os_behaviour_support.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sstream>
#include <string_view>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/proc_identity.hpp"
#include "harness.hpp"

namespace tether::testing {

namespace {

constexpr std::size_t facts_bytes_max = 64 * 1024;

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

std::map<std::string, std::string> parse_facts(const std::string& text) {
  std::map<std::string, std::string> facts;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) facts[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return facts;
}

// PID 1 of the new namespace: a /proc of its own, then the scenario. Never returns.
[[noreturn]] void run_namespace_init(const std::function<void(const Facts&)>& scenario, int facts_fd) {
  const Facts facts(facts_fd);
  // Dies with the helper (and with it every process of the namespace) if the test process kills it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    facts.put("setup_failed", "mount /proc: errno " + std::to_string(errno));
    _exit(1);
  }
  scenario(facts);
  _exit(0);
}

}  // namespace

void Facts::put(const std::string& key, long long value) const { put(key, std::to_string(value)); }

void Facts::put(const std::string& key, const std::string& value) const { write_all(fd_, key + "=" + value + "\n"); }

pid_t fork_sleeper(const std::function<void()>& setup) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (setup) setup();
  for (;;) pause();
}

int reap(pid_t pid) {
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, 0) == pid) return status;
    if (errno != EINTR) return -1;
  }
}

char proc_state(pid_t pid) {
  const auto stat = read_proc_stat(pid);
  return stat.has_value() ? stat->state : '?';
}

std::string read_until(int fd, std::size_t count, std::chrono::milliseconds timeout) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (text.size() < count) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd descriptor{fd, POLLIN, 0};
    if (poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t got = read(fd, buffer, std::min(sizeof buffer, count - text.size()));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

bool set_last_pid(pid_t last_pid) {
  const int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const std::string text = std::to_string(last_pid);
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return written;
}

std::map<std::string, std::string> facts_from_new_pid_namespace(const std::function<void(const Facts&)>& scenario) {
  int pipe_fds[2] = {-1, -1};
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {{"setup_failed", "pipe"}};
  const pid_t helper = fork();
  if (helper == 0) {
    close(pipe_fds[0]);
    const Facts facts(pipe_fds[1]);
    if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) {
      facts.put("setup_failed", "unshare: errno " + std::to_string(errno));
      _exit(1);
    }
    const pid_t init = fork();
    if (init == 0) run_namespace_init(scenario, pipe_fds[1]);
    close(pipe_fds[1]);
    _exit(init > 0 && reap(init) == 0 ? 0 : 1);
  }
  close(pipe_fds[1]);
  if (helper < 0) {
    close(pipe_fds[0]);
    return {{"setup_failed", "fork"}};
  }
  // Until end-of-file: the scenario and every process of the namespace that inherited the pipe ended.
  const std::string text = read_until(pipe_fds[0], facts_bytes_max, wait_timeout);
  close(pipe_fds[0]);
  int status = 0;
  const bool finished = wait_until([&] { return waitpid(helper, &status, WNOHANG) == helper; });
  if (!finished) {
    kill(helper, SIGKILL);  // a scenario that overran the deadline: its namespace dies with the helper
    status = reap(helper);
  }
  auto facts = parse_facts(text);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) facts.emplace("setup_failed", "the scenario did not finish");
  return facts;
}

}  // namespace tether::testing
