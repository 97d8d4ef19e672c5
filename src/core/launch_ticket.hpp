#pragma once
// What a controller hands each listener it launches (TETHER_INCARNATION and TETHER_GENERATION in the
// real environment): which segment of the name the launch belongs to, and which launch in it. A
// listener registers only while both still hold. The generation alone is not enough: it restarts with
// every new segment of a name, so a listener launched for a segment that was removed before it opened
// the name would otherwise register in the successor whenever the two counts happened to agree.
#include <cstdint>

namespace tether {

struct LaunchTicket {
  std::uint64_t incarnation = 0;  // the segment's Field::incarnation: its creator's packed identity
  std::uint64_t generation = 0;   // the segment's Field::generation after the launch's bump

  friend bool operator==(const LaunchTicket&, const LaunchTicket&) = default;
};

}  // namespace tether
