#pragma once
// A sequence lock over words of the shared segment: one writer (the controller holding the name),
// readers in other processes that retry around a rewrite, a bounded number of times, so that a reader
// never spins on a writer that died or went mad mid-rewrite.
#include <atomic>
#include <cstdint>
#include <optional>

namespace tether {

// Rewrites under the lock: the sequence is odd while `write` runs.
template <typename Write>
void seqlock_write(std::atomic<std::uint64_t>& sequence, const Write& write) {
  sequence.fetch_add(1);
  write();
  sequence.fetch_add(1);
}

// A rewrite takes a few dozen stores; this many overlapping ones means a writer gone mad.
inline constexpr int seqlock_read_attempts_max = 64;

// Runs `read` until no rewrite overlapped it; the sequence it read under (0: never written), or
// nothing when every attempt overlapped a rewrite.
template <typename Read>
std::optional<std::uint64_t> seqlock_read(const std::atomic<std::uint64_t>& sequence, const Read& read) {
  for (int attempt = 0; attempt < seqlock_read_attempts_max; ++attempt) {
    const std::uint64_t before = sequence.load();
    if (before % 2 != 0) continue;
    read();
    if (sequence.load() == before) return before;
  }
  return std::nullopt;
}

}  // namespace tether
