#include "apps/tether_cli.hpp"

namespace tether {

ParseOutcome<TetherCommand> parse_tether_command_line(std::span<const char* const> argv) {
  ParseOutcome<TetherCommand> outcome;
  TetherCommand& command = outcome.options;
  CLI::App app{"Inspect and steer tether pairs.", "tether"};
  app.set_version_flag("--version", tether_version);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 3 not running (status), 64 usage, 65 bad segment, 66 no such segment, "
             "73 in use, 74 output not written, 75 timed out, 77 permission.");

  auto* status = app.add_subcommand("status", "Show a pair; exit 0 when a live listener is registered, 3 when not");
  status->add_option("name", command.name, "Pair name")->required()->check(name_validator());
  status->add_flag("--json", command.json, "One JSON object");

  auto* list = app.add_subcommand("list", "Show every pair on this machine");
  list->add_flag("--json", command.json, "A JSON array");

  auto* shutdown = app.add_subcommand("shutdown", "Post a shutdown request; the listener exits after its unit");
  shutdown->add_option("name", command.name, "Pair name")->required()->check(name_validator());
  shutdown->add_flag("--wait", command.wait, "Wait until the listener and the controller are gone");
  shutdown->add_option("--timeout-ms", command.timeout_ms, "Longest wait with --wait")
      ->check(CLI::Range(std::uint64_t{1}, TetherCommand::timeout_ms_max))
      ->capture_default_str();

  auto* clean = app.add_subcommand("clean", "Remove a segment that no live process owns");
  clean->add_option("name", command.name, "Pair name")->required()->check(name_validator());

  outcome.exit = parse_with(app, argv);
  if (outcome.exit.has_value()) return outcome;
  // require_subcommand(1) lets exactly one through.
  if (status->parsed()) {
    command.subcommand = TetherCommand::Subcommand::status;
  } else if (list->parsed()) {
    command.subcommand = TetherCommand::Subcommand::list;
  } else if (shutdown->parsed()) {
    command.subcommand = TetherCommand::Subcommand::shutdown;
  } else if (clean->parsed()) {
    command.subcommand = TetherCommand::Subcommand::clean;
  } else {
    outcome.exit = usage_error_exit("A subcommand is required");
  }
  return outcome;
}

}  // namespace tether
