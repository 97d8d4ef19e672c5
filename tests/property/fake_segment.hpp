#pragma once
// An in-memory SegmentPort for property tests and fuzz targets: one plain word per field, and a count
// of the memory operations so that a driver can check "at most one segment operation per step".
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/ports.hpp"
#include "core/segment_layout.hpp"

namespace tether::testing {

class FakeSegment final : public SegmentPort {
 public:
  enum class OpKind : std::uint8_t { load, store, compare_exchange, fetch_add };

  std::uint64_t load(Field field) override {
    record(OpKind::load, field);
    return words_[index(field)];
  }
  void store(Field field, std::uint64_t value) override {
    record(OpKind::store, field);
    words_[index(field)] = value;
  }
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override {
    record(OpKind::compare_exchange, field);
    std::uint64_t& word = words_[index(field)];
    if (word != expected) {
      expected = word;
      return false;
    }
    word = desired;
    return true;
  }
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override {
    record(OpKind::fetch_add, field);
    const std::uint64_t before = words_[index(field)];
    words_[index(field)] = before + delta;
    return before;
  }
  void wake_shutdown_waiters() override { ++wakes_; }

  // Direct access for the test itself (another process writing, or tampering): not counted.
  [[nodiscard]] std::uint64_t word(Field field) const { return words_[index(field)]; }
  void set_word(Field field, std::uint64_t value) { words_[index(field)] = value; }

  [[nodiscard]] std::uint64_t operations() const { return operations_; }
  [[nodiscard]] std::uint64_t wakes() const { return wakes_; }
  [[nodiscard]] OpKind last_kind() const { return last_kind_; }
  [[nodiscard]] Field last_field() const { return last_field_; }

 private:
  static std::size_t index(Field field) { return static_cast<std::size_t>(field); }
  void record(OpKind kind, Field field) {
    ++operations_;
    last_kind_ = kind;
    last_field_ = field;
  }

  std::array<std::uint64_t, field_count> words_{};
  std::uint64_t operations_ = 0;
  std::uint64_t wakes_ = 0;
  OpKind last_kind_ = OpKind::load;
  Field last_field_ = Field::magic;
};

}  // namespace tether::testing
