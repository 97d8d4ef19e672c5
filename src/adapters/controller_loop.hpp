#pragma once
// The real driver of ControllerCore: one poll(2) loop over the signalfd and the pidfds of watched
// processes, with the core's next deadline as the timeout. No threads, no sleeps, no busy polling.
#include <functional>

#include "adapters/controller_report.hpp"
#include "adapters/log_sink.hpp"
#include "adapters/notify_channels.hpp"
#include "adapters/notify_service_manager.hpp"
#include "adapters/posix_processes.hpp"
#include "adapters/signal_fd.hpp"
#include "core/controller_core.hpp"

namespace tether {

// The parts around the core that the loop drives.
struct ControllerParts {
  ControllerCore& core;
  PosixProcesses& processes;
  SignalFd& signals;
  WorkerNotices& notices;           // what the worker says through the notify socket and its readiness pipe
  ServiceManagerNotifier& manager;  // tells our own service manager (if any)
  ControllerReporter& report;       // the segment's controller report, for status and shutdown --wait
  ClockPort& clock;
  const LogSink& log;
  std::function<void()> on_hangup;  // SIGHUP: reopen the worker's log file
};

// Runs until the core finishes; returns its exit code. The caller removes the segment if the core asks.
int run_controller_loop(ControllerParts parts);

}  // namespace tether
