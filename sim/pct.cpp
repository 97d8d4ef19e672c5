#include "pct.hpp"

#include <algorithm>
#include <cassert>

namespace tether::sim {

namespace {
// Initial priorities lie in [depth, depth + span): above every change point's priority (1 .. depth - 1),
// and wide enough that two processes draw the same one with negligible probability (ties go to the
// lower serial, which is still a fixed order).
constexpr std::uint64_t initial_priority_span = std::uint64_t{1} << 62;
}  // namespace

PctScheduler::PctScheduler(std::uint64_t seed, std::uint32_t depth, std::uint64_t steps)
    : prng_(seed ^ 0x9e3779b97f4a7c15), depth_(depth) {
  assert(depth >= 1 && steps >= 1);
  for (std::uint32_t i = 1; i < depth; ++i) change_points_.push_back(1 + prng_.below(steps));
  std::sort(change_points_.begin(), change_points_.end());
}

std::uint64_t PctScheduler::priority(Serial serial) {
  auto [at, inserted] = priorities_.try_emplace(serial, 0);
  if (inserted) at->second = depth_ + prng_.below(initial_priority_span);
  return at->second;
}

std::size_t PctScheduler::pick(std::span<const Serial> ready) {
  assert(!ready.empty());
  std::size_t best = 0;
  std::uint64_t best_priority = priority(ready[0]);
  for (std::size_t i = 1; i < ready.size(); ++i) {
    const std::uint64_t candidate = priority(ready[i]);
    if (candidate > best_priority || (candidate == best_priority && ready[i] < ready[best])) {
      best = i;
      best_priority = candidate;
    }
  }
  return best;
}

void PctScheduler::stepped(std::uint64_t step, Serial serial) {
  // Change points may coincide; the later index wins, as if the drops happened one after the other.
  for (std::size_t i = 0; i < change_points_.size(); ++i) {
    if (change_points_[i] == step) priorities_[serial] = i + 1;
  }
}

}  // namespace tether::sim
