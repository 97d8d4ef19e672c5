#pragma once
// The controller's ProcessPort for real: launches held at a gate until released (gated_spawn.hpp), each
// worker in a process group of its own, a pidfd per watched process (child or adopted) so that exits are seen through
// poll and signals can never reach a recycled pid.
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "adapters/notify_pipe.hpp"
#include "adapters/unique_fd.hpp"
#include "core/exit_status.hpp"
#include "core/ports.hpp"

namespace tether {

// How to start the worker.
struct LaunchSpec {
  std::vector<std::string> command;      // argv; argv[0] searched in PATH when it has no slash
  std::string name;                      // passed as TETHER_NAME
  std::optional<std::string> directory;  // working directory; ours when unset
  std::vector<std::string> environment;  // KEY=VALUE entries set on top of ours
  int stop_signal = SIGTERM;             // what Signal::terminate sends
  int notification_fd = -1;              // --notification-fd: the readiness pipe's number; -1: none
};

class PosixProcesses final : public ProcessPort {
 public:
  struct Watched {
    ProcessIdentity identity;
    UniqueFd pidfd;
    bool child = false;                  // only children can be waited for (their exit code known)
    UniqueFd gate;                       // a child not yet released: closing this makes it exit unrun
    UniqueFd notification_read;          // the readiness pipe's read end until it has said its one thing
    std::size_t notification_bytes = 0;  // read from it so far
  };
  // Watching more processes than this means the core lost track of them: a bug, asserted.
  static constexpr std::size_t watched_max = 16;

  explicit PosixProcesses(LaunchSpec spec);
  ~PosixProcesses() override = default;  // a launch never released exits at its closed gate
  PosixProcesses(const PosixProcesses&) = delete;
  PosixProcesses& operator=(const PosixProcesses&) = delete;

  Result<ProcessIdentity, SpawnError> spawn(LaunchTicket ticket) override;
  void release(ProcessIdentity identity) override;
  bool is_alive(ProcessIdentity identity) override;
  bool watch(ProcessIdentity identity) override;
  // Signals the worker's whole process group (its children too), after verifying the leader's identity.
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override;

  [[nodiscard]] const std::vector<Watched>& watched() const { return watched_; }
  // The watched process's pidfd became readable: kill what is left of its process group, reap it
  // (children) and stop watching it.
  ExitStatus collect(ProcessIdentity identity);
  // The watched process's readiness pipe became readable: what it says (notify_pipe.hpp). Closed once
  // the outcome is decisive, so it is polled no more.
  NotificationRead read_notification(ProcessIdentity identity);

  // Where later launches send their stdout and stderr: a descriptor we keep open (-1: ours).
  void set_output(int output_fd) { output_fd_ = output_fd; }

 private:
  LaunchSpec spec_;
  int output_fd_ = -1;
  std::vector<Watched> watched_;
};

}  // namespace tether
