#include "core/segment_layout.hpp"

#include "core/assert.hpp"
#include <cstring>

namespace tether {

std::string_view field_name(Field field) {
  const auto index = static_cast<std::size_t>(field);
  TETHER_ASSERT(index < field_specs.size());
  return field_specs[index].name;
}

std::string_view listener_state_name(std::uint64_t state) {
  switch (static_cast<ListenerState>(state)) {
    case ListenerState::none: return "none";
    case ListenerState::starting: return "starting";
    case ListenerState::working: return "working";
    case ListenerState::idle: return "idle";
    case ListenerState::stopping: return "stopping";
    case ListenerState::exited: return "exited";
  }
  return "invalid";
}

std::string_view segment_fault_text(SegmentFault fault) {
  switch (fault) {
    case SegmentFault::none: return "valid";
    case SegmentFault::truncated: return "segment is truncated (smaller than the layout)";
    case SegmentFault::uninitialised: return "segment is not initialised (its creator may have died)";
    case SegmentFault::bad_magic: return "segment has a foreign magic number (not a tether segment)";
    case SegmentFault::bad_version: return "segment has an unsupported layout version";
    case SegmentFault::bad_size: return "segment records a size that does not match the layout";
  }
  return "unknown segment fault";
}

namespace {
std::uint64_t read_word(std::span<const std::byte> bytes, std::size_t offset) {
  TETHER_ASSERT(offset + sizeof(std::uint64_t) <= bytes.size());
  std::uint64_t word = 0;
  std::memcpy(&word, bytes.data() + offset, sizeof word);
  return word;
}
}  // namespace

SegmentFault validate_segment_bytes(std::span<const std::byte> bytes) {
  if (bytes.size() < segment_size_bytes) return SegmentFault::truncated;
  const std::uint64_t magic = read_word(bytes, offsetof(SegmentImage, magic));
  if (magic == 0) return SegmentFault::uninitialised;
  if (magic != segment_magic) return SegmentFault::bad_magic;
  if (read_word(bytes, offsetof(SegmentImage, layout_version)) != segment_layout_version) {
    return SegmentFault::bad_version;
  }
  if (read_word(bytes, offsetof(SegmentImage, size_bytes)) != segment_size_bytes ||
      bytes.size() != segment_size_bytes) {
    return SegmentFault::bad_size;
  }
  return SegmentFault::none;
}

}  // namespace tether
