#pragma once
// How a campaign's seeds are split into shards. A campaign is the seed range [seed_start, seed_start +
// seeds); shard I of N (0 <= I < N <= seeds) runs the contiguous block
//   first = seed_start + floor(I * seeds / N),   last = seed_start + floor((I + 1) * seeds / N) - 1,
// so the N blocks are disjoint, cover the range exactly, and differ in size by at most one seed. A
// batch engine's array index (Kubernetes JOB_COMPLETION_INDEX, Slurm SLURM_ARRAY_TASK_ID) is I.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tether::sim {

struct ShardSpec {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};

struct SeedRange {
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 0;
};

// More shards than this is no campaign any engine here runs (a Slurm array is capped at a few
// thousand tasks by default, a Kubernetes Indexed Job at 100,000 completions).
inline constexpr std::uint64_t shard_count_max = 100'000;

// A whole decimal number filling `text` ("+1", "-1", "1e3", " 1", "" and overflowing ones are refused).
std::optional<std::uint64_t> parse_whole_number(std::string_view text);

// "I/N" in decimal, 0 <= I < N <= shard_count_max; the error says what is wrong with the text.
Result<ShardSpec, std::string> parse_shard(std::string_view text);

// The campaign's range must not wrap around 2^64 and must hold at least one seed per shard; the error
// names the problem (the CLI exits 64).
Result<Unit, std::string> check_campaign(std::uint64_t seed_start, std::uint64_t seeds, ShardSpec shard);

// The block of shard `shard` (check_campaign must have accepted the arguments).
SeedRange shard_seeds(std::uint64_t seed_start, std::uint64_t seeds, ShardSpec shard);

}  // namespace tether::sim
