#pragma once
// The example's "work": a report on one text file (lines, words, bytes, FNV-1a checksum), computed line
// by line so that the worker can show progress (heartbeat) during a long file.
#include <cstdint>
#include <string>
#include <string_view>

namespace file_worker {

struct FileReport {
  std::uint64_t lines = 0;
  std::uint64_t words = 0;
  std::uint64_t bytes = 0;
  std::uint64_t checksum = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis

  void add_line(std::string_view line);  // one line, without its newline
  [[nodiscard]] std::string to_text(std::string_view file_name) const;
};

}  // namespace file_worker
