#pragma once
// Runs a scenario script of scripts/ as PID 1 of a private PID namespace (where PIDs can be handed to a
// chosen process through ns_last_pid) and parses the key=value facts it prints.
#include <map>
#include <string>

namespace tether::testing {

// True when this machine lets us create PID namespaces (root, unshare); otherwise `why` says why not.
bool pid_namespaces_available(std::string& why);

struct NamespaceRun {
  std::map<std::string, std::string> facts;  // the script's key=value lines
  std::string report;                        // everything it printed, for failure messages
};

// `unshare --pid --fork --mount-proc --kill-child bash scripts/SCRIPT BIN_DIR NAME MODE`: every process of
// the scenario dies with the namespace, even when the run times out. Expects exit 0 (set-up worked).
NamespaceRun run_in_pid_namespace(const std::string& script, const std::string& name, const std::string& mode);

}  // namespace tether::testing
