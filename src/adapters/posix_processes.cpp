#include "adapters/posix_processes.hpp"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/pidfd.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/verified_signal.hpp"

extern char** environ;

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace tether {

namespace {

// The listener's environment: ours, with TETHER_NAME and TETHER_GENERATION replaced.
std::vector<std::string> child_environment(const std::string& name, std::uint64_t generation) {
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    if (variable.starts_with("TETHER_NAME=") || variable.starts_with("TETHER_GENERATION=")) continue;
    environment.emplace_back(variable);
  }
  environment.push_back("TETHER_NAME=" + name);
  environment.push_back("TETHER_GENERATION=" + std::to_string(generation));
  return environment;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

// The controller blocks its signals to read them from a signalfd; the listener must start with none
// blocked and default dispositions, or SIGTERM would never reach it.
struct SpawnAttributes {
  posix_spawnattr_t attributes{};
  SpawnAttributes() {
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int signal_number : {SIGINT, SIGTERM, SIGUSR1, SIGHUP, SIGPIPE, SIGCHLD}) {
      sigaddset(&defaults, signal_number);
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

int to_signal_number(Signal signal) { return signal == Signal::kill ? SIGKILL : SIGTERM; }

}  // namespace

PosixProcesses::PosixProcesses(std::vector<std::string> command, std::string name)
    : command_(std::move(command)), name_(std::move(name)) {
  assert(!command_.empty());
}

PosixProcesses::~PosixProcesses() {
  for (const auto& entry : watched_) close(entry.pidfd);
}

Result<ProcessIdentity, SpawnError> PosixProcesses::spawn(std::uint64_t generation) {
  assert(watched_.size() < watched_max);
  std::vector<std::string> arguments = command_;
  std::vector<std::string> environment = child_environment(name_, generation);
  auto argv = pointers(arguments);
  auto envp = pointers(environment);
  SpawnAttributes attributes;
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, argv[0], nullptr, &attributes.attributes, argv.data(), envp.data());
  if (error == ENOENT || error == EACCES || error == ENOEXEC || error == ENOTDIR) {
    return fail(SpawnError::not_found);
  }
  if (error != 0) return fail(SpawnError::resources);
  // Until we reap it, the child's /proc entry and pid stay ours, even if it has already exited.
  const int pidfd = pidfd_open_process(pid);
  const auto stat = read_proc_stat(pid);
  if (pidfd < 0 || !stat.has_value()) {
    if (pidfd >= 0) close(pidfd);
    waitpid(pid, nullptr, 0);
    return fail(SpawnError::identity_unknown);
  }
  watched_.push_back({stat->identity, pidfd, true});
  return stat->identity;
}

bool PosixProcesses::is_alive(ProcessIdentity identity) { return identity_alive(identity); }

bool PosixProcesses::watch(ProcessIdentity identity) {
  assert(identity.valid());
  if (std::any_of(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.identity == identity; })) {
    return true;
  }
  assert(watched_.size() < watched_max);
  const int pidfd = pidfd_open_process(identity.pid);
  if (pidfd < 0) return false;
  // Checked after opening: the pidfd now pins whichever process had the pid, and the check proves it
  // is the one we were asked for, not a stranger that inherited the pid.
  if (!identity_alive(identity)) {
    close(pidfd);
    return false;
  }
  watched_.push_back({identity, pidfd, false});
  return true;
}

SignalOutcome PosixProcesses::signal(ProcessIdentity identity, Signal signal) {
  assert(identity.valid());
  const auto found = std::find_if(watched_.begin(), watched_.end(),
                                  [&](const Watched& w) { return w.identity == identity; });
  // A watched process's pidfd was verified when it was opened and pins that process for good.
  if (found != watched_.end()) return send_pidfd_signal(found->pidfd, to_signal_number(signal));
  return send_verified_signal(identity, to_signal_number(signal));
}

ExitStatus PosixProcesses::collect(ProcessIdentity identity) {
  const auto found = std::find_if(watched_.begin(), watched_.end(),
                                  [&](const Watched& w) { return w.identity == identity; });
  assert(found != watched_.end());
  ExitStatus status = ExitStatus::unknown_status();
  if (found->child) {
    siginfo_t info{};
    if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(found->pidfd), &info, WEXITED) == 0) {
      status = info.si_code == CLD_EXITED ? ExitStatus::code(info.si_status)
                                          : ExitStatus::signal(info.si_status);
    }
  }
  close(found->pidfd);
  watched_.erase(found);
  return status;
}

}  // namespace tether
