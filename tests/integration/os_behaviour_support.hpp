#pragma once
// Helpers for the tests that pin the Linux behaviours the simulator assumes (docs/SIMULATOR.md, "The
// kernel the simulator assumes"): child processes made with fork(2), and scenarios run as PID 1 of a
// private PID namespace, where ns_last_pid chooses the next pid. Code in a forked child never uses
// gtest's assertions (they would be recorded in a copy of the test process and lost): it reports facts
// that the test process judges.
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <sys/types.h>

namespace tether::testing {

// key=value lines written by a scenario to the test process.
class Facts {
 public:
  explicit Facts(int fd) : fd_(fd) {}
  void put(const std::string& key, long long value) const;
  void put(const std::string& key, const std::string& value) const;

 private:
  int fd_;
};

// A child that waits for signals forever (pause); `setup` runs in it first (in the child, after the fork).
pid_t fork_sleeper(const std::function<void()>& setup = {});

// Blocks until the child ends; its raw wait status, or -1 when it is not our child (errno set).
int reap(pid_t pid);

// The state letter of /proc/PID/stat ('S', 'Z', ...), '?' when there is no such process.
char proc_state(pid_t pid);

// Reads at most `count` bytes from `fd` until it has them, end-of-file, or `timeout` passes.
std::string read_until(int fd, std::size_t count, std::chrono::milliseconds timeout);

// Runs `scenario` as PID 1 of a new PID namespace with its own /proc (so /proc/PID reads see the
// namespace's pids) and returns the facts it reported. Every process of the namespace dies with its PID
// 1, which dies at the end of the scenario. A set-up failure is reported as fact `setup_failed`.
std::map<std::string, std::string> facts_from_new_pid_namespace(const std::function<void(const Facts&)>& scenario);

// Makes the next fork in the caller's PID namespace get pid `last_pid + 1` (if it is free).
bool set_last_pid(pid_t last_pid);

}  // namespace tether::testing
