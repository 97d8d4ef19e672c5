#pragma once
// Starting and ending the processes a benchmark measures. Every benchmark run owns a RunGuard: at the
// end (also when the benchmark fails half-way) it kills and reaps every descendant and removes the
// segments it named. The benchmark process is a child subreaper (bench_main.cpp), so a listener whose
// controller was killed comes back to us to be reaped instead of living on under init.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace tether::bench {

// CLOCK_MONOTONIC in nanoseconds: the clock both sides of a cross-process measurement read.
std::uint64_t now_ns();

// Path of a binary of this build (tether-controller, tether-listener, tether-bench-helper).
std::string binary(std::string_view program);

// Starts argv with stdout and stderr on `output_fd` and stdin from `input_fd` (-1: /dev/null).
// TETHER_NAME, TETHER_INCARNATION and TETHER_GENERATION are not inherited. Returns -1 when the spawn failed.
pid_t spawn(const std::vector<std::string>& argv, int output_fd, int input_fd = -1);

// Polls a pidfd of `pid` until the process has ended; false after `timeout`.
bool wait_for_death(int pidfd, std::chrono::milliseconds timeout);
// Reaps a child of ours (blocking at most `timeout`, then SIGKILL); its exit code or -1.
int reap(pid_t pid, std::chrono::milliseconds timeout);

// True once the process sleeps in the kernel function whose name starts with `prefix`
// (/proc/PID/wchan: "futex" for a futex wait, "hrtimer_nanosleep" for a sleep).
bool sleeping_in(pid_t pid, std::string_view prefix);
// Waits (politely, sleeping between checks) until sleeping_in holds; false after `timeout`.
bool wait_until_sleeping_in(pid_t pid, std::string_view prefix, std::chrono::milliseconds timeout);

// A "Key: N kB" value of /proc/PID/<file>, e.g. ("status", "VmHWM") or ("smaps_rollup", "Pss"); nullopt
// when the process or the key is missing.
std::optional<std::uint64_t> proc_kib(pid_t pid, std::string_view file, std::string_view key);

// Pins the calling thread to one CPU, restoring its previous affinity when destroyed. Children
// spawned meanwhile inherit the pin: this is how a benchmark and the process it wakes share a CPU.
class CpuPin {
 public:
  CpuPin();  // the last CPU we may run on
  ~CpuPin();
  CpuPin(const CpuPin&) = delete;
  CpuPin& operator=(const CpuPin&) = delete;
  [[nodiscard]] int cpu() const { return cpu_; }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  std::vector<unsigned char> previous_;  // cpu_set_t bytes
  int cpu_ = -1;
  bool ok_ = false;
};

// Scheduling priority on a shared, loaded machine. Other users' processes would otherwise stretch the
// longer of two measured paths more than the shorter one (each needs its CPU time at a fair share of a
// crowded CPU), and an observer woken at normal priority may wait milliseconds for a CPU, counted as
// the latency it observes. So every process a benchmark measures runs at `measured_nice` (the
// benchmark thread takes it for the whole run and its children inherit it: a tether variant and its
// floor alike), and the benchmark thread observes at `observer_nice`, above them, only while it waits
// for an event inside a measured window (it spawns nothing meanwhile, so nothing inherits that).
// Needs root or CAP_SYS_NICE; without, everything runs at the priority it has, and raised() says so.
inline constexpr int measured_nice = -10;
inline constexpr int observer_nice = -20;

// Sets the calling thread's nice value (per thread on Linux) while it exists, restoring the previous.
class ScopedNice {
 public:
  explicit ScopedNice(int nice);
  ~ScopedNice();
  ScopedNice(const ScopedNice&) = delete;
  ScopedNice& operator=(const ScopedNice&) = delete;
  [[nodiscard]] bool raised() const { return raised_; }

 private:
  int previous_ = 0;
  bool raised_ = false;
};

// Per-run cleanup, see above. Names handed out are unique per process and run, and start with "it-"
// so that ci/test's leftover check covers them too.
class RunGuard {
 public:
  RunGuard() = default;
  ~RunGuard();
  RunGuard(const RunGuard&) = delete;
  RunGuard& operator=(const RunGuard&) = delete;

  // A fresh pair name, remembered so that its segment is removed at the end.
  std::string name(std::string_view family);

 private:
  std::vector<std::string> names_;
};

// Kills and reaps every descendant of this process (bounded rounds: killing a controller hands its
// listener to us, the subreaper).
void kill_descendants();

}  // namespace tether::bench
