#pragma once
// An in-memory SegmentPort for unit tests, property tests and fuzz targets: one word per field, and a
// record of every access so that a test can check their order (the magic written last), their number
// (at most one per step) and the core's own writes under another process's scribbling.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/assert.hpp"
#include "core/ports.hpp"
#include "core/segment_layout.hpp"

namespace tether::fakes {

struct SegmentAccess {
  enum class Kind : std::uint8_t { load, store, compare_exchange, fetch_add };
  Kind kind = Kind::load;
  Field field = Field::magic;
  std::uint64_t value = 0;  // loaded value, stored value, desired value, or delta
  bool succeeded = true;    // false only for a failed compare-and-exchange
};

class FakeSegment final : public SegmentPort {
 public:
  // Accesses kept for inspection; long property and fuzz runs go on counting beyond it.
  static constexpr std::size_t log_max = std::size_t{1} << 16;
  // The header of a segment some earlier controller created: its incarnation is `earlier_incarnation`.
  static constexpr std::uint64_t earlier_incarnation = 0x5eed'0000'0042;

  std::uint64_t load(Field field) override {
    const std::uint64_t value = words_[index(field)];
    record({SegmentAccess::Kind::load, field, value});
    return value;
  }
  void store(Field field, std::uint64_t value) override {
    write(field, value);
    record({SegmentAccess::Kind::store, field, value});
  }
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override {
    const std::uint64_t current = words_[index(field)];
    const bool exchanged = current == expected;
    if (exchanged) {
      write(field, desired);
    } else {
      expected = current;
    }
    record({SegmentAccess::Kind::compare_exchange, field, desired, exchanged});
    return exchanged;
  }
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override {
    const std::uint64_t before = words_[index(field)];
    write(field, before + delta);
    record({SegmentAccess::Kind::fetch_add, field, delta});
    return before;
  }
  void wake_shutdown_waiters() override { ++wakes_; }

  // The test's own view of the words (another process writing, or tampering): neither counted nor logged.
  [[nodiscard]] std::uint64_t peek(Field field) const { return words_[index(field)]; }
  void poke(Field field, std::uint64_t value) { words_[index(field)] = value; }
  // The value the core itself last wrote to a field through the port, whatever was poked over it since:
  // what a check of the core's own ordering compares with.
  [[nodiscard]] std::uint64_t port_word(Field field) const { return port_words_[index(field)]; }
  // Writes the header a controller leaves after initialising (magic, version, size, incarnation).
  void poke_initialised_header() {
    poke(Field::layout_version, segment_layout_version);
    poke(Field::size_bytes, segment_size_bytes);
    poke(Field::incarnation, earlier_incarnation);
    poke(Field::magic, segment_magic);
  }

  // The step counter: a driver calls begin_step() before each core step and then reads ops_in_step().
  void begin_step() { ops_in_step_ = 0; }
  [[nodiscard]] std::uint32_t ops_in_step() const { return ops_in_step_; }
  [[nodiscard]] std::uint32_t ops_in_step_max() const { return ops_in_step_max_; }

  [[nodiscard]] const std::vector<SegmentAccess>& log() const { return log_; }
  [[nodiscard]] const SegmentAccess& last() const { return last_; }
  [[nodiscard]] std::uint64_t operations() const { return operations_; }
  [[nodiscard]] std::uint64_t wakes() const { return wakes_; }
  // Logged accesses that may have changed a word (store, successful compare-exchange, fetch_add).
  [[nodiscard]] std::size_t writes() const {
    std::size_t writes = 0;
    for (const SegmentAccess& access : log_) {
      if (access.kind != SegmentAccess::Kind::load && access.succeeded) ++writes;
    }
    return writes;
  }

 private:
  static std::size_t index(Field field) {
    const auto i = static_cast<std::size_t>(field);
    TETHER_ASSERT(i < field_count);
    return i;
  }
  void write(Field field, std::uint64_t value) {
    words_[index(field)] = value;
    port_words_[index(field)] = value;
  }
  void record(SegmentAccess access) {
    ++operations_;
    last_ = access;
    if (log_.size() < log_max) log_.push_back(access);
    ++ops_in_step_;
    if (ops_in_step_ > ops_in_step_max_) ops_in_step_max_ = ops_in_step_;
  }

  std::array<std::uint64_t, field_count> words_{};
  std::array<std::uint64_t, field_count> port_words_{};
  std::vector<SegmentAccess> log_;
  SegmentAccess last_;
  std::uint64_t operations_ = 0;
  std::uint64_t wakes_ = 0;
  std::uint32_t ops_in_step_ = 0;
  std::uint32_t ops_in_step_max_ = 0;
};

}  // namespace tether::fakes
