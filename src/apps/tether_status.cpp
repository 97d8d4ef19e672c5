#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "adapters/log_sink.hpp"
#include "adapters/pair_status.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"

namespace tether {

namespace {

// One JSON document per line; bytes that are not UTF-8 (in an error message, say) are replaced, as
// dump() would otherwise throw.
void print_json_line(const nlohmann::json& document) {
  fmt::print("{}\n", document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value.has_value() ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json exit_json(const std::optional<ExitStatus>& status) {
  if (!status.has_value()) return nullptr;
  switch (status->kind) {
    case ExitStatus::Kind::exited: return {{"code", status->value}};
    case ExitStatus::Kind::killed: return {{"signal", signal_name(status->value)}};
    case ExitStatus::Kind::unknown: break;
  }
  return {{"unknown", true}};  // an adopted worker: not our child, its code unknown
}

std::string exit_text(const ExitStatus& status) {
  switch (status.kind) {
    case ExitStatus::Kind::exited: return fmt::format("code {}", status.value);
    case ExitStatus::Kind::killed: return fmt::format("signal {}", signal_name(status.value));
    case ExitStatus::Kind::unknown: break;
  }
  return "unknown (an adopted worker)";
}

nlohmann::json to_json(const PairStatus& status) {
  auto pid_or_null = [](ProcessIdentity identity, bool alive) {
    return alive ? nlohmann::json(identity.pid) : nlohmann::json(nullptr);
  };
  return {
      {"name", status.name},
      {"state", status.state},
      {"listener_state", status.reported_state},
      {"listener_pid", pid_or_null(status.listener, status.listener_alive)},
      {"listener_start_time",
       status.listener_alive ? nlohmann::json(status.listener.start_time_ticks) : nlohmann::json(nullptr)},
      {"generation", status.generation},
      {"restarts", status.restarts},
      {"shutdown_requested", status.shutdown_requested},
      {"controller_pid", pid_or_null(status.controller, status.controller_alive)},
      {"heartbeat_age_ms",
       status.heartbeat_age_ms.has_value() ? nlohmann::json(*status.heartbeat_age_ms) : nlohmann::json(nullptr)},
      {"status_text", or_null(status.status_text)},
      {"last_exit", exit_json(status.last_exit)},
      {"last_exit_age_ms", or_null(status.last_exit_age_ms)},
      {"restart_in_ms", or_null(status.restart_in_ms)},
      {"consecutive_failures", or_null(status.consecutive_failures)},
      {"starts_left", or_null(status.starts_left)},
      {"uptime_ms", or_null(status.uptime_ms)},
      {"stop_deadline_in_ms", or_null(status.stop_deadline_in_ms)},
      {"command", or_null(status.command)},
  };
}

// What the controller reports, as clauses of the status line: only those that say something.
std::string report_text(const PairStatus& status) {
  std::string text;
  if (status.uptime_ms.has_value()) text += fmt::format(", up {} ms", *status.uptime_ms);
  if (status.last_exit.has_value()) {
    text += fmt::format(", last exit {} {} ms ago", exit_text(*status.last_exit), status.last_exit_age_ms.value_or(0));
  }
  if (status.restart_in_ms.has_value()) {
    text += fmt::format(", restart in {} ms (consecutive failures {}, starts left {})", *status.restart_in_ms,
                        status.consecutive_failures.value_or(0), status.starts_left.value_or(0));
  }
  if (status.stop_deadline_in_ms.has_value())
    text += fmt::format(", stop ends within {} ms", *status.stop_deadline_in_ms);
  return text;
}

std::string to_text(const PairStatus& status) {
  const std::string listener = status.listener_alive ? fmt::format("pid {}", status.listener.pid) : std::string("none");
  const std::string controller =
      status.controller_alive ? fmt::format("pid {}", status.controller.pid) : std::string("none");
  const std::string heartbeat =
      status.heartbeat_age_ms ? fmt::format("{} ms ago", *status.heartbeat_age_ms) : std::string("-");
  const std::string state = status.state == status.reported_state
                                ? status.state
                                : fmt::format("{} (listener {})", status.state, status.reported_state);
  // The worker's own words and command last, quoted: they may hold commas.
  const std::string said = status.status_text.has_value() ? fmt::format(", status \"{}\"", *status.status_text) : "";
  const std::string command = status.command.has_value() ? fmt::format(", command \"{}\"", *status.command) : "";
  return fmt::format(
      "{}: state {}, listener {}, controller {}, generation {}, restarts {}, "
      "shutdown {}, heartbeat {}{}{}{}",
      status.name, state, listener, controller, status.generation, status.restarts,
      status.shutdown_requested ? "requested" : "not requested", heartbeat, report_text(status), said, command);
}

}  // namespace

int run_status(const std::string& name, bool json) {
  auto status = read_pair_status(name);
  if (!status.ok()) {
    const auto& error = status.error();
    if (error.kind == SegmentError::Kind::not_found || error.kind == SegmentError::Kind::uninitialised) {
      if (json) {
        print_json_line({{"name", name}, {"state", "none"}, {"error", error.message}});
      } else {
        fmt::print("{}: not running ({})\n", name, error.message);
      }
      return exit_code::not_running;
    }
    // One convention with `list --json`: with --json, errors are JSON on stdout too.
    if (json) print_json_line({{"name", name}, {"error", error.message}, {"exit_code", error.exit_code}});
    fmt::print(stderr, "tether status: {}\n", error.message);
    return error.exit_code;
  }
  if (json) {
    print_json_line(to_json(status.value()));
  } else {
    fmt::print("{}\n", to_text(status.value()));
  }
  return status.value().listener_alive ? exit_code::ok : exit_code::not_running;
}

int run_list(bool json) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& name : list_pair_names()) {
    auto status = read_pair_status(name);
    if (!status.ok()) {
      if (json) {
        all.push_back({{"name", name}, {"error", status.error().message}});
      } else {
        fmt::print("{}: {}\n", name, status.error().message);
      }
      continue;
    }
    if (json) {
      all.push_back(to_json(status.value()));
    } else {
      fmt::print("{}\n", to_text(status.value()));
    }
  }
  if (json) print_json_line(all);
  return exit_code::ok;
}

}  // namespace tether
