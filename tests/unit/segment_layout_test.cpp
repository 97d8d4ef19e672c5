// Goal: the byte-image check refuses every kind of bad segment with its own fault, and accepts only a
// fully initialised image of the right size. Method: build images byte by byte, break one thing each.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "core/segment_layout.hpp"

namespace tether {
namespace {

std::vector<std::byte> image(std::size_t size_bytes = segment_size_bytes) {
  return std::vector<std::byte>(size_bytes, std::byte{0});
}

void put_word(std::vector<std::byte>& bytes, std::size_t offset, std::uint64_t word) {
  ASSERT_LE(offset + sizeof word, bytes.size());
  std::memcpy(bytes.data() + offset, &word, sizeof word);
}

std::vector<std::byte> good_image(std::size_t size_bytes = segment_size_bytes) {
  std::vector<std::byte> bytes = image(size_bytes);
  put_word(bytes, offsetof(SegmentImage, magic), segment_magic);
  put_word(bytes, offsetof(SegmentImage, layout_version), segment_layout_version);
  put_word(bytes, offsetof(SegmentImage, size_bytes), segment_size_bytes);
  return bytes;
}

TEST(SegmentLayout, AcceptsAnInitialisedImage) { EXPECT_EQ(validate_segment_bytes(good_image()), SegmentFault::none); }

TEST(SegmentLayout, FieldValuesBeyondTheHeaderDoNotMatter) {
  std::vector<std::byte> bytes = good_image();
  put_word(bytes, offsetof(SegmentImage, generation), 77);
  put_word(bytes, offsetof(SegmentImage, restarts), ~std::uint64_t{0});
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::none);
}

TEST(SegmentLayout, RefusesTruncatedImages) {
  EXPECT_EQ(validate_segment_bytes({}), SegmentFault::truncated);
  EXPECT_EQ(validate_segment_bytes(image(8)), SegmentFault::truncated);
  EXPECT_EQ(validate_segment_bytes(image(sizeof(SegmentImage))), SegmentFault::truncated);
  // A valid header in too few bytes is still truncated: the mapping would be shorter than the layout.
  std::vector<std::byte> bytes = good_image();
  bytes.resize(segment_size_bytes - 1);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::truncated);
}

TEST(SegmentLayout, MagicZeroMeansUninitialised) {
  std::vector<std::byte> bytes = good_image();
  put_word(bytes, offsetof(SegmentImage, magic), 0);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::uninitialised);
  EXPECT_EQ(validate_segment_bytes(image()), SegmentFault::uninitialised);
}

TEST(SegmentLayout, RefusesAForeignMagic) {
  std::vector<std::byte> bytes = good_image();
  put_word(bytes, offsetof(SegmentImage, magic), segment_magic + 1);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::bad_magic);
  put_word(bytes, offsetof(SegmentImage, magic), ~std::uint64_t{0});
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::bad_magic);
}

TEST(SegmentLayout, MagicSpellsTetherInMemoryOrder) {
  std::vector<std::byte> bytes = good_image();
  const std::string text(reinterpret_cast<const char*>(bytes.data()), 8);
  EXPECT_EQ(text, "TETHER01");
}

TEST(SegmentLayout, RefusesAnotherLayoutVersion) {
  std::vector<std::byte> bytes = good_image();
  put_word(bytes, offsetof(SegmentImage, layout_version), segment_layout_version + 1);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::bad_version);
  put_word(bytes, offsetof(SegmentImage, layout_version), 0);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::bad_version);
}

TEST(SegmentLayout, RefusesARecordedSizeThatDiffers) {
  std::vector<std::byte> bytes = good_image();
  put_word(bytes, offsetof(SegmentImage, size_bytes), segment_size_bytes * 2);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::bad_size);
  put_word(bytes, offsetof(SegmentImage, size_bytes), 0);
  EXPECT_EQ(validate_segment_bytes(bytes), SegmentFault::bad_size);
}

TEST(SegmentLayout, RefusesAnImageLargerThanTheLayout) {
  // A segment someone grew: its header may be right, but it is not one of ours.
  EXPECT_EQ(validate_segment_bytes(good_image(segment_size_bytes + 8)), SegmentFault::bad_size);
}

TEST(SegmentLayout, FaultTextsAreDistinct) {
  const std::array faults = {SegmentFault::none,      SegmentFault::truncated,   SegmentFault::uninitialised,
                             SegmentFault::bad_magic, SegmentFault::bad_version, SegmentFault::bad_size};
  std::set<std::string_view> texts;
  for (const SegmentFault fault : faults) texts.insert(segment_fault_text(fault));
  EXPECT_EQ(texts.size(), faults.size());
}

TEST(SegmentLayout, FieldNamesFollowTheLayout) {
  EXPECT_EQ(field_name(Field::magic), "magic");
  EXPECT_EQ(field_name(Field::layout_version), "layout_version");
  EXPECT_EQ(field_name(Field::generation), "generation");
  EXPECT_EQ(field_name(Field::listener_identity), "listener_identity");
  EXPECT_EQ(field_name(Field::listener_state), "listener_state");
  EXPECT_EQ(field_name(Field::launched_identity), "launched_identity");
  EXPECT_EQ(field_name(Field::controller_identity), "controller_identity");
  EXPECT_EQ(field_name(Field::shutdown_request), "shutdown_request");
  EXPECT_EQ(field_name(Field::heartbeat_ns), "heartbeat_ns");
  EXPECT_EQ(field_name(Field::restarts), "restarts");
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < field_count; ++i) names.insert(field_name(static_cast<Field>(i)));
  EXPECT_EQ(names.size(), field_count);
}

TEST(SegmentLayout, TheFieldTableGivesEveryFieldItsPlaceAndInitialValue) {
  for (std::size_t i = 0; i < field_count; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(field_specs[i].field), i) << "the table is in layout order";
  }
  // Written apart from the others: the incarnation (known at run time) and the magic (last).
  EXPECT_FALSE(field_specs[static_cast<std::size_t>(Field::magic)].initial.has_value());
  EXPECT_FALSE(field_specs[static_cast<std::size_t>(Field::incarnation)].initial.has_value());
  EXPECT_EQ(field_specs[static_cast<std::size_t>(Field::layout_version)].initial, segment_layout_version);
  EXPECT_EQ(field_specs[static_cast<std::size_t>(Field::size_bytes)].initial, segment_size_bytes);
  for (const Field zero : {Field::generation, Field::listener_identity, Field::listener_state, Field::launched_identity,
                           Field::controller_identity, Field::shutdown_request, Field::heartbeat_ns, Field::restarts,
                           Field::departed_identity}) {
    EXPECT_EQ(field_specs[static_cast<std::size_t>(zero)].initial, 0u) << field_name(zero);
  }
  // The image has one word per field, in the table's order; only the shutdown word is 32 bits.
  EXPECT_EQ(offsetof(SegmentImage, incarnation), (field_count - 1) * 8);
  EXPECT_EQ(sizeof(SegmentImage::shutdown_request), 4u);
  EXPECT_EQ(sizeof(SegmentImage::departed_identity), 8u);
}

TEST(SegmentLayout, ListenerStateNames) {
  EXPECT_EQ(listener_state_name(0), "none");
  EXPECT_EQ(listener_state_name(static_cast<std::uint64_t>(ListenerState::starting)), "starting");
  EXPECT_EQ(listener_state_name(static_cast<std::uint64_t>(ListenerState::working)), "working");
  EXPECT_EQ(listener_state_name(static_cast<std::uint64_t>(ListenerState::idle)), "idle");
  EXPECT_EQ(listener_state_name(static_cast<std::uint64_t>(ListenerState::stopping)), "stopping");
  EXPECT_EQ(listener_state_name(static_cast<std::uint64_t>(ListenerState::exited)), "exited");
  // The word comes from shared memory: any value must print, never crash.
  EXPECT_EQ(listener_state_name(6), "invalid");
  EXPECT_EQ(listener_state_name(~std::uint64_t{0}), "invalid");
}

}  // namespace
}  // namespace tether
