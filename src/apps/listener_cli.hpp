#pragma once
// tether-listener's command line as a pure function of argv (unit-tested, fuzzed); main runs it.
#include <cstdint>
#include <span>
#include <string>

#include "apps/cli_support.hpp"
#include "core/worker_loop.hpp"

namespace tether {

struct ListenerOptions {
  std::string name;  // empty: the listener takes $TETHER_NAME
  WorkerConfig worker;
  std::uint64_t heartbeat_ms = 1000;  // heartbeat period during long units and idle waits
  std::string log_format = "text";
};

ParseOutcome<ListenerOptions> parse_listener_command_line(std::span<const char* const> argv);

}  // namespace tether
