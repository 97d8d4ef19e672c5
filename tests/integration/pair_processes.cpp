#include "pair_processes.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace tether::testing {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string quote_for_shell(const std::string& word) {
  std::string quoted = "'";
  for (const char character : word) {
    if (character == '\'') {
      quoted += "'\\''";
    } else {
      quoted += character;
    }
  }
  return quoted + "'";
}

// "2026-11-26T20:42:39.123Z" -> milliseconds since the epoch.
std::optional<long long> parse_log_time_ms(const std::string& text) {
  std::tm parts{};
  int milliseconds = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &parts.tm_year, &parts.tm_mon, &parts.tm_mday, &parts.tm_hour,
                  &parts.tm_min, &parts.tm_sec, &milliseconds) != 7) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return static_cast<long long>(timegm(&parts)) * 1000 + milliseconds;
}

std::string as_text(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::vector<nlohmann::json> json_lines(const std::string& log) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '{') continue;  // a text line of a listener, or a partial write
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (!parsed.is_discarded()) objects.push_back(std::move(parsed));
  }
  return objects;
}

}  // namespace

std::vector<std::string> controller_command(const std::string& name, const std::vector<std::string>& controller_args,
                                            const std::vector<std::string>& command,
                                            const std::string& controller_failpoints) {
  std::vector<std::string> argv;
  if (!controller_failpoints.empty()) argv = {"/usr/bin/env", "TETHER_FAILPOINTS=" + controller_failpoints};
  argv.push_back(binary("tether-controller"));
  argv.push_back("--name");
  argv.push_back(name);
  argv.insert(argv.end(), controller_args.begin(), controller_args.end());
  argv.push_back("--");
  if (command.empty()) {
    argv.push_back(binary("tether-listener"));
  } else {
    argv.insert(argv.end(), command.begin(), command.end());
  }
  return argv;
}

std::vector<std::string> listener_command(const std::vector<std::string>& listener_args) {
  std::vector<std::string> argv = {binary("tether-listener")};
  argv.insert(argv.end(), listener_args.begin(), listener_args.end());
  return argv;
}

std::vector<std::string> sigterm_ignoring_listener(const std::vector<std::string>& listener_args) {
  std::string script = "trap '' TERM; exec";
  for (const auto& word : listener_command(listener_args)) script += " " + quote_for_shell(word);
  return {"/bin/sh", "-c", script};
}

std::vector<std::string> listener_with_failpoints(const std::string& failpoints,
                                                  const std::vector<std::string>& listener_args) {
  std::vector<std::string> argv = {"/usr/bin/env", "TETHER_FAILPOINTS=" + failpoints};
  const auto listener = listener_command(listener_args);
  argv.insert(argv.end(), listener.begin(), listener.end());
  return argv;
}

std::vector<pid_t> listener_processes(const std::string& name) {
  const std::string wanted = "TETHER_NAME=" + name;
  const std::string program = binary("tether-listener");
  std::vector<pid_t> pids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string file = entry.path().filename().string();
    if (file.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(file));
    std::error_code link_error;
    const auto exe = std::filesystem::read_symlink(entry.path() / "exe", link_error);
    if (link_error || exe.string() != program || !process_alive(pid)) continue;
    const std::string environment = read_text(entry.path().string() + "/environ");
    std::istringstream entries(environment);
    for (std::string variable; std::getline(entries, variable, '\0');) {
      if (variable == wanted) {
        pids.push_back(pid);
        break;
      }
    }
  }
  return pids;
}

std::optional<unsigned long long> start_time_ticks(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  // After the command come state (field 3) ... start time (field 22): skip 19 fields.
  for (int index = 3; index < 22; ++index) fields >> field;
  unsigned long long ticks = 0;
  if (!(fields >> ticks)) return std::nullopt;
  return ticks;
}

std::vector<nlohmann::json> json_events(const std::string& log, const std::string& event,
                                        const std::vector<std::pair<std::string, std::string>>& match) {
  std::vector<nlohmann::json> found;
  for (auto& object : json_lines(log)) {
    if (!object.contains("event") || object["event"] != event || !object.contains("time")) continue;
    bool matches = true;
    for (const auto& [key, value] : match) {
      matches = matches && object.contains(key) && as_text(object[key]) == value;
    }
    if (matches) found.push_back(std::move(object));
  }
  return found;
}

long long log_time_ms(const nlohmann::json& line) {
  const auto time = parse_log_time_ms(line.value("time", std::string()));
  if (!time.has_value()) throw std::runtime_error("log line without a parsable time: " + line.dump());
  return *time;
}

std::optional<long long> json_event_time_ms(const std::string& log, const std::string& event,
                                            const std::vector<std::pair<std::string, std::string>>& match) {
  const auto found = json_events(log, event, match);
  if (found.empty()) return std::nullopt;
  return log_time_ms(found.front());
}

}  // namespace tether::testing
