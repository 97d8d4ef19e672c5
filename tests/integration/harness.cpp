#include "harness.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace tether::testing {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  // libstdc++'s filebuf throws when a /proc file's process exits mid-read (ESRCH); to a scan of /proc
  // (~Cleanup's, where a throw is std::terminate) that process is simply gone.
  try {
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  } catch (const std::exception&) {
    return {};
  }
}

std::string temp_path(const std::string& stem) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          (stem + "." + std::to_string(getpid()) + "." + std::to_string(++counter)))
      .string();
}

// Starts argv with stdout and stderr sent to files; stdin from /dev/null.
pid_t spawn_with_files(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> pointers;
  std::vector<std::string> copy = argv;
  for (auto& argument : copy) pointers.push_back(argument.data());
  pointers.push_back(nullptr);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
  return pid;
}

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::optional<int> wait_pid(pid_t pid, std::chrono::milliseconds timeout) {
  std::optional<int> code;
  wait_until(
      [&] {
        int status = 0;
        const pid_t reaped = waitpid(pid, &status, WNOHANG);
        if (reaped == pid) code = decode(status);
        return reaped == pid || (reaped < 0 && errno == ECHILD);
      },
      timeout);
  return code;
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string file = entry.path().filename().string();
    if (file.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(file));
    if (parent_of(pid) == parent) children.push_back(pid);
  }
  return children;
}

}  // namespace

std::string binary(const std::string& program) { return std::string(TETHER_BIN_DIR) + "/" + program; }

std::string unique_name(const std::string& stem) {
  static int counter = 0;
  return "it-" + stem + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

bool segment_exists(const std::string& name) {
  struct stat status {};
  return stat(("/dev/shm/tether." + name).c_str(), &status) == 0;
}

void remove_segment(const std::string& name) { std::filesystem::remove("/dev/shm/tether." + name); }

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

pid_t parent_of(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string state;
  pid_t parent = -1;
  fields >> state >> parent;
  return parent;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);  // the polling interval of a bounded wait, not a synchronisation
  }
  return true;
}

CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  const std::string out = temp_path("tether-test-out");
  const std::string err = temp_path("tether-test-err");
  const pid_t pid = spawn_with_files(argv, out, err);
  CommandResult result;
  const auto code = wait_pid(pid, timeout);
  if (!code.has_value()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  result.exit_code = code.value_or(-1);
  result.output = read_file(out);
  result.errors = read_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

std::optional<nlohmann::json> status_json(const std::string& name) {
  const auto result = run({binary("tether"), "status", name, "--json"});
  auto parsed = nlohmann::json::parse(result.output, nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

pid_t listener_pid(const std::string& name) {
  const auto status = status_json(name);
  if (!status || !status->contains("listener_pid") || (*status)["listener_pid"].is_null()) return 0;
  // A launched worker that has not registered yet is not a (registered) listener.
  if ((*status)["state"] == "unregistered") return 0;
  return (*status)["listener_pid"].get<pid_t>();
}

Process::Process(const std::vector<std::string>& argv) : log_path_(temp_path("tether-test-log")) {
  pid_ = spawn_with_files(argv, "/dev/null", log_path_);
}

Process::~Process() {
  if (!exit_code_.has_value()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  validate_log();
  std::filesystem::remove(log_path_);
}

// What the process and its workers logged must be a behaviour the cores allow (the validator's rules:
// order, grammar per process, the invariants event lines can show). A log with no tether event line
// (a refused start, say) has nothing to hold; a build without the simulator has no validator. Its
// workers may outlive it until ~Cleanup and still be writing: only complete lines are judged.
void Process::validate_log() const {
  const std::string validator = binary("tether-sim");
  if (access(validator.c_str(), X_OK) != 0) return;
  const std::string text = log();
  const std::string complete_lines = temp_path("tether-test-validated");
  std::ofstream(complete_lines) << text.substr(0, text.rfind('\n') + 1);
  const CommandResult result = run({validator, "validate", complete_lines});
  std::filesystem::remove(complete_lines);
  if (result.exit_code == 0 || contains(result.output + result.errors, "no tether event lines")) return;
  ADD_FAILURE() << "the log of " << pid_ << " breaks the cores' rules (tether-sim validate exited " << result.exit_code
                << "):\n"
                << result.output << result.errors << "--- the log:\n"
                << log();
}

std::string Process::log() const { return read_file(log_path_); }

bool Process::log_contains(const std::string& text) const { return log().find(text) != std::string::npos; }

int Process::log_count(const std::string& text) const {
  std::istringstream lines(log());
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(text) != std::string::npos) ++count;
  }
  return count;
}

void Process::signal(int signal_number) const { kill(pid_, signal_number); }

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
  if (!exit_code_.has_value()) exit_code_ = wait_pid(pid_, timeout);
  return exit_code_;
}

Cleanup::Cleanup() { prctl(PR_SET_CHILD_SUBREAPER, 1); }

Cleanup::~Cleanup() {
  // Kill descendants level by level: killing a controller hands its listener to us (subreaper).
  for (int round = 0; round < 20; ++round) {
    const auto children = children_of(getpid());
    if (children.empty()) break;
    for (const pid_t child : children) kill(child, SIGKILL);
    for (const pid_t child : children) waitpid(child, nullptr, 0);
  }
  for (const auto& name : names_) remove_segment(name);
}

std::string Cleanup::name(const std::string& stem) {
  names_.push_back(unique_name(stem));
  return names_.back();
}

}  // namespace tether::testing
