#pragma once
// A real supervised pair for the benchmarks that measure the controller: tether-controller with a
// restart delay of 0 and a start limit that never trips, launching tether-listener idling after one
// instant unit of work. Both write their log lines into the benchmark's LinePipe.
#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

#include "support/line_pipe.hpp"

namespace tether::bench {

// The controller's command line for pair `name`; it restarts a dead listener after `restart_delay_ms`.
std::vector<std::string> controller_argv(const std::string& name, int restart_delay_ms = 0);
// The listener's command line (also used alone, against a BareSegment, by the floors).
std::vector<std::string> listener_argv();

// Waits for a tether-listener other than `previous` to finish its unit of work and fall asleep in its
// futex wait (idle, as a worker between units is); returns its pid, or -1 after `timeout`.
pid_t wait_for_idle_listener(LinePipe& pipe, pid_t previous, std::chrono::milliseconds timeout);

// "program[pid]", the prefix of a process's log lines.
std::string log_prefix(const char* program, pid_t pid);

}  // namespace tether::bench
