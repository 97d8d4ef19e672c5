#include "apps/tether_cli.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <map>

namespace tether {
namespace {

constexpr std::array<std::string_view, 5> subcommand_names = {"status", "list", "shutdown", "clean", "wait"};

constexpr std::array<std::pair<std::string_view, WaitState>, 5> wait_states = {{
    {"running", WaitState::running},
    {"registered", WaitState::registered},
    {"working", WaitState::working},
    {"idle", WaitState::idle},
    {"gone", WaitState::gone},
}};

// CLI11 says only "A subcommand is required" for `tether bogus`: name the word and the commands.
std::optional<CliExit> unknown_subcommand(std::span<const char* const> argv) {
  if (argv.size() < 2) return std::nullopt;
  const std::string_view first = argv[1];
  if (first.empty() || first.front() == '-') return std::nullopt;
  if (std::find(subcommand_names.begin(), subcommand_names.end(), first) != subcommand_names.end()) {
    return std::nullopt;
  }
  return usage_error_exit(
      fmt::format("unknown command '{}'; the commands are status, list, shutdown, clean and "
                  "wait (tether --help)",
                  first));
}

}  // namespace

std::string_view wait_state_name(WaitState state) {
  for (const auto& [name, value] : wait_states) {
    if (value == state) return name;
  }
  return "?";
}

ParseOutcome<TetherCommand> parse_tether_command_line(std::span<const char* const> argv) {
  ParseOutcome<TetherCommand> outcome;
  TetherCommand& command = outcome.options;
  CLI::App app{"Inspect and steer tether pairs.", "tether"};
  app.set_version_flag("--version", tether_version);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 3 not running (status), 64 usage, 65 bad segment, 66 no such segment, "
      "73 in use, 74 output not written, 75 timed out, 77 permission.");

  auto* status = app.add_subcommand("status", "Show a pair; exit 0 when a live listener is registered, 3 when not");
  status->add_option("name", command.name, "Pair name")->required()->check(name_validator());
  status->add_flag("--json", command.json, "One JSON object");

  auto* list = app.add_subcommand("list", "Show every pair on this machine");
  list->add_flag("--json", command.json, "A JSON array");

  auto* shutdown = app.add_subcommand("shutdown", "Post a shutdown request; the listener exits after its unit");
  shutdown->add_option("name", command.name, "Pair name")->required()->check(name_validator());
  shutdown->add_flag("--wait", command.wait, "Wait until the listener and the controller are gone");
  auto* shutdown_timeout = shutdown
                               ->add_option("--timeout-ms", command.timeout_ms,
                                            "Longest wait with --wait; when not given, the wait also lasts until the "
                                            "controller's own stop deadline (plus 2 s) if that is later")
                               ->check(CLI::Range(std::uint64_t{1}, TetherCommand::timeout_ms_max))
                               ->capture_default_str();

  auto* clean = app.add_subcommand("clean", "Remove a segment that no live process owns");
  clean->add_option("name", command.name, "Pair name")->required()->check(name_validator());

  auto* wait = app.add_subcommand("wait",
                                  "Wait until a pair reaches a state (for scripts: after starting a "
                                  "controller in the background)");
  wait->add_option("name", command.name, "Pair name")->required()->check(name_validator());
  wait->add_option("--state", command.wait_state,
                   "running: a live controller holds the name; registered, "
                   "working, idle: the listener's state; gone: nothing lives on it")
      ->transform(CLI::CheckedTransformer(std::map<std::string, WaitState>(wait_states.begin(), wait_states.end())))
      ->default_str(std::string(wait_state_name(command.wait_state)));  // captured, the enum shows as a byte
  wait->add_option("--timeout-ms", command.timeout_ms, "Longest wait")
      ->check(CLI::Range(std::uint64_t{1}, TetherCommand::timeout_ms_max))
      ->capture_default_str();

  outcome.exit = unknown_subcommand(argv);
  if (outcome.exit.has_value()) return outcome;
  outcome.exit = parse_with(app, argv);
  if (outcome.exit.has_value()) return outcome;
  // require_subcommand(1) lets exactly one through.
  if (status->parsed()) {
    command.subcommand = TetherCommand::Subcommand::status;
  } else if (list->parsed()) {
    command.subcommand = TetherCommand::Subcommand::list;
  } else if (shutdown->parsed()) {
    command.subcommand = TetherCommand::Subcommand::shutdown;
    command.timeout_given = shutdown_timeout->count() > 0;
  } else if (clean->parsed()) {
    command.subcommand = TetherCommand::Subcommand::clean;
  } else if (wait->parsed()) {
    command.subcommand = TetherCommand::Subcommand::wait;
  } else {
    outcome.exit = usage_error_exit("A subcommand is required");
  }
  return outcome;
}

}  // namespace tether
