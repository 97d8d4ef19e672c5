#include "trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/process_identity.hpp"

namespace tether::sim {

namespace {
constexpr std::uint64_t fnv_prime = 0x100000001b3;

std::uint64_t mix(std::uint64_t hash, std::uint64_t value) { return (hash ^ value) * fnv_prime; }

std::string identity_text(std::uint64_t word) {
  if (word == 0) return "-";
  const auto identity = ProcessIdentity::unpack(word);
  return fmt::format("{}/{}", identity.pid, identity.start_time_ticks);
}

std::string segment_text(const std::array<std::uint64_t, field_count>& words, Protocol protocol) {
  if (protocol == Protocol::seed) {
    const auto slot = static_cast<std::int32_t>(static_cast<std::uint32_t>(words[0]));
    return fmt::format("slot={}", slot);
  }
  auto at = [&](Field field) { return words[static_cast<std::size_t>(field)]; };
  return fmt::format("magic={} gen={} listener={} state={} launched={} controller={} shutdown={}",
                     at(Field::magic) == segment_magic ? "ok" : (at(Field::magic) == 0 ? "0" : "bad"),
                     at(Field::generation), identity_text(at(Field::listener_identity)),
                     listener_state_name(at(Field::listener_state)), identity_text(at(Field::launched_identity)),
                     identity_text(at(Field::controller_identity)), at(Field::shutdown_request));
}
}  // namespace

void Trace::add(TraceRecord record) {
  hash_ = mix(hash_, record.step);
  hash_ = mix(hash_, record.time_ns);
  hash_ = mix(hash_, record.serial);
  hash_ = mix(hash_, static_cast<std::uint64_t>(record.op) << 8 | record.field);
  hash_ = mix(hash_, record.value);
  if (!record.idle) ++shown_lines_;
  if (keep_records_) records_.push_back(std::move(record));
}

void Trace::end_step() {
  if (keep_step_hashes_) step_hashes_.push_back(hash_);
}

std::string timeline_line(const TraceRecord& record, Protocol protocol) {
  return fmt::format("{:>10.3f} ms  #{:<5} {:<24} {:<46} | {}", static_cast<double>(record.time_ns) / 1e6, record.step,
                     record.who, record.text, segment_text(record.segment, protocol));
}

nlohmann::json chrome_trace(const Trace& trace) {
  nlohmann::json events = nlohmann::json::array();
  std::map<std::uint32_t, std::string> names;  // ordered: the output must not depend on hashing
  std::uint64_t previous_ns = 0;
  for (const TraceRecord& record : trace.records()) {
    names.emplace(record.serial, record.who);
    // Perfetto orders events of one timestamp as it likes: while virtual time stands still, records
    // are spread 1 ns apart so that they keep the run's order.
    const std::uint64_t at_ns = events.empty() ? record.time_ns : std::max(record.time_ns, previous_ns + 1);
    previous_ns = at_ns;
    events.push_back({{"name", record.text},
                      {"ph", "i"},
                      {"s", "t"},
                      {"ts", static_cast<double>(at_ns) / 1e3},
                      {"pid", 1},
                      {"tid", record.serial},
                      {"args", {{"step", record.step}, {"time_ms", static_cast<double>(record.time_ns) / 1e6}}}});
  }
  for (const auto& [serial, name] : names) {
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", serial}, {"args", {{"name", name}}}});
  }
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "tether-sim"}}}});
  return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

}  // namespace tether::sim
