#pragma once
// `tether`'s command line (status, list, shutdown, clean, wait) as a pure function of argv (unit-tested,
// fuzzed); main runs the subcommand it returns.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "apps/cli_support.hpp"

namespace tether {

// What `tether wait` waits for: a live controller holds the name (running); a live listener has
// registered (registered), is inside a unit (working) or between units (idle); nothing lives on the
// name any more (gone).
enum class WaitState : std::uint8_t { running, registered, working, idle, gone };
std::string_view wait_state_name(WaitState state);

struct TetherCommand {
  enum class Subcommand : std::uint8_t { status, list, shutdown, clean, wait };
  Subcommand subcommand = Subcommand::list;
  std::string name;                  // status, shutdown, clean: the pair; empty for list
  bool json = false;                 // status, list
  bool wait = false;                 // shutdown: until the listener and the controller are gone
  std::uint64_t timeout_ms = 30000;  // shutdown --wait, wait: the longest wait
  bool timeout_given = false;        // shutdown: --timeout-ms was given (else the controller's deadline counts)
  WaitState wait_state = WaitState::running;  // wait --state

  static constexpr std::uint64_t timeout_ms_max = std::uint64_t{24} * 60 * 60 * 1000;
};

ParseOutcome<TetherCommand> parse_tether_command_line(std::span<const char* const> argv);

}  // namespace tether
