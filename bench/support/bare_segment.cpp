#include "support/bare_segment.hpp"

#include <cassert>

#include "core/segment_layout.hpp"

namespace tether::bench {

std::optional<BareSegment> BareSegment::create(const std::string& name, std::string& error) {
  auto opened = MappedSegment::open_for_controller(name);
  if (!opened.ok()) {
    error = opened.error().message;
    return std::nullopt;
  }
  MappedSegment& segment = opened.value();
  // The controller core's initialisation order: every field first, the magic last (with the segment's
  // sequentially consistent stores), so that a listener that sees the magic sees the rest.
  segment.store(Field::layout_version, segment_layout_version);
  segment.store(Field::size_bytes, segment_size_bytes);
  segment.store(Field::generation, 0);
  segment.store(Field::listener_identity, 0);
  segment.store(Field::listener_state, static_cast<std::uint64_t>(ListenerState::none));
  segment.store(Field::launched_identity, 0);
  segment.store(Field::controller_identity, 0);
  segment.store(Field::shutdown_request, 0);
  segment.store(Field::heartbeat_ns, 0);
  segment.store(Field::restarts, 0);
  segment.store(Field::magic, segment_magic);
  assert(segment.fault() == SegmentFault::none);
  return BareSegment(name, std::move(segment));
}

BareSegment::BareSegment(std::string name, MappedSegment segment)
    : name_(std::move(name)), segment_(std::move(segment)) {}

BareSegment::BareSegment(BareSegment&& other) noexcept
    : name_(std::exchange(other.name_, {})), segment_(std::move(other.segment_)) {
  other.segment_.reset();  // the moved-from object no longer owns the name
}

BareSegment::~BareSegment() {
  if (segment_.has_value()) MappedSegment::remove(name_);
}

}  // namespace tether::bench
