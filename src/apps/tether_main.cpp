// tether: inspect and steer pairs from the outside (status, list, shutdown, clean, wait).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <system_error>

#include "adapters/standard_descriptors.hpp"
#include "apps/tether_cli.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"

namespace {

int run_command(const tether::TetherCommand& command) {
  using tether::TetherCommand;
  switch (command.subcommand) {
    case TetherCommand::Subcommand::status: return tether::run_status(command.name, command.json);
    case TetherCommand::Subcommand::list: return tether::run_list(command.json);
    case TetherCommand::Subcommand::shutdown:
      return tether::run_shutdown(command.name, command.wait, command.timeout_ms, command.timeout_given);
    case TetherCommand::Subcommand::clean: return tether::run_clean(command.name);
    case TetherCommand::Subcommand::wait: return tether::run_wait(command.name, command.wait_state, command.timeout_ms);
  }
  return tether::exit_code::software;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tether;
  // First: a closed stderr must not become the segment that `tether shutdown` reports into.
  if (!open_standard_descriptors()) return exit_code::os_error;
  // A reader that went away (`tether list | head -1`) must not end us with SIGPIPE: the failed write
  // is reported below like any other.
  std::signal(SIGPIPE, SIG_IGN);
  const auto parsed = parse_tether_command_line({argv, static_cast<std::size_t>(argc)});
  if (parsed.exit.has_value()) return print_exit("tether", *parsed.exit);
  int code = exit_code::software;
  try {
    code = run_command(parsed.options);
  } catch (const std::system_error& error) {
    // fmt::print throws when stdout or stderr refuses a write (a full disk, a closed pipe).
    return output_failed("tether", error.code().value());
  }
  // Buffered output reaches the file here at the latest: a failure is reported, not lost.
  if (std::fflush(stdout) != 0) return output_failed("tether", errno);
  return code;
}
