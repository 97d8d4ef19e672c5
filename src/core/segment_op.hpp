#pragma once
// The kinds of segment operation a core's phase may perform: each declared phase names one (or none),
// and the core asserts every step against its declaration.
#include <cstdint>
#include <string_view>

namespace tether {

enum class SegmentOp : std::uint8_t { none, load, store, compare_exchange, fetch_add };

constexpr std::string_view segment_op_name(SegmentOp op) {
  switch (op) {
    case SegmentOp::none: return "none";
    case SegmentOp::load: return "load";
    case SegmentOp::store: return "store";
    case SegmentOp::compare_exchange: return "compare_exchange";
    case SegmentOp::fetch_add: return "fetch_add";
  }
  return "invalid";
}

}  // namespace tether
