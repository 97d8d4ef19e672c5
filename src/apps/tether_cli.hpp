#pragma once
// `tether`'s command line (status, list, shutdown, clean) as a pure function of argv (unit-tested,
// fuzzed); main runs the subcommand it returns.
#include <cstdint>
#include <span>
#include <string>

#include "apps/cli_support.hpp"

namespace tether {

struct TetherCommand {
  enum class Subcommand : std::uint8_t { status, list, shutdown, clean };
  Subcommand subcommand = Subcommand::list;
  std::string name;  // status, shutdown, clean: the pair; empty for list
  bool json = false;  // status, list
  bool wait = false;  // shutdown: until the listener and the controller are gone
  std::uint64_t timeout_ms = 30000;  // shutdown --wait: the longest wait

  static constexpr std::uint64_t timeout_ms_max = std::uint64_t{24} * 60 * 60 * 1000;
};

ParseOutcome<TetherCommand> parse_tether_command_line(std::span<const char* const> argv);

}  // namespace tether
