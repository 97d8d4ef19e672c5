#include "core/process_identity.hpp"

#include "core/assert.hpp"

namespace tether {

std::uint64_t ProcessIdentity::pack() const {
  if (!valid()) return 0;
  TETHER_ASSERT(static_cast<std::uint64_t>(pid) <= pid_max);
  TETHER_ASSERT(start_time_ticks <= start_time_ticks_max);
  const std::uint64_t word = (start_time_ticks << pid_bits) | static_cast<std::uint64_t>(pid);
  TETHER_ASSERT(word != 0);
  return word;
}

ProcessIdentity ProcessIdentity::unpack(std::uint64_t word) {
  ProcessIdentity identity;
  identity.pid = static_cast<std::int32_t>(word & pid_max);
  identity.start_time_ticks = word >> pid_bits;
  TETHER_ASSERT(identity.pack() == word || !identity.valid());
  return identity;
}

}  // namespace tether
