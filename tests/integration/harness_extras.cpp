#include "harness_extras.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace tether::testing {

namespace {

// A socket that closes itself.
class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool bind_to(const Socket& socket, int port) {
  const int yes = 1;
  // SO_REUSEADDR as servers set it: a port whose old connections linger in TIME_WAIT is still free.
  setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  const sockaddr_in address = loopback(port);
  return bind(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
         listen(socket.fd(), 1) == 0;
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code error;
  // increment(error), not ++: a range-for would throw if /proc changed under the scan in a bad way.
  std::filesystem::directory_iterator entry("/proc", error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    const std::string file = entry->path().filename().string();
    if (file.empty() || file.find_first_not_of("0123456789") != std::string::npos) continue;
    pids.push_back(static_cast<pid_t>(std::stol(file)));
  }
  return pids;
}

// The fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...; empty when gone.
std::vector<std::string> stat_fields(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return {};
  std::istringstream stream(stat.substr(close_paren + 1));
  std::vector<std::string> fields;
  for (std::string field; fields.size() < 3 && stream >> field;) fields.push_back(field);
  return fields;
}

bool zombie_or_gone(const std::vector<std::string>& fields) { return fields.size() < 3 || fields[0] == "Z"; }

}  // namespace

std::vector<std::string> controller_argv(const std::string& name, const std::vector<std::string>& controller_args,
                                         const std::vector<std::string>& command) {
  std::vector<std::string> argv = {binary("tether-controller"), "--name", name};
  argv.insert(argv.end(), controller_args.begin(), controller_args.end());
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

pid_t worker_pid(const std::string& name) {
  const auto status = status_json(name);
  if (!status || !status->contains("listener_pid") || !(*status)["listener_pid"].is_number()) return 0;
  return (*status)["listener_pid"].get<pid_t>();
}

int free_loopback_port() {
  const Socket socket;
  if (!bind_to(socket, 0)) throw std::runtime_error("cannot bind a loopback socket");
  sockaddr_in address{};
  socklen_t length = sizeof address;
  getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

std::optional<std::string> http_get(int port, std::chrono::milliseconds timeout) {
  const Socket socket;
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  const sockaddr_in address = loopback(port);
  if (connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return std::nullopt;
  const std::string request = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (send(socket.fd(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  // An HTTP/1.0 server closes the connection after the response; a megabyte is far more than a page.
  constexpr std::size_t response_max = 1 << 20;
  std::string response;
  char buffer[4096];
  while (response.size() < response_max) {
    const ssize_t received = recv(socket.fd(), buffer, sizeof buffer, 0);
    if (received == 0) return response.starts_with("HTTP/") ? std::optional(response) : std::nullopt;
    if (received < 0) return std::nullopt;  // timeout or reset
    response.append(buffer, static_cast<std::size_t>(received));
  }
  return std::nullopt;
}

bool loopback_port_free(int port) {
  const Socket socket;
  return bind_to(socket, port);
}

std::vector<std::string> environment_of(pid_t pid) {
  const std::string text = read_text("/proc/" + std::to_string(pid) + "/environ");
  std::vector<std::string> entries;
  std::istringstream stream(text);
  for (std::string entry; std::getline(stream, entry, '\0');) {
    if (!entry.empty()) entries.push_back(entry);
  }
  return entries;
}

std::optional<std::string> environment_value(pid_t pid, const std::string& key) {
  for (const auto& entry : environment_of(pid)) {
    if (entry.starts_with(key + "=")) return entry.substr(key.size() + 1);
  }
  return std::nullopt;
}

std::string working_directory_of(pid_t pid) {
  std::error_code error;
  const auto target = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", error);
  return error ? std::string() : target.string();
}

pid_t process_group_of(pid_t pid) {
  const auto fields = stat_fields(pid);
  return fields.size() < 3 ? -1 : static_cast<pid_t>(std::stol(fields[2]));
}

std::vector<pid_t> live_group_members(pid_t group) {
  std::vector<pid_t> members;
  for (const pid_t pid : all_pids()) {
    const auto fields = stat_fields(pid);
    if (!zombie_or_gone(fields) && std::stol(fields[2]) == group) members.push_back(pid);
  }
  return members;
}

std::vector<pid_t> live_descendants(pid_t ancestor) {
  std::map<pid_t, pid_t> parents;
  std::map<pid_t, bool> alive;
  for (const pid_t pid : all_pids()) {
    const auto fields = stat_fields(pid);
    if (fields.size() < 3) continue;
    parents[pid] = static_cast<pid_t>(std::stol(fields[1]));
    alive[pid] = !zombie_or_gone(fields);
  }
  std::vector<pid_t> descendants;
  for (const auto& [pid, parent] : parents) {
    if (!alive[pid]) continue;
    // Walk up to init; the depth bound only guards against a cycle from pids reused mid-scan.
    pid_t current = parent;
    for (int depth = 0; depth < 4096 && current > 1; ++depth) {
      if (current == ancestor) {
        descendants.push_back(pid);
        break;
      }
      const auto found = parents.find(current);
      if (found == parents.end()) break;
      current = found->second;
    }
  }
  return descendants;
}

bool nothing_left_behind(std::chrono::milliseconds timeout) {
  return wait_until([] { return live_descendants(getpid()).empty(); }, timeout);
}

pid_t pid_after(const std::string& log, const std::string& prefix, int nth) {
  std::size_t position = 0;
  for (int seen = 0;; ++seen) {
    position = log.find(prefix, position);
    if (position == std::string::npos) return 0;
    position += prefix.size();
    if (seen == nth) break;
  }
  return static_cast<pid_t>(std::strtol(log.c_str() + position, nullptr, 10));
}

std::string worker_script(const std::string& file) {
  // The scripts live beside this source file; the build compiles it by its absolute path.
  const auto path = std::filesystem::path(__FILE__).parent_path() / "workers" / file;
  if (!std::filesystem::exists(path)) throw std::runtime_error("no worker script " + path.string());
  return path.string();
}

std::string python3() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

std::string read_text(const std::string& path) {
  // read(2), not a stream: libstdc++'s filebuf throws when a /proc file's process exits mid-read (ESRCH).
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buffer[4096];
  // Bounded: the files read here (/proc entries, test outputs) are far smaller than 64 MiB.
  for (std::size_t round = 0; round < (std::size_t{64} << 20) / sizeof buffer; ++round) {
    const ssize_t count = read(fd, buffer, sizeof buffer);
    if (count <= 0) break;
    text.append(buffer, static_cast<std::size_t>(count));
  }
  close(fd);
  return text;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) throw std::runtime_error("cannot write " + path);
}

TempDir::TempDir(const std::string& stem) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("tether-" + stem + ".XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

}  // namespace tether::testing
