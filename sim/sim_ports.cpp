#include "sim_ports.hpp"

#include "world.hpp"

namespace tether::sim {

std::uint64_t SimSegmentPort::load(Field field) { return world_.segment_load(caller_, field); }
void SimSegmentPort::store(Field field, std::uint64_t value) { world_.segment_store(caller_, field, value); }
bool SimSegmentPort::compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) {
  return world_.segment_compare_exchange(caller_, field, expected, desired);
}
std::uint64_t SimSegmentPort::fetch_add(Field field, std::uint64_t delta) {
  return world_.segment_fetch_add(caller_, field, delta);
}
void SimSegmentPort::wake_shutdown_waiters() { world_.wake_shutdown_waiters(caller_); }

bool SimProcessPort::is_alive(ProcessIdentity identity) { return world_.find_alive(identity) != 0; }
Result<ProcessIdentity, SpawnError> SimProcessPort::spawn(LaunchTicket ticket) {
  return world_.spawn_listener(caller_, ticket);
}

void SimProcessPort::release(ProcessIdentity identity) { world_.release_launch(caller_, identity); }
bool SimProcessPort::watch(ProcessIdentity identity) { return world_.watch(caller_, identity); }
SignalOutcome SimProcessPort::signal(ProcessIdentity identity, Signal signal) {
  return world_.signal(caller_, identity, signal);
}

bool SimNoticePort::notify_controller(ProcessIdentity controller) { return world_.notify(caller_, controller); }

}  // namespace tether::sim
