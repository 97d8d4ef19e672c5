// Goal: the segment's bytes mean exactly what the layout documents, and validation never misreads them.
// Method: an independent oracle written here (its own offsets, little-endian decoding, the magic as the
// text "TETHER01") is compared with SegmentImage and validate_segment_bytes on generated images.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <new>
#include <vector>

#include "core/segment_layout.hpp"

namespace {

using tether::Field;
using tether::SegmentFault;

// The layout as a reader in another language would write it down: byte offsets of each word.
struct OracleField {
  Field field;
  std::size_t offset_bytes;
  std::size_t width_bytes;
};
constexpr OracleField oracle_fields[] = {
    {Field::magic, 0, 8},
    {Field::layout_version, 8, 8},
    {Field::size_bytes, 16, 8},
    {Field::generation, 24, 8},
    {Field::listener_identity, 32, 8},
    {Field::listener_state, 40, 8},
    {Field::launched_identity, 48, 8},
    {Field::controller_identity, 56, 8},
    {Field::shutdown_request, 64, 4},
    {Field::heartbeat_ns, 72, 8},
    {Field::restarts, 80, 8},
    {Field::departed_identity, 88, 8},
    {Field::incarnation, 96, 8},
};
// A tripwire: a new field changes what every other process reads. Extend the oracle (its offset, and
// the round trip below) deliberately, and decide whether segment_layout_version must change.
static_assert(std::size(oracle_fields) == tether::field_count, "the segment layout changed: update the oracle");
constexpr std::size_t oracle_page_bytes = 4096;
constexpr std::uint64_t oracle_version = 3;
// Version 3 added the worker notice area after the last field: sequence, identity, flags, then 256
// bytes of STATUS text (segment_layout.hpp, WorkerNoticeArea).
constexpr std::size_t oracle_notice_offset_bytes = 104;
constexpr std::size_t oracle_notice_bytes = 3 * 8 + 256;

std::uint64_t oracle_read(const std::vector<std::byte>& bytes, std::size_t offset, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= std::uint64_t{std::to_integer<std::uint8_t>(bytes.at(offset + i))} << (8 * i);
  }
  return value;
}

void oracle_write(std::vector<std::byte>& bytes, std::size_t offset, std::size_t width, std::uint64_t value) {
  for (std::size_t i = 0; i < width; ++i) {
    bytes.at(offset + i) = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  }
}

std::uint64_t oracle_magic() {
  constexpr char text[] = "TETHER01";
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < 8; ++i) word |= std::uint64_t{static_cast<std::uint8_t>(text[i])} << (8 * i);
  return word;
}

SegmentFault oracle_validate(const std::vector<std::byte>& bytes) {
  if (bytes.size() < oracle_page_bytes) return SegmentFault::truncated;
  const std::uint64_t magic = oracle_read(bytes, 0, 8);
  if (magic == 0) return SegmentFault::uninitialised;
  if (magic != oracle_magic()) return SegmentFault::bad_magic;
  if (oracle_read(bytes, 8, 8) != oracle_version) return SegmentFault::bad_version;
  if (oracle_read(bytes, 16, 8) != oracle_page_bytes || bytes.size() != oracle_page_bytes) {
    return SegmentFault::bad_size;
  }
  return SegmentFault::none;
}

std::span<const std::byte> as_span(const std::vector<std::byte>& bytes) { return {bytes.data(), bytes.size()}; }

// Header words drawn so that every branch of validation is reached often: the right value, zero, a
// one-bit corruption of the right value, or anything.
rc::Gen<std::uint64_t> near(std::uint64_t right) {
  return rc::gen::oneOf(
      rc::gen::just(right), rc::gen::just(std::uint64_t{0}),
      rc::gen::map(rc::gen::inRange(0, 64), [right](int bit) { return right ^ (std::uint64_t{1} << bit); }),
      rc::gen::arbitrary<std::uint64_t>());
}

rc::Gen<std::size_t> image_size_bytes() {
  return rc::gen::oneOf(rc::gen::just(oracle_page_bytes), rc::gen::inRange<std::size_t>(0, oracle_page_bytes),
                        rc::gen::inRange<std::size_t>(oracle_page_bytes + 1, 2 * oracle_page_bytes));
}

}  // namespace

TEST(SegmentLayoutOracle, AgreesWithTheCoreConstants) {
  // Pins the documented layout: a change here breaks every segment already in the field.
  EXPECT_EQ(tether::segment_magic, oracle_magic());
  EXPECT_EQ(tether::segment_layout_version, oracle_version);
  EXPECT_EQ(tether::segment_size_bytes, oracle_page_bytes);
  EXPECT_EQ(offsetof(tether::SegmentImage, worker_notice), oracle_notice_offset_bytes);
  EXPECT_EQ(sizeof(tether::WorkerNoticeArea), oracle_notice_bytes);
  EXPECT_EQ(offsetof(tether::WorkerNoticeArea, status_text), 24u);
}

RC_GTEST_PROP(SegmentLayoutProperty, FieldValuesRoundTripThroughImageBytes, ()) {
  // Write every field through the atomic image, copy the bytes out, and read them with the oracle.
  std::array<std::uint64_t, tether::field_count> values{};
  for (auto& value : values) value = *rc::gen::arbitrary<std::uint64_t>();
  values[static_cast<std::size_t>(Field::shutdown_request)] &= 0xffff'ffffu;

  alignas(tether::SegmentImage) std::array<std::byte, oracle_page_bytes> storage{};
  auto* image = new (storage.data()) tether::SegmentImage{};
  image->magic.store(values[0]);
  image->layout_version.store(values[1]);
  image->size_bytes.store(values[2]);
  image->generation.store(values[3]);
  image->listener_identity.store(values[4]);
  image->listener_state.store(values[5]);
  image->launched_identity.store(values[6]);
  image->controller_identity.store(values[7]);
  image->shutdown_request.store(static_cast<std::uint32_t>(values[8]));
  image->heartbeat_ns.store(values[9]);
  image->restarts.store(values[10]);
  image->departed_identity.store(values[11]);
  image->incarnation.store(values[12]);

  std::vector<std::byte> bytes(storage.begin(), storage.end());
  for (const OracleField& field : oracle_fields) {
    RC_ASSERT(oracle_read(bytes, field.offset_bytes, field.width_bytes) ==
              values[static_cast<std::size_t>(field.field)]);
  }
  RC_ASSERT(oracle_read(bytes, 68, 4) == 0u);  // the padding of the 32-bit shutdown word stays zero

  // And back: bytes written by the oracle read the same through the image.
  for (const OracleField& field : oracle_fields) {
    oracle_write(bytes, field.offset_bytes, field.width_bytes, values[static_cast<std::size_t>(field.field)]);
  }
  std::memcpy(storage.data(), bytes.data(), bytes.size());
  RC_ASSERT(image->generation.load() == values[3]);
  RC_ASSERT(image->listener_identity.load() == values[4]);
  RC_ASSERT(std::uint64_t{image->shutdown_request.load()} == values[8]);
  RC_ASSERT(image->restarts.load() == values[10]);
  RC_ASSERT(image->departed_identity.load() == values[11]);
  RC_ASSERT(image->incarnation.load() == values[12]);
  image->~SegmentImage();
}

RC_GTEST_PROP(SegmentLayoutProperty, ValidationAgreesWithTheOracle, ()) {
  const std::size_t size_bytes = *image_size_bytes();
  std::vector<std::byte> bytes(size_bytes);
  for (auto& byte : bytes) byte = static_cast<std::byte>(*rc::gen::arbitrary<std::uint8_t>());
  // Header words, where the image is long enough to hold them.
  const std::array<std::uint64_t, 3> header = {*near(oracle_magic()), *near(oracle_version), *near(oracle_page_bytes)};
  for (std::size_t i = 0; i < header.size() && (i + 1) * 8 <= size_bytes; ++i) {
    oracle_write(bytes, i * 8, 8, header[i]);
  }
  const SegmentFault expected = oracle_validate(bytes);
  RC_TAG(tether::segment_fault_text(expected));
  RC_ASSERT(tether::validate_segment_bytes(as_span(bytes)) == expected);
}

RC_GTEST_PROP(SegmentLayoutProperty, ArbitraryBytesAreNeverAccepted, (const std::vector<std::uint8_t>& raw)) {
  // Unstructured bytes: the oracle and the core agree, and acceptance needs the exact header.
  std::vector<std::byte> bytes(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) bytes[i] = static_cast<std::byte>(raw[i]);
  const SegmentFault fault = tether::validate_segment_bytes(as_span(bytes));
  RC_ASSERT(fault == oracle_validate(bytes));
  if (fault == SegmentFault::none) {
    RC_ASSERT(bytes.size() == oracle_page_bytes);
    RC_ASSERT(oracle_read(bytes, 0, 8) == oracle_magic());
  }
}

RC_GTEST_PROP(SegmentLayoutProperty, OneWrongHeaderWordIsRefusedWithItsFault, ()) {
  // Starting from a valid page, corrupting exactly one header word yields exactly that word's fault.
  std::vector<std::byte> bytes(oracle_page_bytes);
  oracle_write(bytes, 0, 8, oracle_magic());
  oracle_write(bytes, 8, 8, oracle_version);
  oracle_write(bytes, 16, 8, oracle_page_bytes);
  RC_ASSERT(tether::validate_segment_bytes(as_span(bytes)) == SegmentFault::none);

  const int word = *rc::gen::inRange(0, 3);
  const std::uint64_t right = oracle_read(bytes, static_cast<std::size_t>(word) * 8, 8);
  const std::uint64_t wrong = *rc::gen::suchThat<std::uint64_t>([right](std::uint64_t v) { return v != right; });
  oracle_write(bytes, static_cast<std::size_t>(word) * 8, 8, wrong);
  const SegmentFault fault = tether::validate_segment_bytes(as_span(bytes));
  if (word == 0) {
    RC_ASSERT(fault == (wrong == 0 ? SegmentFault::uninitialised : SegmentFault::bad_magic));
  } else if (word == 1) {
    RC_ASSERT(fault == SegmentFault::bad_version);
  } else {
    RC_ASSERT(fault == SegmentFault::bad_size);
  }
}
