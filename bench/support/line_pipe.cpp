#include "support/line_pipe.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "support/processes.hpp"

namespace tether::bench {

LinePipe::LinePipe() {
  std::array<int, 2> ends{-1, -1};
  // Close-on-exec on both ends: spawn() dup2s the write end onto a child's stdout/stderr (which clears
  // the flag there) and no child inherits anything else of ours.
  if (pipe2(ends.data(), O_CLOEXEC) != 0) return;
  read_fd_ = ends[0];
  write_fd_ = ends[1];
  // Room for the log of a long run even if we fall behind reading it.
  fcntl(write_fd_, F_SETPIPE_SZ, 1 << 20);
}

LinePipe::~LinePipe() {
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0) close(write_fd_);
}

bool LinePipe::read_more(int timeout_ms) {
  pollfd descriptor{read_fd_, POLLIN, 0};
  const int ready = poll(&descriptor, 1, timeout_ms);
  if (ready <= 0) return false;
  std::array<char, 65536> buffer{};
  const ssize_t count = read(read_fd_, buffer.data(), buffer.size());
  const std::uint64_t read_ns = now_ns();
  if (count <= 0) return false;
  partial_.append(buffer.data(), static_cast<std::size_t>(count));
  // Bounded by the bytes just read: each iteration consumes one line.
  for (std::size_t end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n')) {
    lines_.push_back({partial_.substr(0, end), read_ns});
    partial_.erase(0, end + 1);
  }
  return true;
}

std::optional<Line> LinePipe::wait_for(std::initializer_list<std::string_view> needles,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Each round consumes the lines received so far, then blocks for more until the deadline.
  for (;;) {
    while (!lines_.empty()) {
      Line line = std::move(lines_.front());
      lines_.pop_front();
      bool all = true;
      for (const auto needle : needles) all = all && line.text.find(needle) != std::string::npos;
      if (all) return line;
    }
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return std::nullopt;
    read_more(static_cast<int>(remaining.count()));
  }
}

void LinePipe::drain() {
  constexpr int reads_max = 1024;  // 64 MiB of log: far more than any run writes between two drains
  for (int reads = 0; reads < reads_max && read_more(0); ++reads) {
  }
  lines_.clear();
}

pid_t logged_pid(std::string_view line, std::string_view program) {
  const std::string prefix = std::string(program) + "[";
  const auto start = line.find(prefix);
  if (start == std::string_view::npos) return -1;
  const char* first = line.data() + start + prefix.size();
  pid_t pid = -1;
  const auto [end, error] = std::from_chars(first, line.data() + line.size(), pid);
  if (error != std::errc{} || end == line.data() + line.size() || *end != ']') return -1;
  return pid;
}

}  // namespace tether::bench
