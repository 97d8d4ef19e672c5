#include "decisions.hpp"

#include <cassert>
#include <utility>

namespace tether::sim {

std::uint64_t Prng::below(std::uint64_t bound) {
  assert(bound >= 1);
  // Rejection sampling removes the modulo bias; the threshold rejects less than half of the draws, so
  // 64 attempts fail with probability below 2^-64 and the fallback is never reached in practice.
  const std::uint64_t threshold = (0 - bound) % bound;
  std::uint64_t draw = engine_();
  for (int attempt = 0; attempt < 64 && draw < threshold; ++attempt) draw = engine_();
  const std::uint64_t value = draw % bound;
  assert(value < bound);
  return value;
}

Decisions::Decisions(bool replay, std::uint64_t seed, std::vector<std::uint32_t> log)
    : replay_(replay), seed_(seed), prng_(seed), log_(std::move(log)) {}

Decisions Decisions::recording(std::uint64_t seed) { return Decisions(false, seed, {}); }

Decisions Decisions::replaying(std::vector<std::uint32_t> log) { return Decisions(true, 0, std::move(log)); }

std::uint32_t Decisions::choose(std::uint32_t range) {
  if (range <= 1) return 0;
  std::uint32_t value = 0;
  if (replay_) {
    const std::size_t index = taken_.size();
    // An edited log may hold a value out of range: clamp it rather than fail, so shrinking stays total.
    if (index < log_.size()) value = log_[index] < range ? log_[index] : range - 1;
  } else {
    value = static_cast<std::uint32_t>(prng_.below(range));
  }
  assert(value < range);
  taken_.push_back(value);
  ranges_.push_back(range);
  return value;
}

std::uint32_t Decisions::choose_picked(std::uint32_t range, std::uint32_t picked) {
  assert(picked < range || range <= 1);
  if (range <= 1 || replay_) return choose(range);
  taken_.push_back(picked);
  ranges_.push_back(range);
  return picked;
}

bool Decisions::chance(std::uint32_t per_million_value) {
  if (per_million_value == 0) return false;
  if (per_million_value >= per_million) return true;
  if (replay_) return choose(2) == 1;
  const bool happens = prng_.below(per_million) < per_million_value;
  taken_.push_back(happens ? 1 : 0);
  ranges_.push_back(2);
  return happens;
}

std::uint32_t Decisions::between(std::uint32_t low, std::uint32_t high) {
  assert(low <= high);
  return low + choose(high - low + 1);
}

}  // namespace tether::sim
