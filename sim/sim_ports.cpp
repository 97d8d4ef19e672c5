#include "sim_ports.hpp"

#include "world.hpp"

namespace tether::sim {

// Every value a port returns is an input of the calling process: World::remember_input keeps it.
std::uint64_t SimSegmentPort::load(Field field) {
  const std::uint64_t value = world_.segment_load(caller_, field);
  world_.remember_input(caller_, value);
  return value;
}
void SimSegmentPort::store(Field field, std::uint64_t value) { world_.segment_store(caller_, field, value); }
bool SimSegmentPort::compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) {
  const bool swapped = world_.segment_compare_exchange(caller_, field, expected, desired);
  world_.remember_input(caller_, swapped ? 1 : 0);
  world_.remember_input(caller_, expected);
  return swapped;
}
std::uint64_t SimSegmentPort::fetch_add(Field field, std::uint64_t delta) {
  const std::uint64_t previous = world_.segment_fetch_add(caller_, field, delta);
  world_.remember_input(caller_, previous);
  return previous;
}
void SimSegmentPort::wake_shutdown_waiters() { world_.wake_shutdown_waiters(caller_); }

bool SimProcessPort::is_alive(ProcessIdentity identity) {
  const bool alive = world_.find_alive(identity) != 0;
  world_.remember_input(caller_, alive ? 1 : 0);
  return alive;
}
Result<ProcessIdentity, SpawnError> SimProcessPort::spawn(LaunchTicket ticket) {
  auto spawned = world_.spawn_listener(caller_, ticket);
  world_.remember_input(caller_, spawned ? spawned.value().pack() : 0);
  return spawned;
}

void SimProcessPort::release(ProcessIdentity identity) { world_.release_launch(caller_, identity); }
bool SimProcessPort::watch(ProcessIdentity identity) {
  const bool watching = world_.watch(caller_, identity);
  world_.remember_input(caller_, watching ? 1 : 0);
  return watching;
}
SignalOutcome SimProcessPort::signal(ProcessIdentity identity, Signal signal) {
  const SignalOutcome outcome = world_.signal(caller_, identity, signal);
  world_.remember_input(caller_, static_cast<std::uint64_t>(outcome));
  return outcome;
}

bool SimNoticePort::notify_controller(ProcessIdentity controller) { return world_.notify(caller_, controller); }

}  // namespace tether::sim
