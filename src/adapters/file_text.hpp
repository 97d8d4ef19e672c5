#pragma once
// Reading a whole small file with plain read(2), errors as values. Files under /proc can fail in the
// middle of a read (a process that is reaped between our open and our read answers ESRCH); iostreams
// turn such a failure into an exception that escapes istreambuf_iterator and aborts the program.
#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace tether {

struct FileTextError {
  int error_number = 0;  // errno of the failed call; EFBIG when the file holds more than allowed,
                         // ETIMEDOUT when a FIFO stayed silent for pipe_silence_ms_max
};

// How long a FIFO or pipe may stay silent before the read gives up: `--env-file <(command)` is read as
// its writer writes, and a FIFO that nobody opens for writing is refused instead of hanging the caller.
inline constexpr int pipe_silence_ms_max = 5000;

// The error as a person reads it (strerror, or what a timeout means).
std::string file_text_error_text(FileTextError error);

// Everything the descriptor yields until end of file, at most `bytes_max` bytes.
Result<std::string, FileTextError> read_descriptor_text(int fd, std::size_t bytes_max);

// Opens `path` read-only and reads it as read_descriptor_text does; a FIFO is read without blocking,
// each wait for its writer bounded by pipe_silence_ms_max.
Result<std::string, FileTextError> read_file_text(const std::string& path, std::size_t bytes_max);

}  // namespace tether
