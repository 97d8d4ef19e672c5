#pragma once
// A snapshot of one pair read from its segment, with liveness checked against /proc: what
// `tether status` and `tether list` print.
#include <optional>
#include <string>
#include <vector>

#include "adapters/segment_error.hpp"
#include "core/exit_status.hpp"
#include "core/ports.hpp"
#include "core/process_identity.hpp"
#include "core/result.hpp"

namespace tether {

struct PairStatus {
  std::string name;
  // listener_state_name; for a live launched process that has not registered (a plain worker, or one
  // still starting): "ready" or "stopping" once it said so through the notify socket or its readiness
  // pipe, else "unregistered"; "none" when no worker lives.
  std::string state;
  // What the worker itself last reported (listener_state_name, "unregistered" or "none"): `state` says
  // "stopping" from the shutdown request on, while the listener still finishes its unit.
  std::string reported_state;
  // The worker's last STATUS= text (notify socket), when the live worker sent one.
  std::optional<std::string> status_text;
  ProcessIdentity listener{};
  bool listener_alive = false;
  std::uint64_t generation = 0;
  std::uint64_t restarts = 0;
  bool shutdown_requested = false;
  ProcessIdentity controller{};
  bool controller_alive = false;
  std::optional<std::uint64_t> heartbeat_age_ms;
  // What the live controller reports (controller_report.hpp): why a pair is down and what comes next.
  std::optional<ExitStatus> last_exit;
  std::optional<std::uint64_t> last_exit_age_ms;
  std::optional<std::uint64_t> restart_in_ms;  // a restart is pending
  std::optional<std::uint64_t> consecutive_failures;
  std::optional<std::uint64_t> starts_left;          // launches the start limit still allows
  std::optional<std::uint64_t> uptime_ms;            // of the live worker, since its launch or adoption
  std::optional<std::uint64_t> stop_deadline_in_ms;  // a stop under way ends by then at the latest
  // The live worker's command line (/proc/PID/cmdline, arguments joined by spaces).
  std::optional<std::string> command;
};

Result<PairStatus, SegmentError> read_pair_status(std::string_view name);

// The worker that lives on a pair now, pid and start time checked: the registered listener, else the
// process its controller recorded as launched (a plain worker, which never registers, or a listener
// still starting). Invalid when neither lives. What nothing may remove or call stopped while it runs.
struct LiveWorker {
  ProcessIdentity identity{};
  bool registered = false;
  [[nodiscard]] bool alive() const { return identity.valid(); }
};
LiveWorker find_live_worker(SegmentPort& segment);

// Names of the pairs whose segments exist now (those that are valid names), sorted.
std::vector<std::string> list_pair_names();

}  // namespace tether
