// A main for compilers without libFuzzer (g++): runs LLVMFuzzerTestOneInput once on every file named on
// the command line, or found in a directory named there, in sorted order so that runs are repeatable.
// A crash or an abort in the target fails the process, as under libFuzzer. Useful for replaying
// corpora in ctest, under gdb, valgrind or a coverage build.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Seed corpora are small and hand-written; a bigger file is a mistake worth hearing about.
constexpr std::uintmax_t input_bytes_max = 1 << 20;

bool run_file(const std::filesystem::path& path) {
  std::error_code error;
  const std::uintmax_t size_bytes = std::filesystem::file_size(path, error);
  if (error || size_bytes > input_bytes_max) {
    std::fprintf(stderr, "replay: cannot use %s\n", path.c_str());
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // A copy of exactly the input's size, so that an overread is caught by a sanitizer.
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no inputs (give files or corpus directories)\n");
    return 2;
  }
  for (const auto& file : files) {
    if (!run_file(file)) return 1;
  }
  std::printf("replay: %zu inputs ran without a failure\n", files.size());
  return 0;
}
