#pragma once
// The cores' only way to the segment: every operation is checked against what the current phase
// declares (its one operation and field, from the phase tables) and against the rule of at most one
// operation per step. A core calls begin_step() with its phase's declaration before each step. The
// checks are assertions: they stay on in release builds (core/assert.hpp).
#include <cstdint>
#include <optional>

#include "core/assert.hpp"
#include "core/ports.hpp"
#include "core/segment_op.hpp"

namespace tether {

class CheckedSegment {
 public:
  explicit CheckedSegment(SegmentPort& port) : port_(port) {}

  // `field` nullopt: the phase may touch any one field (the controller's header initialisation).
  void begin_step(SegmentOp op, std::optional<Field> field) {
    declared_op_ = op;
    declared_field_ = field;
    done_ = SegmentOp::none;
  }

  std::uint64_t load(Field field) {
    check(SegmentOp::load, field);
    return port_.load(field);
  }
  void store(Field field, std::uint64_t value) {
    check(SegmentOp::store, field);
    port_.store(field, value);
  }
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) {
    check(SegmentOp::compare_exchange, field);
    return port_.compare_exchange(field, expected, desired);
  }
  std::uint64_t fetch_add(Field field, std::uint64_t delta) {
    check(SegmentOp::fetch_add, field);
    return port_.fetch_add(field, delta);
  }
  // Not a memory operation: it accompanies the store of the shutdown request in the same step.
  void wake_shutdown_waiters() { port_.wake_shutdown_waiters(); }
  // Past the checks, for the planted bugs of the simulator's self-test only.
  SegmentPort& unchecked() { return port_; }

 private:
  void check(SegmentOp op, Field field) {
    TETHER_ASSERT(done_ == SegmentOp::none);  // one segment operation per step
    TETHER_ASSERT(declared_op_ == op);
    TETHER_ASSERT(!declared_field_.has_value() || *declared_field_ == field);
    done_ = op;
  }

  SegmentPort& port_;
  SegmentOp declared_op_ = SegmentOp::none;
  std::optional<Field> declared_field_;
  SegmentOp done_ = SegmentOp::none;
};

}  // namespace tether
