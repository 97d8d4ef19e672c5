#pragma once
// Scenario files: the protocol, mutant, configuration, seed and the decision log of one run, as JSON.
// The log makes replay exact and independent of the PRNG; the seed is kept for people. A file that is
// not a valid scenario is refused with a message (the CLI exits 65), never with a crash; one that
// cannot be read, with 66; one larger than scenario_file_bytes_max is not read past that size (65).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sim_config.hpp"
#include "world.hpp"

namespace tether::sim {

struct Scenario {
  SimConfig config;
  std::uint64_t seed = 0;
  std::vector<std::uint32_t> decisions;
  std::optional<Violation> violation;  // what the run violated when it was recorded
};

// A shrunk scenario is well under a kilobyte and a sweep's a few dozen; 8 MiB holds a run of about a
// million steps. Loading and replaying cost about 14 MB of memory and 70 ms per MB of file (90 MB took
// 6.3 s and 1.29 GB before this limit): it bounds both.
inline constexpr std::size_t scenario_file_bytes_max = 8 * 1024 * 1024;

// Why a file could not be read or written: the message names the file; the sysexits code for the CLI
// (66 unreadable, 65 not a valid scenario or too large, 73 cannot be created, 74 a write failed).
struct FileError {
  int exit_code;
  std::string message;
};

// nlohmann's parser recurses once per nesting level: readers refuse deeper documents before parsing.
bool json_nested_too_deep(const std::string& text, std::size_t nesting_max);

std::string scenario_to_json(const Scenario& scenario);
Result<Scenario, std::string> scenario_from_json(const std::string& text);
Result<Scenario, FileError> load_scenario(const std::string& path);
Result<Unit, FileError> save_scenario(const std::string& path, const Scenario& scenario);

// Writes `text` to `path` (created or truncated) and checks every step, flush and close included: a
// full disk (`-o /dev/full`) is an error, never a silent success.
Result<Unit, FileError> write_text_file(const std::string& path, std::string_view text);

}  // namespace tether::sim
