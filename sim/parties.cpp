#include "parties.hpp"

#include "core/exit_codes.hpp"

namespace tether::sim {

namespace {
template <class Loop>
bool pop_worker_event(Loop& loop, PartyEvent& event) {
  WorkerEvent popped{};
  if (!loop.pop_event(popped)) return false;
  event = popped;
  return true;
}
}  // namespace

PartyStep party_step(const WorkerStep& step) {
  switch (step.kind) {
    case WorkerStep::Kind::progressed: return PartyStep::again();
    case WorkerStep::Kind::work_until: return PartyStep::until(PartyStep::Kind::wait_until, step.deadline_ns);
    case WorkerStep::Kind::idle_until: return PartyStep::until(PartyStep::Kind::idle_until, step.deadline_ns);
    case WorkerStep::Kind::exit: break;
  }
  return PartyStep::exit(step.exit_code, "worker done");
}

bool TetherListenerParty::pop_event(PartyEvent& event) { return pop_worker_event(loop_, event); }

std::uint64_t TetherListenerParty::state_hash() const {
  Fnv1a hash;
  hash.add(hash_value(listener_.state()));
  hash.add(hash_value(loop_.state()));
  return hash.value();
}

bool SeedListenerParty::pop_event(PartyEvent& event) { return pop_worker_event(listener_, event); }

PartyStep PlainWorkerParty::step(std::uint64_t now_ns) {
  if (exit_at_ns_.has_value() && now_ns >= *exit_at_ns_) {
    return PartyStep::exit(exit_code_, "plain worker exits on its own");
  }
  return PartyStep::waiting(exit_at_ns_);
}

void PlainWorkerParty::receive(const PartyInput& input) {
  const auto* released = std::get_if<Released>(&input);
  if (released != nullptr && exit_at_ns_.has_value()) *exit_at_ns_ += released->held_ns;
}

std::uint64_t PlainWorkerParty::state_hash() const {
  Fnv1a hash;
  hash.add(exit_at_ns_);
  hash.add(static_cast<std::uint64_t>(exit_code_));
  return hash.value();
}

PartyStep TetherToolParty::step(std::uint64_t /*now_ns*/) {
  if (!core_.step()) return PartyStep::of(PartyStep::Kind::pause);
  const int code = core_.exit_code();
  return PartyStep::exit(code, code == exit_code::ok ? "done" : "segment not initialised");
}

PartyStep SeedToolParty::step(std::uint64_t /*now_ns*/) {
  segment_.store(seed_slot_field, seed_shutdown_word);
  segment_.wake_shutdown_waiters();
  return PartyStep::exit(exit_code::ok, "posted -1");
}

}  // namespace tether::sim
