#pragma once
// Starting a worker held at a gate. The controller forks a child that sets itself up (default signals,
// its own process group, working directory, output) and then waits on one end of a socket pair; only
// when the controller sends the go byte does it exec the command. If the controller dies first, the
// child reads end-of-file and exits without running anything. So a launch the controller has not yet
// recorded in the segment cannot outlive it as a worker nobody knows of (ports.hpp, ProcessPort::spawn).
//
// fork() rather than posix_spawn: a vfork-style spawn suspends the parent until the exec, which the
// gate defers. The controller is single-threaded, and the child calls only async-signal-safe functions
// between the fork and the exec.
#include <optional>
#include <string>
#include <sys/types.h>

#include "adapters/unique_fd.hpp"
#include "core/ports.hpp"
#include "core/result.hpp"

namespace tether {

struct GatedSpawnPlan {
  const char* program = nullptr;    // what execve runs: resolve_program's answer
  char* const* argv = nullptr;      // null-terminated
  char* const* envp = nullptr;      // null-terminated
  const char* directory = nullptr;  // chdir before the exec; nullptr: ours
  int output_fd = -1;               // becomes stdout and stderr; -1: ours
  int notification_write_fd = -1;   // the write end of the readiness pipe (notify_pipe.hpp); -1: none
  int notification_fd = -1;         // the number the worker finds it under (--notification-fd)
};

struct GatedChild {
  pid_t pid = 0;
  UniqueFd gate;  // ours: open_gate() lets the child exec; closing it unsent makes the child exit
};

// The child's exit codes when it never runs the command.
inline constexpr int gate_closed_exit_code = 75;   // EX_TEMPFAIL: the controller let go before the release
inline constexpr int exec_failed_exit_code = 127;  // as a shell reports a command it could not run

// Where execvp would find `program` (PATH search unless it has a slash), checked to be an executable
// file, so that a missing program is reported at spawn time although the exec happens later. Relative
// paths are taken relative to `directory` when one is given (the child changes into it first).
std::optional<std::string> resolve_program(const std::string& program, const std::optional<std::string>& directory);

Result<GatedChild, SpawnError> spawn_gated(const GatedSpawnPlan& plan);

// Sends the go byte and closes the gate. A child that has died meanwhile is no error.
void open_gate(UniqueFd gate);

}  // namespace tether
