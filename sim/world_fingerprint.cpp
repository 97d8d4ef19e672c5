// The fingerprint of a whole simulated world at a scheduling point, for `tether-sim check`'s visited
// set. Two worlds with the same fingerprint must behave the same from here on (up to the hash's
// collisions): everything that can influence a later step, a later decision's range or an invariant is
// folded in; what only labels, counts or traces a run is left out, and each omission says why.
//
// Hash: the values go, in a fixed order, into two independent 64-bit hashes (FNV-1a, and a
// multiply-rotate hash finalised by splitmix64), which make the 128-bit fingerprint. The cores'
// states enter through their own 64-bit hash_value (src/core), so two worlds differing only in a
// core's state collide with probability 2^-64, not 2^-128: `check` prints the estimate from that bound.
//
// Time: kept exact. The clock (now) is part of the fingerprint and every deadline is hashed as the
// absolute time it names, as the cores' states hold it (ControllerState's deadlines,
// ListenerCoreState::now_ns). Hashing deadlines relative to now would merge two worlds only when their
// stored absolute times are shifted alike too, which needs the cores to expose which fields are times;
// exact time is trivially sound and still merges the interleavings that reach one state at one time.
#include <bit>

#include "core/state_hash.hpp"
#include "world.hpp"

namespace tether::sim {

namespace {

constexpr std::uint64_t splitmix64(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ull;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

class FingerprintBuilder {
 public:
  void add(std::uint64_t value) {
    first_.add(value);
    second_ = std::rotl((second_ ^ value) * 0x9fb21c651e98df25ull, 29) + 0x7a646e4d6f6e6b65ull;
  }
  void add(bool value) { add(std::uint64_t{value ? 1u : 0u}); }
  void add(std::int64_t value) { add(static_cast<std::uint64_t>(value)); }
  void add(int value) { add(static_cast<std::int64_t>(value)); }
  void add(std::uint32_t value) { add(std::uint64_t{value}); }
  void add(ProcessIdentity identity) { add(identity.pack()); }
  void add(const ExitStatus& status) {
    add(static_cast<std::uint64_t>(status.kind));
    add(status.value);
  }
  template <class T>
  void add(const std::optional<T>& value) {
    add(value.has_value());
    if (value.has_value()) add(*value);
  }
  [[nodiscard]] Fingerprint value() const { return {first_.value(), splitmix64(second_)}; }

 private:
  Fnv1a first_;
  std::uint64_t second_ = 0x243f6a8885a308d3ull;
};

}  // namespace

// Left out on purpose: the step and segment-operation counters and the coverage counts (reports only;
// `check` keeps its runs far below --steps), the trace, and any violation (a run stops at one).
template <class Hash>
void World::hash_surroundings(Hash& hash, bool with_words_and_last) const {
  // The clock and the run's phase: the checkpoints are fixed per run, hashed for completeness.
  hash.add(now_ns_);
  hash.add(quiet_);
  hash.add(converge_checked_);
  hash.add(system_finished_);
  hash.add(controller_restart_pending_);
  hash.add(plan_.fault_phase_end_ns);
  hash.add(plan_.converge_at_ns);
  hash.add(plan_.end_at_ns);
  hash.add(last_listener_exit_ns_);
  hash.add(last_controller_start_ns_);
  // The rest of the fault schedule (due faults count their remaining extra steps), the crash budget and
  // what is left of check's fault bounds (the bound on live controllers is fixed per run).
  hash.add(static_cast<std::uint64_t>(faults_.schedule.size() - faults_.next));
  for (std::size_t index = faults_.next; index < faults_.schedule.size(); ++index) {
    const FaultEvent& fault = faults_.schedule[index];
    hash.add(static_cast<std::uint64_t>(fault.kind));
    hash.add(fault.at_ns);
    hash.add(fault.extra_steps);
    hash.add(fault.value);
  }
  hash.add(faults_.crash_budget);
  for (const FaultBoundField& field : fault_bound_fields) hash.add(faults_.left.*field.member);
  if (with_words_and_last) {
    // Who stepped last: choice 0 lets it go on, so it decides which successors cost a deviation
    // (`--depth`). Leaving it out would merge worlds whose bounded futures differ.
    hash.add(last_stepped_);
  }
  hash.add(lock_holder_);
  // The segment bearing the name, and the removed ones still mapped, with their creation counts.
  hash.add(segments_.incarnation());
  // The checker's model rides along: whether each segment has shown a shutdown request.
  auto add_segment = [&](std::uint64_t incarnation, const SegmentObjects::Object& segment) {
    if (with_words_and_last) {
      for (const std::uint64_t word : segment.words) hash.add(word);
    }
    hash.add(segment.exists);
    hash.add(segment.removed);
    hash.add(checker_.request_posted(incarnation));
  };
  add_segment(segments_.incarnation(), segments_.named());
  hash.add(static_cast<std::uint64_t>(segments_.retired().size()));
  for (const auto& [incarnation, segment] : segments_.retired()) {
    hash.add(incarnation);
    add_segment(incarnation, segment);
  }
  // The pid table: who holds each pid and where the next allocation starts. Start times come from a
  // counter that never repeats, so the next one is state too.
  for (std::uint32_t offset = 0; offset < config_.pid_count; ++offset) {
    hash.add(table_.pids().owner(PidSpace::first_pid + static_cast<std::int32_t>(offset)));
  }
  hash.add(table_.pids().last_pid());
  hash.add(table_.next_start_ticks());
  hash.add(static_cast<std::uint64_t>(pending_exits_.size()));
  for (const PendingExit& pending : pending_exits_) {
    hash.add(pending.controller);
    hash.add(pending.watched);
    hash.add(pending.status);
    hash.add(pending.real_status);
  }
  hash.add(static_cast<std::uint64_t>(table_.live_workers().size()));
  for (const Serial serial : table_.live_workers()) hash.add(serial);
  // Every process, dead ones too (the invariants look at how they ended). Left out: the label (made
  // from the fields below); the swarm, fixed by the configuration except for the small world's first
  // decision (fresh or stale start), which only shapes the setup, whose effects are hashed here; and
  // which pids were once ours (ProcessTable::pid_was_ours), read only to count coverage.
  hash.add(static_cast<std::uint64_t>(table_.all().size()));
}

template <class Hash>
void World::hash_process(Hash& hash, const SimProcess& process) {
  hash.add(static_cast<std::uint64_t>(process.kind));
  hash.add(process.identity);
  hash.add(process.parent);
  hash.add(process.alive);
  hash.add(process.started);
  hash.add(process.ready_at_ns);
  hash.add(process.mapped_incarnation);
  hash.add(process.gated);
  hash.add(process.spawned_at_ns);
  hash.add(process.gate_ready_at_ns);
  hash.add(process.ticket.incarnation);
  hash.add(process.ticket.generation);
  hash.add(process.worker_config.work_ms);
  hash.add(process.worker_config.units);
  hash.add(process.worker_config.idle_ms);
  hash.add(process.ignores_sigterm);
  hash.add(process.hang_pending);
  hash.add(process.hung);
  hash.add(process.exit_pending_code);
  hash.add(process.in_unit);
  hash.add(process.registered);
  hash.add(process.ever_registered);
  hash.add(process.idle_waiting);
  hash.add(process.plain);
  hash.add(process.got_shutdown_signal);
  hash.add(process.last_listener_status);
  hash.add(process.at_crash_point);
  hash.add(process.finished);
  hash.add(process.expect_adopt);
  hash.add(static_cast<std::uint64_t>(process.watching.size()));
  for (const ProcessIdentity watched : process.watching) hash.add(watched);
  // Every core's state is a value with its own hash (the cores' configurations are the swarm's).
  // Whether its party exists: a controller and the tool create theirs at their first step.
  hash.add(process.party != nullptr);
  if (process.party) hash.add(process.party->state_hash());
}

Fingerprint World::fingerprint() const {
  FingerprintBuilder hash;
  hash_surroundings(hash, true);
  for (const auto& owned : table_.all()) hash_process(hash, *owned);
  return hash.value();
}

Fingerprint World::surroundings_fingerprint() const {
  FingerprintBuilder hash;
  hash_surroundings(hash, false);
  return hash.value();
}

Fingerprint World::process_fingerprint(const SimProcess& process) const {
  FingerprintBuilder hash;
  hash_process(hash, process);
  return hash.value();
}

}  // namespace tether::sim
