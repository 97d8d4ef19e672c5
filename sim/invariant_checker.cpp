#include "invariant_checker.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/exit_codes.hpp"
#include "core/units.hpp"

namespace tether::sim {

void InvariantChecker::violate(ObservedAt at, std::string_view invariant_name, std::string detail) {
  if (violation_.has_value()) return;
  violation_ = Violation{std::string(invariant_name), at.step, at.time_ns, std::move(detail)};
}

void InvariantChecker::observe(ObservedAt at, const observed::Snapshot& snapshot) {
  if (!snapshot.segment_exists) return;
  // shutdown_lost: once visible in an incarnation of the segment, a request stays visible in it.
  const bool posted = request_posted(snapshot.segment_incarnation);
  if (snapshot.shutdown_visible && !posted) {
    posted_incarnation_ = snapshot.segment_incarnation;
  } else if (!snapshot.shutdown_visible && posted) {
    violate(at, invariant::shutdown_lost, "a posted shutdown request is no longer visible in the segment");
    return;
  }
  // duplicate_listener: at most one live worker per name past registration, or launched as a plain
  // worker (which never registers: it is the worker from its spawn on).
  const observed::Worker* first = nullptr;
  for (const observed::Worker& worker : snapshot.workers) {
    if (!worker.counts_as_worker) continue;
    if (first != nullptr) {
      violate(at, invariant::duplicate_listener,
              fmt::format("{} and {} are both alive as the worker of the name", first->label, worker.label));
      return;
    }
    first = &worker;
  }
}

// torn_unit: a listener leaves between units, unless it is killed (or hung, so the unit never ends).
void InvariantChecker::observe(ObservedAt at, const observed::ListenerExit& exit) {
  if (!exit.in_unit || exit.killed || exit.hung) return;
  violate(at, invariant::torn_unit,
          fmt::format("{} exited with {} in the middle of a unit of work", exit.label, exit.status_value));
}

void InvariantChecker::observe(ObservedAt at, const observed::Launch& launch) {
  if (request_posted(launch.segment_incarnation) || launch.got_shutdown_signal) {
    violate(at, invariant::relaunch_after_shutdown,
            fmt::format("{} launches a listener after a shutdown was requested{}", launch.controller,
                        launch.got_shutdown_signal ? " (it received SIGTERM)" : " (the segment says so)"));
  }
  if (launch.registered_listener_found.has_value()) {
    violate(at, invariant::adoption_failed,
            fmt::format("{} launches although {} is registered and alive", launch.controller,
                        *launch.registered_listener_found));
  }
}

void InvariantChecker::observe(ObservedAt at, const observed::Adoption& adoption) {
  if (adoption.target_is_listener) return;
  violate(at, invariant::adoption_failed,
          fmt::format("{} adopts pid {}, which is not a listener but {}", adoption.controller, adoption.pid,
                      adoption.target));
}

void InvariantChecker::observe(ObservedAt at, const observed::Signal& signal) {
  if (!signal.from_controller || signal.to_listener) return;
  violate(at, invariant::foreign_signal,
          fmt::format("{} sent {} to {}, not its listener", signal.sender, signal.signal_name, signal.receiver));
}

void InvariantChecker::observe(ObservedAt at, const observed::Notice& notice) {
  if (notice.to_controller) return;
  violate(at, invariant::foreign_signal, fmt::format("{} sent its notice to {}", notice.sender, notice.receiver));
}

// restart_missing, one half: a controller must not end its run by itself while its policy says the
// listener's exit called for a restart (giving up after the start limit is the visible exception).
void InvariantChecker::observe(ObservedAt at, const observed::ControllerExit& exit) {
  if (exit.shutdown_in_force || exit.exit_code == exit_code::unavailable || exit.exit_code == exit_code::cant_create) {
    return;
  }
  if (exit.mode == RestartMode::always || (exit.mode == RestartMode::on_failure && exit.listener_crashed)) {
    violate(at, invariant::restart_missing,
            fmt::format("{} exits with {} under --restart {} although no shutdown was requested{}", exit.controller,
                        exit.exit_code, restart_mode_name(exit.mode),
                        exit.listener_crashed ? " and its listener crashed" : ""));
  }
}

// restart_missing, the other half: with a controller running and no shutdown in force, a worker must
// be back within the restart bound. Only a gap longer than the bound counts: never cry wolf.
void InvariantChecker::observe(ObservedAt at, const observed::Convergence& convergence) {
  if (convergence.shutdown_in_force) return;        // judged at the final checkpoint instead
  if (!convergence.controller.has_value()) return;  // it finished (gave up, or its policy said so)
  if (convergence.worker_alive) return;
  if (convergence.quiet_ns < convergence.bound_ns) return;
  violate(at, invariant::restart_missing,
          fmt::format("{} is running but no listener has registered for {} ms (bound {} ms)", *convergence.controller,
                      ns_to_ms(convergence.quiet_ns), ns_to_ms(convergence.bound_ns)));
}

// shutdown_stuck: after the final shutdown request, no controller or listener may be left.
void InvariantChecker::observe(ObservedAt at, const observed::Final& final_checkpoint) {
  if (final_checkpoint.alive.empty()) return;
  violate(at, invariant::shutdown_stuck,
          fmt::format("after the shutdown request, still alive: {}", fmt::join(final_checkpoint.alive, ", ")));
}

}  // namespace tether::sim
