#pragma once
// Helpers shared by the integration tests: command lines with options and failpoints, a view of
// a pair's processes from /proc that does not trust the segment, and timings read from JSON log lines.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "harness.hpp"

namespace tether::testing {

// `[env TETHER_FAILPOINTS=...] tether-controller --name NAME <controller_args> -- <command>`. An empty
// `command` means the default tether-listener; `controller_failpoints` is set on the controller only
// when non-empty (its listener inherits it, but passes none of the controller's points).
std::vector<std::string> controller_command(const std::string& name, const std::vector<std::string>& controller_args,
                                            const std::vector<std::string>& command,
                                            const std::string& controller_failpoints = "");

// The tether-listener of this build with arguments.
std::vector<std::string> listener_command(const std::vector<std::string>& listener_args);

// A listener that ignores SIGTERM: SIG_IGN survives exec, so only SIGKILL can end it early.
std::vector<std::string> sigterm_ignoring_listener(const std::vector<std::string>& listener_args);

// A listener run with its own TETHER_FAILPOINTS.
std::vector<std::string> listener_with_failpoints(const std::string& failpoints,
                                                  const std::vector<std::string>& listener_args);

// Live (not zombie) tether-listener processes whose environment names this pair, found through /proc
// alone: the count a second listener would show up in even if the segment recorded only one.
std::vector<pid_t> listener_processes(const std::string& name);

// Start time of a process in clock ticks (field 22 of /proc/PID/stat); nullopt when it is gone.
std::optional<unsigned long long> start_time_ticks(pid_t pid);

// Every JSON log line with this event whose fields include every `key=value` of `match` (values
// compared as text), in order. Text lines (a listener logging as text) are skipped.
std::vector<nlohmann::json> json_events(const std::string& log, const std::string& event,
                                        const std::vector<std::pair<std::string, std::string>>& match = {});

// Milliseconds since the epoch of a JSON log line's "time" (millisecond resolution, UTC).
long long log_time_ms(const nlohmann::json& line);

// Time of the first matching event, or nullopt.
std::optional<long long> json_event_time_ms(const std::string& log, const std::string& event,
                                            const std::vector<std::pair<std::string, std::string>>& match = {});

}  // namespace tether::testing
