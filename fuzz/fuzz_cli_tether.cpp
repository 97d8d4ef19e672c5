// Fuzz target: `tether`'s command line (parse_tether_command_line) over arbitrary argvs (arguments
// separated by NUL bytes). It must never crash or throw; an accepted command line selects one subcommand
// with what it needs and nothing another subcommand owns (a valid name except for list, --json only for
// status and list, --wait and --timeout-ms only for shutdown, the timeout within its bounds); every exit
// passes the shared checks; --help always wins.
#include <cstddef>
#include <cstdint>
#include <tuple>

#include "apps/tether_cli.hpp"
#include "cli_fuzz_support.hpp"
#include "core/names.hpp"

namespace {

using tether::TetherCommand;
using Subcommand = TetherCommand::Subcommand;

bool same_options(const TetherCommand& first, const TetherCommand& second) {
  const auto fields = [](const TetherCommand& command) {
    return std::tie(command.subcommand, command.name, command.json, command.wait, command.timeout_ms,
                    command.timeout_given, command.wait_state);
  };
  return fields(first) == fields(second);
}

void check_accepted(const tether::fuzz::FuzzArgv&, const TetherCommand& command) {
  const TetherCommand defaults;
  switch (command.subcommand) {
    case Subcommand::list: TETHER_FUZZ_CHECK(command.name.empty(), "list takes no name"); break;
    case Subcommand::status:
    case Subcommand::shutdown:
    case Subcommand::clean:
    case Subcommand::wait:
      TETHER_FUZZ_CHECK(!tether::name_problem(command.name).has_value(), "an accepted name is valid");
      break;
    default: TETHER_FUZZ_CHECK(false, "a known subcommand");
  }
  const bool shutdown = command.subcommand == Subcommand::shutdown;
  const bool waits = shutdown || command.subcommand == Subcommand::wait;
  TETHER_FUZZ_CHECK(!command.json || command.subcommand == Subcommand::status || command.subcommand == Subcommand::list,
                    "--json only for status and list");
  TETHER_FUZZ_CHECK(!command.wait || shutdown, "--wait only for shutdown");
  TETHER_FUZZ_CHECK(command.timeout_ms == defaults.timeout_ms || waits, "--timeout-ms only for shutdown and wait");
  TETHER_FUZZ_CHECK(!command.timeout_given || shutdown, "a given --timeout-ms is told apart only for shutdown");
  TETHER_FUZZ_CHECK(command.wait_state == defaults.wait_state || command.subcommand == Subcommand::wait,
                    "--state only for wait");
  TETHER_FUZZ_CHECK(command.timeout_ms >= 1 && command.timeout_ms <= TetherCommand::timeout_ms_max,
                    "--timeout-ms within its bounds");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tether::fuzz::fuzz_command_line(data, size, tether::parse_tether_command_line, same_options, check_accepted);
  return 0;
}
