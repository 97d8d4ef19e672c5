#include "support/processes.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "adapters/mapped_segment.hpp"

extern char** environ;

namespace tether::bench {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

pid_t parent_of(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string state;
  pid_t parent = -1;
  fields >> state >> parent;
  return parent;
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string file = entry.path().filename().string();
    if (file.empty() || file.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(file));
    if (parent_of(pid) == parent) children.push_back(pid);
  }
  return children;
}

}  // namespace

std::uint64_t now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(now.tv_nsec);
}

std::string binary(std::string_view program) { return std::string(TETHER_BIN_DIR) + "/" + std::string(program); }

pid_t spawn(const std::vector<std::string>& argv, int output_fd, int input_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, input_fd, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (output_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  std::vector<std::string> arguments = argv;
  std::vector<char*> argument_pointers;
  for (auto& argument : arguments) argument_pointers.push_back(argument.data());
  argument_pointers.push_back(nullptr);
  std::vector<char*> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    if (variable.starts_with("TETHER_NAME=") || variable.starts_with("TETHER_GENERATION=") ||
        variable.starts_with("TETHER_INCARNATION=")) {
      continue;
    }
    environment.push_back(*entry);
  }
  environment.push_back(nullptr);
  pid_t pid = -1;
  const int error =
      posix_spawn(&pid, argument_pointers[0], &actions, nullptr, argument_pointers.data(), environment.data());
  posix_spawn_file_actions_destroy(&actions);
  return error == 0 ? pid : -1;
}

bool wait_for_death(int pidfd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Each poll ends on the death, a timeout or a signal; the deadline bounds the retries.
  for (;;) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return false;
    pollfd descriptor{pidfd, POLLIN, 0};
    const int ready = poll(&descriptor, 1, static_cast<int>(remaining.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

int reap(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t reaped = waitpid(pid, &status, WNOHANG);
    if (reaped == pid) break;
    if (reaped < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      if (waitpid(pid, &status, 0) != pid) return -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

bool sleeping_in(pid_t pid, std::string_view prefix) {
  const std::string wchan = read_text("/proc/" + std::to_string(pid) + "/wchan");
  return std::string_view(wchan).starts_with(prefix);
}

bool wait_until_sleeping_in(pid_t pid, std::string_view prefix, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!sleeping_in(pid, prefix)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Sleep rather than spin: the process we wait for may share our CPU.
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

std::optional<std::uint64_t> proc_kib(pid_t pid, std::string_view file, std::string_view key) {
  std::istringstream lines(read_text("/proc/" + std::to_string(pid) + "/" + std::string(file)));
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    std::istringstream value(line.substr(key.size() + 1));
    std::uint64_t kib = 0;
    if (value >> kib) return kib;
  }
  return std::nullopt;
}

CpuPin::CpuPin() {
  cpu_set_t current;
  CPU_ZERO(&current);
  if (sched_getaffinity(0, sizeof(current), &current) != 0) return;
  const auto* bytes = reinterpret_cast<const unsigned char*>(&current);
  previous_.assign(bytes, bytes + sizeof(current));
  for (int cpu = CPU_SETSIZE - 1; cpu >= 0; --cpu) {
    if (CPU_ISSET(cpu, &current)) {
      cpu_ = cpu;
      break;
    }
  }
  if (cpu_ < 0) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu_, &one);
  ok_ = sched_setaffinity(0, sizeof(one), &one) == 0;
}

CpuPin::~CpuPin() {
  if (previous_.size() != sizeof(cpu_set_t)) return;
  cpu_set_t previous;
  std::copy(previous_.begin(), previous_.end(), reinterpret_cast<unsigned char*>(&previous));
  sched_setaffinity(0, sizeof(previous), &previous);
}

ScopedNice::ScopedNice(int nice) {
  const auto thread = static_cast<id_t>(gettid());
  errno = 0;
  previous_ = getpriority(PRIO_PROCESS, thread);
  if (errno != 0) return;
  raised_ = setpriority(PRIO_PROCESS, thread, nice) == 0;
}

ScopedNice::~ScopedNice() {
  if (raised_) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), previous_);
}

void kill_descendants() {
  constexpr int rounds_max = 20;  // one round per generation of descendants; ours are two deep
  for (int round = 0; round < rounds_max; ++round) {
    const auto children = children_of(getpid());
    if (children.empty()) return;
    for (const pid_t child : children) kill(child, SIGKILL);
    for (const pid_t child : children) waitpid(child, nullptr, 0);
  }
}

RunGuard::~RunGuard() {
  kill_descendants();
  for (const auto& name : names_) MappedSegment::remove(name);
}

std::string RunGuard::name(std::string_view family) {
  static int counter = 0;  // per process: with the pid it makes names unique on the host
  names_.push_back(fmt::format("it-bench-{}-{}-{}", family, getpid(), ++counter));
  return names_.back();
}

}  // namespace tether::bench
