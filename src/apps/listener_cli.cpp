#include "apps/listener_cli.hpp"

#include <string>

namespace tether {

ParseOutcome<ListenerOptions> parse_listener_command_line(std::span<const char* const> argv) {
  ParseOutcome<ListenerOptions> outcome;
  ListenerOptions& options = outcome.options;
  CLI::App app{
      "The seed worker: registers under NAME (default: $TETHER_NAME), does units of work, "
      "checks for a shutdown request between units and exits 0 after the unit in progress.",
      "tether-listener"};
  app.set_version_flag("--version", tether_version);
  add_name_option(app, options.name, false);
  const auto duration = CLI::Range(std::uint64_t{0}, WorkerConfig::duration_ms_max);
  app.add_option("--work-ms", options.worker.work_ms, "Duration of one unit of work")
      ->check(duration)
      ->capture_default_str();
  // The check is needed: an unsigned option takes "-1" as its largest value.
  app.add_option("--units", options.worker.units, "Exit after this many units (0: until asked to stop)")
      ->check([](const std::string& text) {
        const auto first = text.find_first_not_of(" \t");
        return first != std::string::npos && text[first] == '-' ? std::string("must not be negative") : "";
      })
      ->capture_default_str();
  app.add_option("--idle-ms", options.worker.idle_ms, "Idle time between units, cut short by a shutdown request")
      ->check(duration)
      ->capture_default_str();
  app.add_option("--heartbeat-ms", options.heartbeat_ms, "Heartbeat period during long units and idle waits")
      ->check(CLI::Range(std::uint64_t{1}, WorkerConfig::duration_ms_max))
      ->capture_default_str();
  add_log_format_option(app, options.log_format);
  outcome.exit = parse_with(app, argv);
  return outcome;
}

}  // namespace tether
