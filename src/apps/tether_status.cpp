#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

nlohmann::json to_json(const PairStatus& status) {
  auto pid_or_null = [](ProcessIdentity identity, bool alive) {
    return alive ? nlohmann::json(identity.pid) : nlohmann::json(nullptr);
  };
  return {
      {"name", status.name},
      {"state", status.state},
      {"listener_state", status.reported_state},
      {"listener_pid", pid_or_null(status.listener, status.listener_alive)},
      {"listener_start_time", status.listener_alive ? nlohmann::json(status.listener.start_time_ticks)
                                                    : nlohmann::json(nullptr)},
      {"generation", status.generation},
      {"restarts", status.restarts},
      {"shutdown_requested", status.shutdown_requested},
      {"controller_pid", pid_or_null(status.controller, status.controller_alive)},
      {"heartbeat_age_ms", status.heartbeat_age_ms.has_value() ? nlohmann::json(*status.heartbeat_age_ms)
                                                               : nlohmann::json(nullptr)},
      {"status_text", status.status_text.has_value() ? nlohmann::json(*status.status_text) : nlohmann::json(nullptr)},
  };
}

std::string to_text(const PairStatus& status) {
  const std::string listener =
      status.listener_alive ? fmt::format("pid {}", status.listener.pid) : std::string("none");
  const std::string controller =
      status.controller_alive ? fmt::format("pid {}", status.controller.pid) : std::string("none");
  const std::string heartbeat =
      status.heartbeat_age_ms ? fmt::format("{} ms ago", *status.heartbeat_age_ms) : std::string("-");
  const std::string state = status.state == status.reported_state
                                ? status.state
                                : fmt::format("{} (listener {})", status.state, status.reported_state);
  // The worker's own words last, quoted: they may hold commas.
  const std::string said = status.status_text.has_value() ? fmt::format(", status \"{}\"", *status.status_text) : "";
  return fmt::format("{}: state {}, listener {}, controller {}, generation {}, restarts {}, "
                     "shutdown {}, heartbeat {}{}",
                     status.name, state, listener, controller, status.generation, status.restarts,
                     status.shutdown_requested ? "requested" : "not requested", heartbeat, said);
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
    if (json) print_json_line({{"name", name}, {"error", error.message}, {"exit_code", error.exit_code()}});
    fmt::print(stderr, "tether status: {}\n", error.message);
    return error.exit_code();
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
