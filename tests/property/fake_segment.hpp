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
    write(field, value);
  }
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override {
    record(OpKind::compare_exchange, field);
    std::uint64_t& word = words_[index(field)];
    if (word != expected) {
      expected = word;
      return false;
    }
    write(field, desired);
    return true;
  }
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override {
    record(OpKind::fetch_add, field);
    const std::uint64_t before = words_[index(field)];
    write(field, before + delta);
    return before;
  }
  void wake_shutdown_waiters() override { ++wakes_; }

  // Direct access for the test itself (another process writing, or tampering): not counted.
  [[nodiscard]] std::uint64_t word(Field field) const { return words_[index(field)]; }
  void set_word(Field field, std::uint64_t value) { words_[index(field)] = value; }
  // The value the core itself last wrote to a field through the port, whatever was scribbled over it
  // since: what a check of the core's own ordering compares with (another process can overwrite any
  // word at any time, and that is no fault of the core).
  [[nodiscard]] std::uint64_t port_word(Field field) const { return port_words_[index(field)]; }

  [[nodiscard]] std::uint64_t operations() const { return operations_; }
  [[nodiscard]] std::uint64_t wakes() const { return wakes_; }
  [[nodiscard]] OpKind last_kind() const { return last_kind_; }
  [[nodiscard]] Field last_field() const { return last_field_; }

 private:
  static std::size_t index(Field field) { return static_cast<std::size_t>(field); }
  void write(Field field, std::uint64_t value) {
    words_[index(field)] = value;
    port_words_[index(field)] = value;
  }
  void record(OpKind kind, Field field) {
    ++operations_;
    last_kind_ = kind;
    last_field_ = field;
  }

  std::array<std::uint64_t, field_count> words_{};
  std::array<std::uint64_t, field_count> port_words_{};
  std::uint64_t operations_ = 0;
  std::uint64_t wakes_ = 0;
  OpKind last_kind_ = OpKind::load;
  Field last_field_ = Field::magic;
};

}  // namespace tether::testing
