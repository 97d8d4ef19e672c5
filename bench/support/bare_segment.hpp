#pragma once
// A pair's segment created and initialised by the benchmark itself, with no controller: the floors
// (and the benchmarks that need only a listener) use it so that nothing but the measured path runs.
// It holds the controller lock like a controller does, so no real controller can take the name, and it
// removes the name when destroyed.
#include <optional>
#include <string>
#include <utility>

#include "adapters/mapped_segment.hpp"

namespace tether::bench {

class BareSegment {
 public:
  // nullopt (with `error` set) when the segment cannot be created.
  static std::optional<BareSegment> create(const std::string& name, std::string& error);

  BareSegment(BareSegment&& other) noexcept;
  BareSegment& operator=(BareSegment&&) = delete;
  BareSegment(const BareSegment&) = delete;
  BareSegment& operator=(const BareSegment&) = delete;
  ~BareSegment();

  MappedSegment& segment() { return *segment_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  BareSegment(std::string name, MappedSegment segment);
  std::string name_;
  std::optional<MappedSegment> segment_;
};

}  // namespace tether::bench
