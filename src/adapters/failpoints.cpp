#include "adapters/failpoints.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <unistd.h>
#include <utility>

namespace tether {

namespace {

struct Action {
  enum class Kind : std::uint8_t { none, crash, pause, stop, exit } kind = Kind::none;
  int value = 0;  // pause in ms, or exit code
};

struct Failpoints {
  bool enabled = false;
  std::optional<std::string> problem;
  std::array<Action, all_crash_points.size() + 1> actions{};  // indexed by CrashPoint
  std::array<Action, 2> signal_actions{};                     // indexed by SignalPoint
};

constexpr std::array<std::pair<std::string_view, SignalPoint>, 2> signal_points = {
    std::pair{std::string_view("before_terminate"), SignalPoint::before_terminate},
    std::pair{std::string_view("before_kill"), SignalPoint::before_kill},
};

// The slot of a point's action: a crash point's, or one of the controller's signal points.
Action* action_slot(Failpoints& failpoints, std::string_view name) {
  if (const auto point = parse_crash_point(name)) return &failpoints.actions[static_cast<std::size_t>(*point)];
  for (const auto& [point_name, point] : signal_points) {
    if (name == point_name) return &failpoints.signal_actions[static_cast<std::size_t>(point)];
  }
  return nullptr;
}

void act(const Action& action) {
  switch (action.kind) {
    case Action::Kind::none: return;
    case Action::Kind::crash: raise(SIGKILL); return;
    case Action::Kind::pause: std::this_thread::sleep_for(std::chrono::milliseconds(action.value)); return;
    case Action::Kind::stop: raise(SIGSTOP); return;  // resumes here on SIGCONT
    case Action::Kind::exit: _exit(action.value);
  }
}

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// "crash", "pause(MS)", "stop" or "exit(CODE)".
std::optional<Action> parse_action(std::string_view text) {
  if (text == "crash") return Action{Action::Kind::crash, 0};
  if (text == "stop") return Action{Action::Kind::stop, 0};
  for (const auto& [prefix, kind] : {std::pair{std::string_view("pause("), Action::Kind::pause},
                                     std::pair{std::string_view("exit("), Action::Kind::exit}}) {
    if (text.starts_with(prefix) && text.ends_with(")")) {
      const auto value = parse_number(text.substr(prefix.size(), text.size() - prefix.size() - 1));
      if (!value.has_value()) return std::nullopt;
      return Action{kind, *value};
    }
  }
  return std::nullopt;
}

Failpoints parse(std::string_view text) {
  Failpoints failpoints;
  // Bounded by the text's length: each round consumes one comma-separated entry.
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto equals = entry.find('=');
    Action* const slot = action_slot(failpoints, entry.substr(0, equals));
    const auto action = equals == std::string_view::npos ? std::nullopt : parse_action(entry.substr(equals + 1));
    if (slot == nullptr || !action.has_value()) {
      failpoints.problem = "TETHER_FAILPOINTS: bad entry '" + std::string(entry) +
                           "' (expected POINT=crash|pause(MS)|stop|exit(CODE); points: mid_init, after_spawn, "
                           "after_record, after_register, in_unit, between_check_and_unit, before_terminate, "
                           "before_kill)";
      return failpoints;
    }
    *slot = *action;
    failpoints.enabled = true;
  }
  return failpoints;
}

const Failpoints& process_failpoints() {
  // Read once: the environment of a running process does not change under it.
  static const Failpoints failpoints = [] {
    const char* text = std::getenv("TETHER_FAILPOINTS");
    return text == nullptr ? Failpoints{} : parse(text);
  }();
  return failpoints;
}

}  // namespace

std::optional<std::string> failpoints_problem() { return process_failpoints().problem; }

void failpoint(CrashPoint point) {
  const Failpoints& failpoints = process_failpoints();
  if (!failpoints.enabled || point == CrashPoint::none) return;
  act(failpoints.actions[static_cast<std::size_t>(point)]);
}

void failpoint(SignalPoint point) {
  const Failpoints& failpoints = process_failpoints();
  if (failpoints.enabled) act(failpoints.signal_actions[static_cast<std::size_t>(point)]);
}

}  // namespace tether
