#include "adapters/notify_pipe.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace tether {

NotificationRead read_notification_fd(int read_fd, std::size_t& bytes_seen) {
  using Outcome = NotificationRead::Outcome;
  // The controller made this descriptor a pipe; anything else here (a file, a socket) was put in its
  // place by mistake, and what it reads proves nothing about the worker.
  struct stat info {};
  if (fstat(read_fd, &info) != 0 || !S_ISFIFO(info.st_mode)) {
    return {Outcome::refused, "the notification descriptor is not a pipe"};
  }
  char buffer[512];
  ssize_t got = -1;
  do {
    got = read(read_fd, buffer, sizeof buffer);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
    return {Outcome::refused, std::string("cannot read the notification pipe: ") + std::strerror(errno)};
  }
  if (got == 0) return {Outcome::closed, {}};
  if (std::memchr(buffer, '\n', static_cast<std::size_t>(got)) != nullptr) return {Outcome::ready, {}};
  bytes_seen += static_cast<std::size_t>(got);
  if (bytes_seen > notification_bytes_max) {
    return {Outcome::refused, "more than " + std::to_string(notification_bytes_max) +
                                  " bytes on the notification pipe without a newline"};
  }
  return {};
}

}  // namespace tether
