#pragma once
// s6's readiness notification (s6-supervise's notification-fd): the worker gets the write end of a
// pipe as descriptor N and writes a newline to it once ready. The controller keeps the read end,
// non-blocking, one per launch (posix_processes.cpp), and reads it here.
#include <cstddef>
#include <string>

namespace tether {

// Lowest and highest N for --notification-fd: 0-2 are stdio, and beyond 1023 a select()-based worker
// could not use it.
inline constexpr int notification_fd_min = 3;
inline constexpr int notification_fd_max = 1023;
// Bytes a worker may write before its newline; more is not a readiness notification.
inline constexpr std::size_t notification_bytes_max = 4096;

struct NotificationRead {
  enum class Outcome : std::uint8_t {
    pending,  // nothing decisive yet: keep the descriptor and poll it again
    ready,    // a newline arrived: the worker is ready (close the descriptor: it has said its one thing)
    closed,   // end of file before any newline: it will never say it (close)
    refused,  // not a pipe, a read error, or too much text without a newline (close); see `problem`
  };
  Outcome outcome = Outcome::pending;
  std::string problem;
};

// Reads what is there now, at most one buffer's worth (a chatty writer cannot hold the controller),
// adding to `bytes_seen` (the bytes read so far from this descriptor).
NotificationRead read_notification_fd(int read_fd, std::size_t& bytes_seen);

}  // namespace tether
