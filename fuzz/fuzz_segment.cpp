// Fuzz target: segment validation over arbitrary bytes. It must never crash, and it may accept only an
// image of exactly one page whose magic, version and recorded size are right (checked here byte by
// byte, independently of the core's structs); a refusal must name the first wrong thing.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/segment_layout.hpp"
#include "fuzz_check.hpp"

namespace {

std::uint64_t little_endian_word(const std::uint8_t* data, std::size_t offset) {
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < 8; ++i) word |= std::uint64_t{data[offset + i]} << (8 * i);
  return word;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span<const std::uint8_t>(data, size));
  const tether::SegmentFault fault = tether::validate_segment_bytes(bytes);
  TETHER_FUZZ_CHECK(!tether::segment_fault_text(fault).empty(), "every fault has a text");

  constexpr std::size_t page_bytes = 4096;
  if (size < page_bytes) {
    TETHER_FUZZ_CHECK(fault == tether::SegmentFault::truncated, "short images are truncated");
    return 0;
  }
  const bool magic_zero = little_endian_word(data, 0) == 0;
  const bool magic_right = std::memcmp(data, "TETHER01", 8) == 0;
  const bool version_right = little_endian_word(data, 8) == 3;  // layout 3: with the worker notice area
  const bool size_right = little_endian_word(data, 16) == page_bytes && size == page_bytes;
  if (fault == tether::SegmentFault::none) {
    TETHER_FUZZ_CHECK(magic_right, "accepted only with the right magic");
    TETHER_FUZZ_CHECK(version_right, "accepted only with the right version");
    TETHER_FUZZ_CHECK(size_right, "accepted only with the right size");
  }
  const tether::SegmentFault expected = magic_zero       ? tether::SegmentFault::uninitialised
                                        : !magic_right   ? tether::SegmentFault::bad_magic
                                        : !version_right ? tether::SegmentFault::bad_version
                                        : !size_right    ? tether::SegmentFault::bad_size
                                                         : tether::SegmentFault::none;
  TETHER_FUZZ_CHECK(fault == expected, "the fault names the first wrong header word");
  return 0;
}
