#include "campaign_shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <optional>

#include "core/assert.hpp"

namespace tether::sim {

std::optional<std::uint64_t> parse_whole_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
  return value;
}

Result<ShardSpec, std::string> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : parse_whole_number(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : parse_whole_number(text.substr(slash + 1));
  if (!index || !count) {
    return tether::fail(
        fmt::format("--shard must be I/N with whole numbers I and N (shard I of N, from 0), not '{}'", text));
  }
  if (*count < 1 || *count > shard_count_max) {
    return tether::fail(fmt::format("--shard {}: N must be from 1 to {}", text, shard_count_max));
  }
  if (*index >= *count)
    return tether::fail(fmt::format("--shard {}: I must be from 0 to N - 1 = {}", text, *count - 1));
  return ShardSpec{*index, *count};
}

Result<Unit, std::string> check_campaign(std::uint64_t seed_start, std::uint64_t seeds, ShardSpec shard) {
  if (seeds == 0) return tether::fail(std::string("a campaign needs at least one seed"));
  if (seed_start > std::numeric_limits<std::uint64_t>::max() - (seeds - 1)) {
    return tether::fail(
        fmt::format("--seed-start {} with --seeds {} goes past the largest seed, 2^64 - 1", seed_start, seeds));
  }
  if (shard.count > seeds) {
    return tether::fail(
        fmt::format("--shard {}/{}: more shards than the {} seeds of the campaign", shard.index, shard.count, seeds));
  }
  return Unit{};
}

SeedRange shard_seeds(std::uint64_t seed_start, std::uint64_t seeds, ShardSpec shard) {
  TETHER_ASSERT(shard.index < shard.count && shard.count <= seeds);
  // floor(index * seeds / count) without overflow: with seeds = q * count + r it is
  // index * q + floor(index * r / count), where index * r < count^2 <= shard_count_max^2 fits.
  TETHER_ASSERT(shard.count <= shard_count_max);
  const std::uint64_t quotient = seeds / shard.count;
  const std::uint64_t remainder = seeds % shard.count;
  const auto boundary = [&](std::uint64_t index) { return index * quotient + index * remainder / shard.count; };
  const std::uint64_t begin = boundary(shard.index);
  const std::uint64_t end = boundary(shard.index + 1);
  TETHER_ASSERT(begin < end && end <= seeds);
  return SeedRange{seed_start + begin, end - begin};
}

}  // namespace tether::sim
