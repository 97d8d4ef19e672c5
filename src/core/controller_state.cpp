#include "core/controller_state.hpp"

namespace tether {

namespace {

class Fnv1a {
 public:
  void add(std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      hash_ = (hash_ ^ ((value >> (8 * byte)) & 0xff)) * 0x100000001b3ull;
    }
  }
  void add(const std::optional<std::uint64_t>& value) {
    add(value.has_value() ? 1 : 0);
    if (value.has_value()) add(*value);
  }
  void add(ProcessIdentity identity) { add(identity.pack()); }
  void add(ExitStatus status) {
    add(static_cast<std::uint64_t>(status.kind));
    add(static_cast<std::uint64_t>(status.value));
  }
  [[nodiscard]] std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace

std::uint64_t hash_value(const ControllerState& state) {
  Fnv1a hash;
  hash.add(state.self);
  hash.add(state.start_limiter.hash());
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.initialise_index);
  hash.add(state.ticket.incarnation);
  hash.add(state.ticket.generation);
  hash.add(state.listener);
  hash.add(state.listener_started_ns);
  hash.add(state.consecutive_failures);
  const bool flags[] = {state.launched_before,     state.shutdown_requested, state.shutdown_signal_pending,
                        state.shutdown_notice_pending, state.listener_registered, state.sigterm_sent,
                        state.sigkill_sent,        state.remove_segment,     state.exit_pending.has_value()};
  for (const bool flag : flags) hash.add(flag ? 1 : 0);
  if (state.exit_pending.has_value()) hash.add(*state.exit_pending);
  hash.add(state.exited_process);
  hash.add(state.stop_deadline_ns);
  hash.add(state.kill_deadline_ns);
  hash.add(state.restart_deadline_ns);
  hash.add(state.watchdog_deadline_ns);
  hash.add(state.ready_deadline_ns);
  hash.add(state.stop_requested_ns);
  hash.add(static_cast<std::uint64_t>(state.passed_point));
  hash.add(static_cast<std::uint64_t>(state.exit_code));
  hash.add(state.events.size());
  for (const ControllerEvent& event : state.events) {
    hash.add(static_cast<std::uint64_t>(event.kind));
    hash.add(event.process);
    hash.add(event.status);
    hash.add(event.value);
  }
  return hash.value();
}

}  // namespace tether
