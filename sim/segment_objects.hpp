#pragma once
// The shared-memory objects of the simulated name: the one bearing the name now, and the removed ones
// that a live process still maps (removing a name does not unmap it: a process keeps reading and
// writing the object it mapped, while a later segment of the name is another object), each known by
// its creation count. Data only: the world traces, counts and checks the operations on them.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/assert.hpp"
#include "core/segment_layout.hpp"

namespace tether::sim {

class SegmentObjects {
 public:
  struct Object {
    std::array<std::uint64_t, field_count> words{};
    bool exists = false;
    bool removed = false;
  };
  using Retired = std::vector<std::pair<std::uint64_t, Object>>;
  // Removed objects nobody maps are dropped whenever one is retired, so at most one per live process.
  static constexpr std::size_t retired_max = 64;

  // The object bearing the name (exists is false before anyone created one; removed once unlinked).
  [[nodiscard]] Object& named() { return named_; }
  [[nodiscard]] const Object& named() const { return named_; }
  [[nodiscard]] bool name_open() const { return named_.exists && !named_.removed; }
  // How many objects have been created under the name: the named one's creation count.
  [[nodiscard]] std::uint64_t incarnation() const { return incarnation_; }
  [[nodiscard]] const Retired& retired() const { return retired_; }

  // A controller opens the name, creating a fresh object when none bears it. A removed object stays,
  // retired, while `is_mapped(creation count)` says a live process maps it. True when it created one.
  template <class IsMapped>
  bool open_or_create(IsMapped&& is_mapped) {
    if (name_open()) return false;
    if (named_.removed) {
      std::erase_if(retired_, [&](const auto& entry) { return !is_mapped(entry.first); });
      if (is_mapped(incarnation_)) retired_.emplace_back(incarnation_, named_);
      TETHER_ASSERT(retired_.size() <= retired_max);
    }
    named_ = Object{};
    named_.exists = true;
    ++incarnation_;
    return true;
  }

  // The object a process mapped, by its creation count: the named one, or a retired one.
  [[nodiscard]] Object& mapped(std::uint64_t incarnation) {
    if (incarnation == incarnation_) return named_;
    const auto found =
        std::find_if(retired_.begin(), retired_.end(), [&](const auto& entry) { return entry.first == incarnation; });
    TETHER_ASSERT(found != retired_.end() && "a live process maps a segment that was dropped");
    return found->second;
  }

 private:
  Object named_;
  std::uint64_t incarnation_ = 0;
  Retired retired_;
};

}  // namespace tether::sim
