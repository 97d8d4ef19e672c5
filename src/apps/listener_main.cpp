// tether-listener: the seed's worker, written with the public API (include/tether/listener.hpp) as any
// user's worker would be: units of (simulated) work, a shutdown check between units, a clean exit.
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <string>
#include <thread>

#include "adapters/log_sink.hpp"
#include "apps/cli_support.hpp"
#include "core/worker_loop.hpp"
#include "tether/listener.hpp"

int main(int argc, char** argv) {
  using namespace tether;
  CLI::App app{"The seed worker: registers under NAME (default: $TETHER_NAME), does units of work, "
               "checks for a shutdown request between units and exits 0 after the unit in progress.",
               "tether-listener"};
  app.set_version_flag("--version", tether_version);
  std::string name;
  WorkerConfig config;
  std::string log_format = "text";
  add_name_option(app, name, false);
  const auto duration = CLI::Range(std::uint64_t{0}, WorkerConfig::duration_ms_max);
  app.add_option("--work-ms", config.work_ms, "Duration of one unit of work")->check(duration)->capture_default_str();
  app.add_option("--units", config.units, "Exit after this many units (0: until asked to stop)")
      ->capture_default_str();
  app.add_option("--idle-ms", config.idle_ms, "Idle time between units, cut short by a shutdown request")
      ->check(duration)->capture_default_str();
  app.add_option("--log-format", log_format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  if (auto code = parse_command_line(app, argc, argv)) return *code;

  auto opened = ListenerSession::open(name);
  const std::string pair_name = opened.ok() ? opened.value().name() : name;
  const LogSink log(*parse_log_format(log_format), "tether-listener", pair_name);
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
    std::this_thread::sleep_for(std::chrono::milliseconds(config.work_ms));  // the unit's (simulated) work
    session.end_unit();
    ++units_done;
    log.event("unit_finished", {{"unit", static_cast<std::int64_t>(units_done)}});
    if (config.units != 0 && units_done >= config.units) break;
    if (config.idle_ms > 0) session.wait_for_shutdown(std::chrono::milliseconds(config.idle_ms));
  }
  const bool asked = session.should_stop();
  session.leave();
  log.event("left", {{"units", static_cast<std::int64_t>(units_done)},
                     {"reason", std::string(asked ? "shutdown requested" : "units done")}});
  return 0;
}
