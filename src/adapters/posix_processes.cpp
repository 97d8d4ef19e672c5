#include "adapters/posix_processes.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_set>

#include "adapters/failpoints.hpp"
#include "adapters/gated_spawn.hpp"
#include "adapters/pidfd.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/verified_signal.hpp"
#include "core/assert.hpp"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace tether {

namespace {

std::string_view variable_name(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// The worker's environment: ours, then the configured entries, then TETHER_NAME and the launch ticket
// (TETHER_INCARNATION, TETHER_GENERATION); a later entry replaces an earlier one of the same name.
// A service manager's notify variables in ours are addressed to the controller, not to the worker (a
// worker that answered them would be taken for the controller): they are not passed on.
bool addressed_to_controller(std::string_view entry) {
  const std::string_view name = variable_name(entry);
  return name == "NOTIFY_SOCKET" || name == "WATCHDOG_USEC" || name == "WATCHDOG_PID";
}

std::vector<std::string> child_environment(const LaunchSpec& spec, LaunchTicket ticket) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (!addressed_to_controller(*entry)) entries.emplace_back(*entry);
  }
  entries.insert(entries.end(), spec.environment.begin(), spec.environment.end());
  entries.push_back("TETHER_NAME=" + spec.name);
  entries.push_back("TETHER_INCARNATION=" + std::to_string(ticket.incarnation));
  entries.push_back("TETHER_GENERATION=" + std::to_string(ticket.generation));
  std::vector<std::string> environment;
  // A set, not a search of what is kept: an env file may hold 100,000 entries (its 1 MiB limit), and
  // a quadratic pass over them took a minute of CPU per launch.
  std::unordered_set<std::string_view> names_kept;
  names_kept.reserve(entries.size());
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    if (names_kept.insert(variable_name(*entry)).second) environment.push_back(*entry);
  }
  std::reverse(environment.begin(), environment.end());
  return environment;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

// Signals the process group led by `identity` when it leads one (our workers do), else the process
// alone. Signal 0 through the pidfd first proves the leader is still that process, so its group id is
// still its group's (the id cannot be reused while the leader is unreaped or any member lives); then
// one kill reaches every member, the leader once. (Signalling the leader through the pidfd and then
// the group gave it the stop signal twice, and many programs read a second one as "quit now".)
SignalOutcome signal_group(ProcessIdentity identity, int pidfd, int signal_number) {
  const SignalOutcome leader = send_pidfd_signal(pidfd, 0);
  if (leader != SignalOutcome::delivered) return leader;
  if (getpgid(identity.pid) == identity.pid && kill(-identity.pid, signal_number) == 0) {
    return SignalOutcome::delivered;
  }
  return send_pidfd_signal(pidfd, signal_number);
}

}  // namespace

PosixProcesses::PosixProcesses(LaunchSpec spec) : spec_(std::move(spec)) { TETHER_ASSERT(!spec_.command.empty()); }

Result<ProcessIdentity, SpawnError> PosixProcesses::spawn(LaunchTicket ticket) {
  TETHER_ASSERT(watched_.size() < watched_max);
  // Checked now, though the exec comes at the release: a program or directory that is not there will
  // not appear by restarting.
  std::error_code directory_error;  // the throwing overload would end the controller on EACCES or ELOOP
  if (spec_.directory.has_value() && !std::filesystem::is_directory(*spec_.directory, directory_error)) {
    return fail(SpawnError::not_found);
  }
  const auto program = resolve_program(spec_.command.front(), spec_.directory);
  if (!program.has_value()) return fail(SpawnError::not_found);
  std::vector<std::string> arguments = spec_.command;
  std::vector<std::string> environment = child_environment(spec_, ticket);
  auto argv = pointers(arguments);
  auto envp = pointers(environment);
  GatedSpawnPlan plan;
  plan.program = program->c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.directory = spec_.directory.has_value() ? spec_.directory->c_str() : nullptr;
  plan.output_fd = output_fd_;
  UniqueFd notification_read;
  UniqueFd notification_write;  // only the worker may keep the write end: its EOF tells
  if (spec_.notification_fd >= 0) {
    int notification[2] = {-1, -1};
    if (pipe2(notification, O_CLOEXEC | O_NONBLOCK) != 0) return fail(SpawnError::resources);
    notification_read.reset(notification[0]);
    notification_write.reset(notification[1]);
    // The worker's end blocks, as a pipe it was handed would (only ours must never block).
    fcntl(notification_write.get(), F_SETFL, 0);
    plan.notification_write_fd = notification_write.get();
    plan.notification_fd = spec_.notification_fd;
  }
  auto child = spawn_gated(plan);
  notification_write.reset();
  if (!child.ok()) return fail(child.error());
  const pid_t pid = child.value().pid;
  // Until we reap it, the child's /proc entry and pid stay ours, even if it has already exited.
  UniqueFd pidfd(pidfd_open_process(pid));
  const auto stat = read_proc_stat(pid);
  if (!pidfd || !stat.has_value()) {
    child.value().gate.reset();  // it exits at its gate without running anything
    waitpid(pid, nullptr, 0);
    return fail(SpawnError::identity_unknown);
  }
  watched_.push_back(
      {stat->identity, std::move(pidfd), true, std::move(child.value().gate), std::move(notification_read)});
  return stat->identity;
}

void PosixProcesses::release(ProcessIdentity identity) {
  const auto found =
      std::find_if(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.identity == identity; });
  if (found == watched_.end() || !found->gate) return;  // collected already, or adopted (no gate)
  open_gate(std::move(found->gate));
}

bool PosixProcesses::is_alive(ProcessIdentity identity) { return identity_alive(identity); }

bool PosixProcesses::watch(ProcessIdentity identity) {
  TETHER_ASSERT(identity.valid());
  if (std::any_of(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.identity == identity; })) {
    return true;
  }
  TETHER_ASSERT(watched_.size() < watched_max);
  UniqueFd pidfd(pidfd_open_process(identity.pid));
  if (!pidfd) return false;
  // Checked after opening: the pidfd now pins whichever process had the pid, and the check proves it
  // is the one we were asked for, not a stranger that inherited the pid.
  if (!identity_alive(identity)) return false;
  watched_.push_back({identity, std::move(pidfd), false, UniqueFd(), UniqueFd()});
  return true;
}

SignalOutcome PosixProcesses::signal(ProcessIdentity identity, Signal signal) {
  TETHER_ASSERT(identity.valid());
  const auto found =
      std::find_if(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.identity == identity; });
  const int signal_number = signal == Signal::kill ? SIGKILL : spec_.stop_signal;
  failpoint(signal == Signal::kill ? SignalPoint::before_kill : SignalPoint::before_terminate);
  // A watched process's pidfd was verified when it was opened and pins that process for good.
  if (found != watched_.end()) return signal_group(identity, found->pidfd.get(), signal_number);
  return send_verified_signal(identity, signal_number);
}

ExitStatus PosixProcesses::collect(ProcessIdentity identity) {
  const auto found =
      std::find_if(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.identity == identity; });
  TETHER_ASSERT(found != watched_.end());
  ExitStatus status = ExitStatus::unknown_status();
  // Whatever the worker left running in its group goes with it: nothing is orphaned. A child's pid (its
  // group id) stays reserved until we reap it. An adopted worker is reaped by its new parent: until then
  // its zombie still carries its identity; afterwards its number is either free (ESRCH), reserved by its
  // own surviving group members, or already a stranger's pid — the one case where we must not touch
  // the group it names.
  // Our own child's pid cannot have been reused before we reap it below: only an adopted one is read.
  const auto group_still_its = [&] {
    const auto now_there = read_proc_stat(identity.pid);
    return !now_there.has_value() || now_there->identity == identity;
  };
  if (found->child || group_still_its()) kill(-identity.pid, SIGKILL);
  if (found->child) {
    siginfo_t info{};
    if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(found->pidfd.get()), &info, WEXITED) == 0) {
      status = info.si_code == CLD_EXITED ? ExitStatus::code(info.si_status) : ExitStatus::signal(info.si_status);
    }
  }
  watched_.erase(found);  // closes its descriptors
  return status;
}

NotificationRead PosixProcesses::read_notification(ProcessIdentity identity) {
  const auto found =
      std::find_if(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.identity == identity; });
  if (found == watched_.end() || !found->notification_read) return {};
  NotificationRead read = read_notification_fd(found->notification_read.get(), found->notification_bytes);
  if (read.outcome != NotificationRead::Outcome::pending) found->notification_read.reset();
  return read;
}

}  // namespace tether
