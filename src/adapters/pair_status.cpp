#include "adapters/pair_status.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "adapters/controller_report.hpp"
#include "adapters/mapped_segment.hpp"
#include "adapters/notify_area.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/steady_clock.hpp"
#include "core/names.hpp"
#include "core/units.hpp"

namespace tether {

namespace {

std::uint64_t age_ms(std::uint64_t then_ns, std::uint64_t now_ns) {
  return ns_to_ms(now_ns > then_ns ? now_ns - then_ns : 0);
}
std::uint64_t until_ms(std::uint64_t then_ns, std::uint64_t now_ns) {
  return ns_to_ms_ceil(then_ns > now_ns ? then_ns - now_ns : 0);
}

// A process's arguments joined by spaces; nullopt when it is gone or unreadable. Bounded: the status
// shows the start of a huge command line.
std::optional<std::string> command_line_of(pid_t pid) {
  constexpr std::size_t command_bytes_max = 4096;
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text(command_bytes_max, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.empty()) return std::nullopt;
  if (text.back() == '\0') text.pop_back();
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

// The live controller's report, in the status; a gone controller's report is history and says nothing.
void add_controller_report(PairStatus& status, const MappedSegment& segment, std::uint64_t now_ns) {
  if (!status.controller_alive) return;
  const auto report = read_controller_report(segment.controller_report_area());
  if (!report.has_value()) return;
  if (report->last_exit.has_value()) {
    status.last_exit = report->last_exit;
    status.last_exit_age_ms = age_ms(report->last_exit_ns, now_ns);
  }
  if (report->restart_at_ns != 0 && !status.listener_alive)
    status.restart_in_ms = until_ms(report->restart_at_ns, now_ns);
  status.consecutive_failures = report->consecutive_failures;
  status.starts_left = report->starts_left;
  if (report->worker_started_ns != 0 && status.listener_alive) {
    status.uptime_ms = age_ms(report->worker_started_ns, now_ns);
  }
  if (report->stop_deadline_ns != 0) status.stop_deadline_in_ms = until_ms(report->stop_deadline_ns, now_ns);
}

PairStatus status_of(std::string_view name, MappedSegment& segment) {
  PairStatus status;
  status.name = std::string(name);
  const LiveWorker worker = find_live_worker(segment);
  status.listener = worker.alive() ? worker.identity : ProcessIdentity::unpack(segment.load(Field::listener_identity));
  status.listener_alive = worker.alive();
  status.reported_state = !worker.alive()     ? std::string("none")
                          : worker.registered ? std::string(listener_state_name(segment.load(Field::listener_state)))
                                              : std::string("unregistered");
  // What the live worker said through the notify protocols; words of an earlier worker do not count.
  const auto notice = read_worker_notice(segment.worker_notice_area());
  if (worker.alive() && notice.has_value() && notice->worker == worker.identity) {
    if (!worker.registered && notice->stopping) {
      status.reported_state = "stopping";
    } else if (!worker.registered && notice->ready) {
      status.reported_state = "ready";
    }
    if (!notice->status_text.empty()) status.status_text = notice->status_text;
  }
  status.generation = segment.load(Field::generation);
  status.restarts = segment.load(Field::restarts);
  status.shutdown_requested = segment.load(Field::shutdown_request) != 0;
  // A listener says `stopping` only after its unit; the pair is stopping from the moment of the request
  // (a 40 s unit showed `working` all through its stop).
  const bool stopping = status.shutdown_requested && worker.alive() && status.reported_state != "exited";
  status.state = stopping ? std::string("stopping") : status.reported_state;
  status.controller = ProcessIdentity::unpack(segment.load(Field::controller_identity));
  status.controller_alive = identity_alive(status.controller);
  const std::uint64_t heartbeat_ns = segment.load(Field::heartbeat_ns);
  const std::uint64_t now_ns = monotonic_now_ns();
  if (heartbeat_ns != 0 && status.listener_alive) status.heartbeat_age_ms = age_ms(heartbeat_ns, now_ns);
  add_controller_report(status, segment, now_ns);
  if (status.listener_alive) status.command = command_line_of(status.listener.pid);
  return status;
}

}  // namespace

Result<PairStatus, SegmentError> read_pair_status(std::string_view name) {
  return MappedSegment::open_existing(name, MappedSegment::Access::read_only)
      .transform([name](MappedSegment&& segment) { return status_of(name, segment); });
}

LiveWorker find_live_worker(SegmentPort& segment) {
  const auto registered = ProcessIdentity::unpack(segment.load(Field::listener_identity));
  if (identity_alive(registered)) return {registered, true};
  // A plain worker never registers: the controller's record of what it launched is all there is.
  const auto launched = ProcessIdentity::unpack(segment.load(Field::launched_identity));
  if (identity_alive(launched)) return {launched, false};
  return {};
}

std::vector<std::string> list_pair_names() {
  std::vector<std::string> names;
  std::error_code error;
  // Bounded by the directory's size; /dev/shm is where glibc's shm_open keeps its objects. Stepped with
  // increment(error): a range-for's ++ throws when reading the directory fails.
  for (std::filesystem::directory_iterator entry("/dev/shm", error), end; !error && entry != end;
       entry.increment(error)) {
    const std::string file = entry->path().filename().string();
    if (!file.starts_with(segment_object_prefix)) continue;
    const std::string name = file.substr(segment_object_prefix.size());
    if (!name_problem(name).has_value()) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tether
