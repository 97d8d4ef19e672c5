#include "adapters/file_text.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/unique_fd.hpp"

namespace tether {

namespace {

// Waits until a non-blocking descriptor can be read (or its writer hung up); false after the bound.
bool readable_within_bound(int fd) {
  pollfd entry{fd, POLLIN, 0};
  // Bounded: EINTR restarts a wait, at most a few times.
  for (int interruptions = 0; interruptions < 64; ++interruptions) {
    const int ready = poll(&entry, 1, pipe_silence_ms_max);
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
  return false;
}

}  // namespace

std::string file_text_error_text(FileTextError error) {
  if (error.error_number == ETIMEDOUT) {
    return fmt::format("nothing was written to it within {} ms (a FIFO that nobody writes?)", pipe_silence_ms_max);
  }
  return std::strerror(error.error_number);
}

Result<std::string, FileTextError> read_descriptor_text(int fd, std::size_t bytes_max) {
  assert(fd >= 0);
  std::string text;
  std::array<char, 4096> chunk{};
  // Bounded: every pass ends (end of file, error, limit), adds at least one byte (the limit caps the
  // bytes: endless files such as /dev/zero end there), or is one of a few interrupted ones.
  constexpr int interruptions_max = 64;
  for (int interruptions = 0;;) {
    const std::size_t wanted = std::min(chunk.size(), bytes_max + 1 - text.size());
    const ssize_t got = read(fd, chunk.data(), wanted);
    if (got < 0) {
      if (errno == EINTR && ++interruptions < interruptions_max) continue;
      if (errno == EAGAIN && readable_within_bound(fd)) continue;
      return fail(FileTextError{errno == EAGAIN ? ETIMEDOUT : errno});
    }
    if (got == 0) return text;
    text.append(chunk.data(), static_cast<std::size_t>(got));
    if (text.size() > bytes_max) return fail(FileTextError{EFBIG});
  }
}

Result<std::string, FileTextError> read_file_text(const std::string& path, std::size_t bytes_max) {
  // O_NONBLOCK: open(2) of a FIFO would otherwise wait for a writer for ever. A FIFO keeps it (reads
  // then wait in poll, bounded); anything else is read blocking as usual.
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return fail(FileTextError{errno});
  struct stat status {};
  if (fstat(fd.get(), &status) != 0) return fail(FileTextError{errno});
  if (S_ISFIFO(status.st_mode)) {
    // A FIFO that nobody has opened for writing reads as end of file at once: wait for data first.
    if (!readable_within_bound(fd.get())) return fail(FileTextError{ETIMEDOUT});
  } else if (fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK) != 0) {
    return fail(FileTextError{errno});
  }
  return read_descriptor_text(fd.get(), bytes_max);
}

}  // namespace tether
