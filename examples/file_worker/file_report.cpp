#include "file_report.hpp"

#include <cctype>
#include <sstream>

namespace file_worker {

namespace {
constexpr std::uint64_t fnv_prime = 0x100000001b3ull;
}

void FileReport::add_line(std::string_view line) {
  ++lines;
  bytes += line.size() + 1;  // the newline counts, as wc -c counts it
  bool in_word = false;
  for (const char c : line) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space && !in_word) ++words;
    in_word = !space;
    checksum = (checksum ^ static_cast<unsigned char>(c)) * fnv_prime;
  }
  checksum = (checksum ^ static_cast<unsigned char>('\n')) * fnv_prime;
}

std::string FileReport::to_text(std::string_view file_name) const {
  std::ostringstream out;
  out << "file " << file_name << "\nlines " << lines << "\nwords " << words << "\nbytes " << bytes << "\nfnv1a64 "
      << std::hex << checksum << "\n";
  return out.str();
}

}  // namespace file_worker
