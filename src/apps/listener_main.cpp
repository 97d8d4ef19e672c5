// tether-listener: the seed's worker, written with the public API (include/tether/listener.hpp) as any
// user's worker would be: units of (simulated) work, a shutdown check between units, a clean exit.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fmt/format.h>
#include <string>
#include <thread>

#include "adapters/failpoints.hpp"
#include "adapters/log_sink.hpp"
#include "adapters/standard_descriptors.hpp"
#include "apps/listener_cli.hpp"
#include "core/exit_codes.hpp"
#include "core/worker_loop.hpp"
#include "tether/listener.hpp"

namespace {

using Milliseconds = std::chrono::milliseconds;

// The unit's (simulated) work, with a heartbeat every period so that a controller sees progress (a long
// unit during a stop earns more time; a watchdog stays quiet).
void work(tether::ListenerSession& session, std::uint64_t work_ms, std::uint64_t heartbeat_ms) {
  const auto end = std::chrono::steady_clock::now() + Milliseconds(work_ms);
  for (auto now = std::chrono::steady_clock::now(); now < end; now = std::chrono::steady_clock::now()) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(end - now, Milliseconds(heartbeat_ms)));
    session.heartbeat();
  }
}

// Idles until a shutdown request (woken at once by the futex) or the idle time ends, heartbeating.
void idle(tether::ListenerSession& session, std::uint64_t idle_ms, std::uint64_t heartbeat_ms) {
  const auto end = std::chrono::steady_clock::now() + Milliseconds(idle_ms);
  for (auto now = std::chrono::steady_clock::now(); now < end; now = std::chrono::steady_clock::now()) {
    const auto slice = std::min<std::chrono::steady_clock::duration>(end - now, Milliseconds(heartbeat_ms));
    if (session.wait_for_shutdown(std::chrono::ceil<Milliseconds>(slice))) return;
    session.heartbeat();
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tether;
  // First: a closed stderr must not become the segment that log lines are written into.
  if (!open_standard_descriptors()) return exit_code::os_error;
  const auto parsed = parse_listener_command_line({argv, static_cast<std::size_t>(argc)});
  if (parsed.exit.has_value()) return print_exit("tether-listener", *parsed.exit);
  const ListenerOptions& options = parsed.options;
  const std::string& name = options.name;
  const WorkerConfig& config = options.worker;
  const std::uint64_t heartbeat_ms = options.heartbeat_ms;
  // A vanished log reader must not end a unit of work half-way.
  std::signal(SIGPIPE, SIG_IGN);

  if (auto problem = failpoints_problem()) {
    LogSink(*parse_log_format(options.log_format), "tether-listener", name).event("usage_error", {{"error", *problem}});
    return exit_code::usage;
  }
  auto opened = ListenerSession::open(name);
  const std::string pair_name = opened.ok() ? opened.value().name() : name;
  const LogSink log(*parse_log_format(options.log_format), "tether-listener", pair_name);
  if (!opened.ok()) {
    log.event("refused", {{"error", opened.error().message}});
    return opened.error().exit_code;
  }
  ListenerSession& session = opened.value();
  log.event("registered");

  std::uint64_t units_done = 0;
  // Ends on a shutdown request or after --units; each iteration does one unit.
  while (!session.should_stop()) {
    session.begin_unit();
    log.event("unit_started", {{"unit", static_cast<std::int64_t>(units_done + 1)}});
    work(session, config.work_ms, heartbeat_ms);
    session.end_unit();
    ++units_done;
    log.event("unit_finished", {{"unit", static_cast<std::int64_t>(units_done)}});
    if (config.units != 0 && units_done >= config.units) break;
    if (config.idle_ms > 0) idle(session, config.idle_ms, heartbeat_ms);
  }
  const bool asked = session.should_stop();
  session.leave();
  log.event("left", {{"units", static_cast<std::int64_t>(units_done)},
                     {"reason", std::string(asked ? "shutdown requested" : "units done")}});
  return 0;
}
