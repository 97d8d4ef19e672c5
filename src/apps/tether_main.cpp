// tether: inspect and steer pairs from the outside (status, list, shutdown, clean).
#include "apps/tether_cli.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace tether;
  const auto parsed = parse_tether_command_line({argv, static_cast<std::size_t>(argc)});
  if (parsed.exit.has_value()) return print_exit(*parsed.exit);
  const TetherCommand& command = parsed.options;
  switch (command.subcommand) {
    case TetherCommand::Subcommand::status: return run_status(command.name, command.json);
    case TetherCommand::Subcommand::list: return run_list(command.json);
    case TetherCommand::Subcommand::shutdown: return run_shutdown(command.name, command.wait, command.timeout_ms);
    case TetherCommand::Subcommand::clean: return run_clean(command.name);
  }
  return exit_code::software;
}
