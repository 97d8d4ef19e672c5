#include "fakes.hpp"

#include <cassert>

namespace tether::test {

std::size_t FakeSegment::index(Field field) {
  const auto i = static_cast<std::size_t>(field);
  assert(i < field_count);
  return i;
}

void FakeSegment::count(SegmentOp op) {
  log_.push_back(op);
  ++ops_in_step_;
  if (ops_in_step_ > ops_in_step_max_) ops_in_step_max_ = ops_in_step_;
}

std::uint64_t FakeSegment::load(Field field) {
  const std::uint64_t value = words_[index(field)].load();
  count({SegmentOp::Kind::load, field, value});
  return value;
}

void FakeSegment::store(Field field, std::uint64_t value) {
  words_[index(field)].store(value);
  count({SegmentOp::Kind::store, field, value});
}

bool FakeSegment::compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) {
  const bool exchanged = words_[index(field)].compare_exchange_strong(expected, desired);
  count({SegmentOp::Kind::compare_exchange, field, desired, exchanged});
  return exchanged;
}

std::uint64_t FakeSegment::fetch_add(Field field, std::uint64_t delta) {
  const std::uint64_t before = words_[index(field)].fetch_add(delta);
  count({SegmentOp::Kind::fetch_add, field, delta});
  return before;
}

std::uint64_t FakeSegment::peek(Field field) const { return words_[index(field)].load(); }

void FakeSegment::poke(Field field, std::uint64_t value) { words_[index(field)].store(value); }

void FakeSegment::poke_initialised_header() {
  poke(Field::layout_version, segment_layout_version);
  poke(Field::size_bytes, segment_size_bytes);
  poke(Field::incarnation, earlier_incarnation);
  poke(Field::magic, segment_magic);
}

std::size_t FakeSegment::writes() const {
  std::size_t writes = 0;
  for (const SegmentOp& op : log_) {
    if (op.kind != SegmentOp::Kind::load && op.succeeded) ++writes;
  }
  return writes;
}

std::vector<std::uint64_t> FakeProcesses::spawn_generations() const {
  std::vector<std::uint64_t> generations;
  for (const LaunchTicket& ticket : spawn_tickets_) generations.push_back(ticket.generation);
  return generations;
}

Result<ProcessIdentity, SpawnError> FakeProcesses::spawn(LaunchTicket ticket) {
  spawn_tickets_.push_back(ticket);
  if (!spawn_failures_.empty()) {
    const SpawnError error = spawn_failures_.front();
    spawn_failures_.pop_front();
    return fail(error);
  }
  const ProcessIdentity identity{next_pid_++, next_start_time_ticks_++};
  live_.insert(identity.pack());
  spawned_.push_back(identity);
  return identity;
}

bool FakeProcesses::is_alive(ProcessIdentity identity) {
  return identity.valid() && live_.count(identity.pack()) != 0;
}

bool FakeProcesses::watch(ProcessIdentity identity) {
  watched_.push_back(identity);
  return is_alive(identity);
}

SignalOutcome FakeProcesses::signal(ProcessIdentity identity, Signal signal) {
  signals_.emplace_back(identity, signal);
  return is_alive(identity) ? SignalOutcome::delivered : SignalOutcome::gone;
}

}  // namespace tether::test
