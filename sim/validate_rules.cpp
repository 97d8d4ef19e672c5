#include "validate_rules.hpp"

#include <fmt/format.h>

namespace tether::sim {

namespace {

RuleBreach breach(std::string_view rule, std::string detail) {
  return RuleBreach{std::string(rule), std::move(detail)};
}

// Events after which a process writes no more lines: it exits.
bool ends_the_process(std::string_view event) {
  return event == "refused" || event == "usage_error" || event == "error" || event == "poll_failed";
}

// Events that carry no step of the protocol: allowed in any state. A refused notify datagram or a
// closed notification fd changes nothing by design (the notify protocol's refusals).
bool bookkeeping(std::string_view event) {
  return event == "log_file_reopened" || event == "log_file_reopen_failed" || event == "log_lines_dropped" ||
         event == "notify_refused" || event == "notify_refused_more" || event == "notification_fd_closed";
}

}  // namespace

std::string HistoryChecker::describe(const Identity& identity) {
  if (identity.start == 0) return fmt::format("pid {}", identity.pid);
  return fmt::format("pid {} (start {})", identity.pid, identity.start);
}

// The listener a controller's event names: listener_pid, and on JSON lines listener_start.
std::optional<HistoryChecker::Identity> HistoryChecker::subject(const LogLine& line) {
  const auto pid = line.number("listener_pid");
  if (!pid.has_value() || *pid <= 0) return std::nullopt;
  if (!line.json) return Identity{*pid, 0};
  const auto start = line.number("listener_start");
  if (!start.has_value() || *start <= 0) return std::nullopt;
  return Identity{*pid, static_cast<std::uint64_t>(*start)};
}

std::optional<RuleBreach> HistoryChecker::feed(const LogLine& line) {
  const Identity self{line.pid, line.json ? line.start : 0};
  const auto ended = ended_.find(self);
  if (ended != ended_.end()) {
    return breach("exit_misreported",
                  fmt::format("{} {} logged {} after {}", line.program, describe(self), line.event, ended->second));
  }
  if (line.json && !controllers_.contains(self) && !listeners_.contains(self)) {
    // A new process with a pid seen before: the earlier holder of the pid has ended (a pid is not
    // reused while its process lives).
    for (auto it = registered_.begin(); it != registered_.end();) {
      it = it->pid == self.pid ? registered_.erase(it) : std::next(it);
    }
  }
  if (line.program == "tether-controller") return controller_event(line, self, controllers_[self]);
  if (line.program == "tether-listener") return listener_event(line, self, listeners_[self]);
  return std::nullopt;  // the `tether` tool's lines: nothing of the pair's protocol
}

std::optional<RuleBreach> HistoryChecker::exit_reported(const LogLine& line, const Identity& listener) {
  ended_.emplace(listener, fmt::format("line {} reported its exit ({})", line.line_number, line.event));
  registered_.erase(listener);
  return std::nullopt;
}

std::optional<RuleBreach> HistoryChecker::controller_event(const LogLine& line, const Identity& self,
                                                           ControllerTrack& track) {
  const std::string& event = line.event;
  const auto about = subject(line);
  const auto about_current = [&]() -> std::optional<RuleBreach> {
    if (!about.has_value()) return breach("grammar", fmt::format("{} names no listener", event));
    if (!track.current.has_value() || *track.current != *about) {
      return breach("grammar",
                    fmt::format("{} names {}, which the controller does not watch{}", event, describe(*about),
                                track.current ? " (it watches " + describe(*track.current) + ")" : ""));
    }
    return std::nullopt;
  };
  const auto no_current = [&]() -> std::optional<RuleBreach> {
    if (!track.current.has_value()) return std::nullopt;
    return breach("grammar", fmt::format("{} while its listener {} runs", event, describe(*track.current)));
  };
  if (bookkeeping(event)) return std::nullopt;
  if (ends_the_process(event)) {
    ended_.emplace(self, fmt::format("its own {} (line {})", event, line.line_number));
    return std::nullopt;
  }
  if (event == "segment_initialised") {
    if (track.launched_any || track.current) return breach("grammar", "segment_initialised after a launch");
    shutdown_pending_ = false;  // a new segment holds no request
    return std::nullopt;
  }
  if (event == "stale_listener_cleared") {
    if (auto problem = no_current()) return problem;
    if (!about.has_value()) return breach("grammar", "stale_listener_cleared names no listener");
    return exit_reported(line, *about);
  }
  if (event == "launched" || event == "launch_failed" || event == "restarting") {
    if (auto problem = no_current()) return problem;
    if (track.shutdown) {
      return breach("relaunch_after_shutdown", fmt::format("{} after the controller saw a shutdown request", event));
    }
    if (shutdown_pending_ && event != "launch_failed") {
      return breach("shutdown_lost", fmt::format("{} while a shutdown request posted in this segment stands", event));
    }
    if (track.gave_up) return breach("grammar", fmt::format("{} after gave_up", event));
    if (event != "launched") return std::nullopt;
    const auto generation = line.number("generation");
    if (!about.has_value() || !generation.has_value())
      return breach("grammar", "launched without listener or generation");
    if (*generation <= track.generation) {
      return breach("grammar",
                    fmt::format("generation {} after {}: generations only grow", *generation, track.generation));
    }
    track.generation = *generation;
    track.current = about;
    track.launched_any = true;
    return std::nullopt;
  }
  if (event == "adopted") {
    if (auto problem = no_current()) return problem;
    if (track.launched_any) return breach("grammar", "adopted after a launch: adoption happens only at start");
    if (!about.has_value()) return breach("grammar", "adopted names no listener");
    track.current = about;
    return std::nullopt;
  }
  if (event == "exited") {
    if (auto problem = about_current()) return problem;
    const auto listener = listeners_.find(*about);
    const bool killed = line.fields.contains("signal");
    const bool known_status = line.number("code").has_value();
    if (listener != listeners_.end() && listener->second.in_unit && !killed && known_status) {
      return breach("torn_unit", fmt::format("{} exited with code {} in the middle of unit {}", describe(*about),
                                             line.text("code"), listener->second.units_finished + 1));
    }
    track.current.reset();
    return exit_reported(line, *about);
  }
  if (event == "escalated" || event == "stop_signalled" || event == "stop_extended" || event == "watchdog_fired" ||
      event == "registered" || event == "unregistered" || event == "worker_ready" || event == "worker_stopping") {
    return about_current();
  }
  if (event == "shutdown_requested") {
    if (about.has_value() && track.current.has_value() && *about != *track.current) return about_current();
    track.shutdown = true;
    shutdown_pending_ = true;
    return std::nullopt;
  }
  if (event == "signal_received") {
    const std::string signal = line.text("signal");
    if (signal == "SIGTERM" || signal == "SIGINT") track.shutdown = true;
    return std::nullopt;
  }
  if (event == "gave_up") {
    if (auto problem = no_current()) return problem;
    track.gave_up = true;
    return std::nullopt;
  }
  if (event == "finished") {
    if (auto problem = no_current()) return problem;
    if (track.shutdown) shutdown_pending_ = false;  // it removes the segment, request and all
    ended_.emplace(self, fmt::format("its own finished (line {})", line.line_number));
    return std::nullopt;
  }
  return breach("grammar", fmt::format("the controller has no event '{}'", event));
}

std::optional<RuleBreach> HistoryChecker::listener_event(const LogLine& line, const Identity& self,
                                                         ListenerTrack& track) {
  const std::string& event = line.event;
  if (bookkeeping(event)) return std::nullopt;
  if (event == "refused" || event == "usage_error") {
    if (track.registered) return breach("grammar", fmt::format("{} after registered", event));
    ended_.emplace(self, fmt::format("its own {} (line {})", event, line.line_number));
    return std::nullopt;
  }
  if (event == "registered") {
    if (track.registered) return breach("grammar", "registered twice");
    for (const Identity& other : registered_) {
      if (other != self) {
        return breach("duplicate_listener",
                      fmt::format("{} registered while listener {} was registered and had not ended", describe(self),
                                  describe(other)));
      }
    }
    track.registered = true;
    registered_.insert(self);
    return std::nullopt;
  }
  if (!track.registered) return breach("grammar", fmt::format("{} before registered", event));
  const auto unit = line.number(event == "left" ? "units" : "unit");
  if (event == "unit_started" || event == "unit_finished") {
    const bool starting = event == "unit_started";
    if (track.in_unit == starting) {
      return breach("grammar", fmt::format("{} {}", event, starting ? "inside a unit" : "outside a unit"));
    }
    if (unit != track.units_finished + 1) {
      return breach("grammar",
                    fmt::format("{} unit {}, expected unit {}", event, line.text("unit"), track.units_finished + 1));
    }
    track.in_unit = starting;
    if (!starting) ++track.units_finished;
    return std::nullopt;
  }
  if (event == "left") {
    if (track.in_unit) return breach("torn_unit", fmt::format("left inside unit {}", track.units_finished + 1));
    if (unit != track.units_finished) {
      return breach("grammar",
                    fmt::format("left with units={}, but {} units finished", line.text("units"), track.units_finished));
    }
    track.left = true;
    registered_.erase(self);
    ended_.emplace(self, fmt::format("its own left (line {})", line.line_number));
    return std::nullopt;
  }
  return breach("grammar", fmt::format("the listener has no event '{}'", event));
}

}  // namespace tether::sim
