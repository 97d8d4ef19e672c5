// Fuzz target: tether-controller's command line (parse_controller_command_line) over arbitrary argvs
// (arguments separated by NUL bytes). It must never crash or throw; an accepted command line gives a
// usable config (no problem(), valid name, signal, environment and log format); every exit passes the
// shared checks; and `--` ends the options: whatever follows is appended to the command, untouched.
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <tuple>

#include "apps/controller_cli.hpp"
#include "apps/launch_options.hpp"
#include "cli_fuzz_support.hpp"
#include "core/names.hpp"

namespace {

using tether::ControllerOptions;

auto config_fields(const tether::ControllerConfig& config) {
  return std::tie(config.restart, config.restart_delay_ms, config.restart_delay_ms_max, config.start_limit,
                  config.start_limit_interval_ms, config.stop_timeout_ms, config.kill_timeout_ms,
                  config.stop_timeout_ms_max, config.watchdog_ms, config.ready_timeout_ms);
}

// Everything but the command, which the `--` check extends.
bool same_settings(const ControllerOptions& first, const ControllerOptions& second) {
  return first.name == second.name && config_fields(first.config) == config_fields(second.config) &&
         first.launch.name == second.launch.name && first.launch.directory == second.launch.directory &&
         first.launch.environment == second.launch.environment &&
         first.launch.stop_signal == second.launch.stop_signal && first.environment_file == second.environment_file &&
         first.log_file == second.log_file && first.log_format == second.log_format;
}

bool same_options(const ControllerOptions& first, const ControllerOptions& second) {
  return same_settings(first, second) && first.launch.command == second.launch.command;
}

void check_config(const ControllerOptions& options) {
  TETHER_FUZZ_CHECK(!tether::name_problem(options.name).has_value(), "an accepted name is valid");
  TETHER_FUZZ_CHECK(options.launch.name == options.name, "the worker gets the pair's name");
  TETHER_FUZZ_CHECK(!options.config.problem().has_value(), "an accepted config has no problem");
  TETHER_FUZZ_CHECK(options.launch.stop_signal > 0 && options.launch.stop_signal < NSIG, "a real stop signal");
  for (const auto& entry : options.launch.environment) {
    TETHER_FUZZ_CHECK(!tether::environment_entry_problem(entry).has_value(), "accepted --env entries are KEY=VALUE");
  }
  TETHER_FUZZ_CHECK(tether::fuzz::valid_log_format(options.log_format), "a known log format");
}

// `--` ends the options: after an accepted command line without one, `-- WORDS...` changes no option
// and appends the words to the command, even words that look like options.
void check_separator(const tether::fuzz::FuzzArgv& input, const ControllerOptions& accepted) {
  if (input.contains("--")) return;  // after the input's own `--`, another one is a word of the command
  const char* const tail[] = {"--", "worker", "--name", "-h", "--"};
  const auto extended = tether::parse_controller_command_line(input.argv(tail));
  TETHER_FUZZ_CHECK(!extended.exit.has_value(), "`-- COMMAND...` after an accepted command line is accepted");
  TETHER_FUZZ_CHECK(same_settings(extended.options, accepted), "what follows `--` changes no option");
  auto expected = accepted.launch.command;
  expected.insert(expected.end(), std::begin(tail) + 1, std::end(tail));
  TETHER_FUZZ_CHECK(extended.options.launch.command == expected, "what follows `--` is the command's tail");
}

void check_accepted(const tether::fuzz::FuzzArgv& input, const ControllerOptions& options) {
  check_config(options);
  check_separator(input, options);
}

// A usage event is logged with the parsed name and log format: both must be usable.
void check_usage_event(const ControllerOptions& options) {
  TETHER_FUZZ_CHECK(!tether::name_problem(options.name).has_value(), "a usage event has a valid name");
  TETHER_FUZZ_CHECK(tether::fuzz::valid_log_format(options.log_format), "a usage event's log format");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tether::fuzz::fuzz_command_line(data, size, tether::parse_controller_command_line, same_options, check_accepted,
                                  check_usage_event);
  return 0;
}
