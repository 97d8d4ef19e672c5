#pragma once
// Integration-test harness: starts the real binaries as separate processes, waits for conditions with
// generous deadlines (never a bare sleep), and leaves no process or segment behind, even on failure:
// the test process becomes a child subreaper, so orphaned listeners come back to it to be killed.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <vector>

// Tests that drive the binaries through failpoints need a build with test machinery; any other build
// (a packaging build, say) skips them rather than failing on binaries that have no failpoints.
#if defined(TETHER_TEST_MACHINERY)
#define TETHER_REQUIRE_FAILPOINTS() static_cast<void>(0)
#else
#define TETHER_REQUIRE_FAILPOINTS() GTEST_SKIP() << "built without TETHER_TEST_MACHINERY: no failpoints"
#endif

// Tests that take every file descriptor away from their own process: a sanitizer's runtime needs
// descriptors of its own to check and report (UBSan then flags Boost's exception as "invalid vptr",
// with "memory cannot be printed"), so under ASan, UBSan or TSan they are skipped.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TETHER_REQUIRE_NO_SANITIZER() GTEST_SKIP() << "a sanitizer's runtime needs descriptors of its own"
#else
#define TETHER_REQUIRE_NO_SANITIZER() static_cast<void>(0)
#endif

// Tests of the kernel's own pid allocation and process lifetimes, and one that reads the controller's
// socket from /proc at once: TSan's runtime forks and keeps processes of its own and slows every step,
// so these are left to the plain and ASan builds, which run them.
#if defined(__SANITIZE_THREAD__)
#define TETHER_REQUIRE_NO_TSAN() GTEST_SKIP() << "TSan's runtime takes pids and time of its own"
#else
#define TETHER_REQUIRE_NO_TSAN() static_cast<void>(0)
#endif

namespace tether::testing {

using namespace std::chrono_literals;

// Long enough for a loaded CI machine under sanitizers; a passing test rarely waits more than 1 s.
inline constexpr auto wait_timeout = 20s;

std::string binary(const std::string& program);  // path of a tether binary of this build

// A unique pair name per test and process, so parallel ctest runs never collide.
std::string unique_name(const std::string& stem);

bool segment_exists(const std::string& name);
void remove_segment(const std::string& name);

bool process_alive(pid_t pid);
pid_t parent_of(pid_t pid);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout = wait_timeout);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout
  std::string errors;  // stderr
};
// Runs a command to completion (bounded by `timeout`, then killed) and captures its output.
CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = wait_timeout);

// Takes every file descriptor from this process while it lives: the soft RLIMIT_NOFILE is lowered to
// the lowest free descriptor, so the next open(2) fails EMFILE (it takes the lowest free one). The limit
// comes back at restore() or, if an assertion ends the test first, at destruction.
class DescriptorsTaken {
 public:
  DescriptorsTaken() {
    if (getrlimit(RLIMIT_NOFILE, &saved_) != 0) return;
    int lowest_free = 0;
    while (lowest_free < 65536 && fcntl(lowest_free, F_GETFD) >= 0) ++lowest_free;
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
    taken_ = setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~DescriptorsTaken() { restore(); }
  DescriptorsTaken(const DescriptorsTaken&) = delete;
  DescriptorsTaken& operator=(const DescriptorsTaken&) = delete;

  [[nodiscard]] bool taken() const { return taken_; }
  bool restore() {
    if (!taken_) return true;
    taken_ = false;
    return setrlimit(RLIMIT_NOFILE, &saved_) == 0;
  }

 private:
  rlimit saved_{};
  bool taken_ = false;
};

// Whether `text` holds `part` (for messages and logs).
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// `tether status NAME --json`, parsed; nullopt when the command failed to produce JSON.
std::optional<nlohmann::json> status_json(const std::string& name);
// The live registered listener's pid, or 0 (also while the launched worker has not registered).
pid_t listener_pid(const std::string& name);

// A background process (a controller) whose stderr is captured in a file.
class Process {
 public:
  explicit Process(const std::vector<std::string>& argv);
  ~Process();  // SIGKILL and reap if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const;  // stderr so far
  bool log_contains(const std::string& text) const;
  // Number of lines of the log that contain `text`.
  int log_count(const std::string& text) const;
  void signal(int signal_number) const;
  // Exit code (or 128+signal) once it exits within `timeout`; nullopt if still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = wait_timeout);

 private:
  // At its end every process's log is held to the cores' rules (`tether-sim validate`, issue 14).
  void validate_log() const;

  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// Per-test guard: makes this process a subreaper, and at the end kills and reaps every descendant and
// removes the segments of the names it handed out.
class Cleanup {
 public:
  Cleanup();
  ~Cleanup();
  std::string name(const std::string& stem);  // unique_name, remembered for removal

 private:
  std::vector<std::string> names_;
};

}  // namespace tether::testing
