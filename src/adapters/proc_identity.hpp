#pragma once
// Process identities from /proc: pid plus start time (field 22 of /proc/PID/stat).
#include <optional>
#include <sys/types.h>

#include "core/ports.hpp"
#include "core/process_identity.hpp"

namespace tether {

struct ProcStat {
  ProcessIdentity identity;
  char state = '?';  // 'Z' zombie, 'X' dead: such a process has ended even though its entry remains
};

// Reads /proc/PID/stat; nullopt when the pid does not exist (or the file cannot be parsed).
std::optional<ProcStat> read_proc_stat(pid_t pid);

// Parses the text of a /proc/PID/stat file; exposed for tests and fuzzing.
std::optional<ProcStat> parse_proc_stat(pid_t pid, std::string_view text);

// True when `identity` names a process that exists now and has not ended.
bool identity_alive(ProcessIdentity identity);

ProcessIdentity self_identity();

// The listener's view of process identities.
class ProcIdentities final : public IdentityPort {
 public:
  bool is_alive(ProcessIdentity identity) override { return identity_alive(identity); }
};

}  // namespace tether
