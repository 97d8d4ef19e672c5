#pragma once
// The real driver of ControllerCore: one poll(2) loop over the signalfd and the pidfds of watched
// processes, with the core's next deadline as the timeout. No threads, no sleeps, no busy polling.
#include <functional>

#include "adapters/log_sink.hpp"
#include "adapters/notify_channels.hpp"
#include "adapters/notify_service_manager.hpp"
#include "adapters/posix_processes.hpp"
#include "adapters/signal_fd.hpp"
#include "core/controller_core.hpp"

namespace tether {

// Runs until the core finishes; returns its exit code. The caller removes the segment if the core asks.
// `on_hangup` runs on SIGHUP (reopen the worker's log file). `notices` reads what the worker says
// through the notify socket and its readiness pipe; `manager` tells our own service manager (if any).
int run_controller_loop(ControllerCore& core, PosixProcesses& processes, SignalFd& signals,
                        WorkerNotices& notices, ServiceManagerNotifier& manager, ClockPort& clock,
                        const LogSink& log, const std::function<void()>& on_hangup);

}  // namespace tether
