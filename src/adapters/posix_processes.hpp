#pragma once
// The controller's ProcessPort for real: posix_spawn for launches, a pidfd per watched process (child
// or adopted) so that exits are seen through poll and signals can never reach a recycled pid.
#include <string>
#include <vector>

#include "core/exit_status.hpp"
#include "core/ports.hpp"

namespace tether {

class PosixProcesses final : public ProcessPort {
 public:
  struct Watched {
    ProcessIdentity identity;
    int pidfd = -1;
    bool child = false;  // only children can be waited for (their exit code known)
  };
  // Watching more processes than this means the core lost track of them: a bug, asserted.
  static constexpr std::size_t watched_max = 16;

  // `command` is the listener's argv (argv[0] searched in PATH when it has no slash); `name` is passed
  // as TETHER_NAME.
  PosixProcesses(std::vector<std::string> command, std::string name);
  ~PosixProcesses() override;
  PosixProcesses(const PosixProcesses&) = delete;
  PosixProcesses& operator=(const PosixProcesses&) = delete;

  Result<ProcessIdentity, SpawnError> spawn(std::uint64_t generation) override;
  bool is_alive(ProcessIdentity identity) override;
  bool watch(ProcessIdentity identity) override;
  SignalOutcome signal(ProcessIdentity identity, Signal signal) override;

  [[nodiscard]] const std::vector<Watched>& watched() const { return watched_; }
  // The watched process's pidfd became readable: reap it (children) and stop watching it.
  ExitStatus collect(ProcessIdentity identity);

 private:
  std::vector<std::string> command_;
  std::string name_;
  std::vector<Watched> watched_;
};

}  // namespace tether
