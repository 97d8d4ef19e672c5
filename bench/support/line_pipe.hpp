#pragma once
// The benchmarks observe the real binaries through their log lines: every process of a run writes its
// stdout and stderr into one pipe (each log line is a single write, so lines never interleave), and the
// benchmark blocks on the read end. A line carries the time at which the read that delivered it
// returned: when the benchmark is already waiting, that is the moment the line was written plus one
// pipe wake-up.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace tether::bench {

struct Line {
  std::string text;
  std::uint64_t read_ns = 0;
};

class LinePipe {
 public:
  LinePipe();
  ~LinePipe();
  LinePipe(const LinePipe&) = delete;
  LinePipe& operator=(const LinePipe&) = delete;

  [[nodiscard]] bool ok() const { return read_fd_ >= 0; }
  // Give this to spawn() as the children's output.
  [[nodiscard]] int write_fd() const { return write_fd_; }

  // The next line containing every one of `needles` (earlier lines are dropped); nullopt after
  // `timeout`.
  std::optional<Line> wait_for(std::initializer_list<std::string_view> needles, std::chrono::milliseconds timeout);
  // Drops every line received so far without blocking.
  void drain();

 private:
  bool read_more(int timeout_ms);

  int read_fd_ = -1;
  int write_fd_ = -1;
  std::string partial_;
  std::deque<Line> lines_;
};

// The pid in a log line's "program[pid]" prefix, or -1.
pid_t logged_pid(std::string_view line, std::string_view program);

}  // namespace tether::bench
