#pragma once
// Where log lines go: stderr, written so that a reader who stops reading cannot stop us. A supervisor
// that blocks in write(2) on a full pipe (a stuck log collector) stops supervising: no restart, no stop.
// So a pipe gets a non-blocking description of its own (reopened through /proc/self/fd/2, leaving the
// inherited one — which a worker may share — as it was) and a socket is sent to with MSG_DONTWAIT; a
// line that does not fit now is dropped and counted. Files and terminals are written as usual.
#include <cstdint>
#include <string_view>

namespace tether {

class LogOutput {
 public:
  LogOutput();
  ~LogOutput();
  LogOutput(const LogOutput&) = delete;
  LogOutput& operator=(const LogOutput&) = delete;

  // Writes one whole line; false when it was dropped (the reader is not keeping up, or stderr fails).
  bool write_line(std::string_view line) const;

 private:
  enum class Kind : std::uint8_t { plain, nonblocking_pipe, socket };
  int fd_ = 2;
  Kind kind_ = Kind::plain;
};

}  // namespace tether
