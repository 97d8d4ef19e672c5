#include "adapters/log_output.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tether {

LogOutput::LogOutput() {
  struct stat status {};
  if (fstat(STDERR_FILENO, &status) != 0) return;
  if (S_ISSOCK(status.st_mode)) {
    kind_ = Kind::socket;
  } else if (S_ISFIFO(status.st_mode)) {
    // Opening the pipe anew gives a description of our own: O_NONBLOCK on it leaves the shared one be.
    const int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      fd_ = fd;
      kind_ = Kind::nonblocking_pipe;
    }
  }
}

LogOutput::~LogOutput() {
  if (kind_ == Kind::nonblocking_pipe) close(fd_);
}

bool LogOutput::write_line(std::string_view line) const {
  // Bounded: an interrupted call is retried, a partial one is not (a pipe takes lines up to PIPE_BUF,
  // 4 KiB, whole or not at all; longer ones may be cut, and the cut counts as a drop).
  for (int attempt = 0; attempt < 8; ++attempt) {
    const ssize_t written = kind_ == Kind::socket ? send(fd_, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                                                  : write(fd_, line.data(), line.size());
    if (written >= 0) return static_cast<std::size_t>(written) == line.size();
    if (errno != EINTR) return false;
  }
  return false;
}

}  // namespace tether
