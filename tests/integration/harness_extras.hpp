#pragma once
// More of the integration harness, for workers we did not write (issue 8): loopback sockets, a
// process's environment, working directory and process group read from /proc, every live descendant
// of a process, temporary directories, and the worker scripts kept beside the tests.
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "harness.hpp"

namespace tether::testing {

// `tether-controller --name NAME <controller_args> -- <command>`.
std::vector<std::string> controller_argv(const std::string& name, const std::vector<std::string>& controller_args,
                                         const std::vector<std::string>& command);

// The pid `tether status NAME --json` shows for the worker, registered or not ("unregistered"), or 0.
// Unlike listener_pid(), whose contract is the registered listener.
pid_t worker_pid(const std::string& name);

// A loopback TCP port that nobody listened on a moment ago (the kernel's pick, released again).
int free_loopback_port();
// Sends `GET / HTTP/1.0` to 127.0.0.1:PORT; the whole response, or nullopt when nobody accepts there
// or no complete response arrives within `timeout`.
std::optional<std::string> http_get(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
// True when nothing listens on 127.0.0.1:PORT: a listening socket of our own can take it.
bool loopback_port_free(int port);

// /proc/PID/environ as KEY=VALUE entries (empty when the process is gone).
std::vector<std::string> environment_of(pid_t pid);
// The value of one variable in /proc/PID/environ.
std::optional<std::string> environment_value(pid_t pid, const std::string& key);
// The target of /proc/PID/cwd, or "" when the process is gone.
std::string working_directory_of(pid_t pid);
// The process group (field 5 of /proc/PID/stat), or -1 when the process is gone.
pid_t process_group_of(pid_t pid);
// Processes that are alive (not zombies) in process group `group`.
std::vector<pid_t> live_group_members(pid_t group);
// Every live (not zombie) process below `ancestor` in the process tree, at any depth.
std::vector<pid_t> live_descendants(pid_t ancestor);

// Waits until no live descendant of this test process remains. A SIGKILLed process is not gone the
// moment kill() returns (it dies when next scheduled), hence a bounded wait rather than one look.
bool nothing_left_behind(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// The first pid in `log` after `prefix` (say "launched listener_pid="), counting from the `nth`
// occurrence (0: the first); 0 when there is none.
pid_t pid_after(const std::string& log, const std::string& prefix, int nth = 0);

// Path of a script under tests/integration/workers/.
std::string worker_script(const std::string& file);
// The Python 3 interpreter that runs `python3 -m http.server`: the distribution's when installed.
std::string python3();

std::string read_text(const std::string& path);  // "" when unreadable
void write_text(const std::string& path, const std::string& text);

// A fresh directory under the temporary directory, removed with everything in it at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& stem);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace tether::testing
