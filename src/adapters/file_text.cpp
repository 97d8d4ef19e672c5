#include "adapters/file_text.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace tether {

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
      return fail(FileTextError{errno});
    }
    if (got == 0) return text;
    text.append(chunk.data(), static_cast<std::size_t>(got));
    if (text.size() > bytes_max) return fail(FileTextError{EFBIG});
  }
}

Result<std::string, FileTextError> read_file_text(const std::string& path, std::size_t bytes_max) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(FileTextError{errno});
  auto text = read_descriptor_text(fd, bytes_max);
  close(fd);
  return text;
}

}  // namespace tether
