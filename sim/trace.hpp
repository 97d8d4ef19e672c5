#pragma once
// The record of a run. Every run hashes its records (cheap: a few multiplies per record) so that two
// runs of one seed can be compared; replay also keeps them, with text and a segment snapshot, to print
// the timeline and export a Chrome trace-event file for Perfetto.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/segment_layout.hpp"
#include "sim_config.hpp"

namespace tether::sim {

enum class TraceOp : std::uint8_t {
  load,
  store,
  compare_exchange_ok,
  compare_exchange_failed,
  fetch_add,
  wake,  // segment operations
  start,
  spawn,
  spawn_failed,
  exit,
  killed,
  signal,
  notice,
  watch,  // processes
  event,
  fault,
  check,  // what it meant
};

struct TraceRecord {
  std::uint64_t step = 0;
  std::uint64_t time_ns = 0;
  std::uint32_t serial = 0;  // process serial number in the run (0: the simulator itself)
  std::int32_t pid = 0;
  TraceOp op = TraceOp::event;
  std::uint8_t field = 0;
  std::uint64_t value = 0;
  // A fault that found nothing to act on (no listener to kill, ...): kept, since its decision was drawn,
  // but it says nothing about the run, so replay does not show it (nor is it hashed).
  bool idle = false;
  // Filled only when the trace keeps records (replay): the hash never depends on them.
  std::string who;
  std::string text;
  std::array<std::uint64_t, field_count> segment{};
};

class Trace {
 public:
  explicit Trace(bool keep_records = false, bool keep_step_hashes = false)
      : keep_records_(keep_records), keep_step_hashes_(keep_step_hashes) {}

  [[nodiscard]] bool keeping() const { return keep_records_; }
  void add(TraceRecord record);
  // Marks the end of a scheduler step: the running hash is remembered per step when asked, so that a
  // determinism check can name the first step at which two runs diverged.
  void end_step();

  [[nodiscard]] std::uint64_t hash() const { return hash_; }
  // The lines a replay prints of this run (every record but idle faults), counted even when the records
  // themselves are not kept.
  [[nodiscard]] std::size_t shown_lines() const { return shown_lines_; }
  [[nodiscard]] const std::vector<TraceRecord>& records() const { return records_; }
  [[nodiscard]] const std::vector<std::uint64_t>& step_hashes() const { return step_hashes_; }

 private:
  bool keep_records_;
  bool keep_step_hashes_;
  std::uint64_t hash_ = 0xcbf29ce484222325;  // FNV-1a offset basis
  std::size_t shown_lines_ = 0;
  std::vector<TraceRecord> records_;
  std::vector<std::uint64_t> step_hashes_;
};

// One line per record: virtual time, step, process, what it did, the segment fields after it.
std::string timeline_line(const TraceRecord& record, Protocol protocol);
// Chrome trace-event JSON ({"traceEvents": [...]}) that opens in Perfetto or chrome://tracing. Records
// at one virtual instant keep their order: each is placed at least 1 ns after the one before (its
// virtual time and step are in its args).
nlohmann::json chrome_trace(const Trace& trace);

}  // namespace tether::sim
