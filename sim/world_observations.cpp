// What the world shows its invariant checker (invariant_checker.hpp): a snapshot after every step
// (the events that concern an invariant, spawn, watch, signal and exit, are reported where they
// happen, in world.cpp), and the two liveness checkpoints of the quiet phase, with bounds derived from
// the seed's own timeouts, so that a slow but correct run is never flagged.
#include <algorithm>

#include "world.hpp"

namespace tether::sim {

bool World::shutdown_visible() const {
  if (config_.protocol == Protocol::seed)
    return segments_.named().words[static_cast<std::size_t>(seed_slot_field)] == seed_shutdown_word;
  return segments_.named().words[static_cast<std::size_t>(Field::shutdown_request)] != 0;
}

bool World::shutdown_in_force() const {
  if (segments_.named().exists && checker_.request_posted(segments_.incarnation())) return true;
  for (const auto& candidate : table_.all()) {
    if (candidate->alive && candidate->kind == ProcessKind::controller && candidate->got_shutdown_signal) return true;
  }
  return false;
}

void World::check_safety() {
  observed_workers_.clear();
  for (const Serial serial : table_.live_workers()) {
    observed_workers_.push_back({process(serial).label, counts_as_worker(process(serial))});
  }
  const bool posted_before = checker_.request_posted(segments_.incarnation());
  observe(observed::Snapshot{segments_.named().exists, segments_.incarnation(), shutdown_visible(), observed_workers_});
  if (!segments_.named().exists || posted_before || !checker_.request_posted(segments_.incarnation())) return;
  for (const Serial serial : table_.live_workers()) {
    if (process(serial).in_unit) cover(Situation::shutdown_during_unit);
  }
}

void World::check_converged() {
  const SimProcess* controller = newest_alive(ProcessKind::controller);
  const bool worker_alive = std::any_of(table_.live_workers().begin(), table_.live_workers().end(),
                                        [&](Serial serial) { return counts_as_worker(process(serial)); });
  const std::uint64_t since_ns =
      std::max({last_listener_exit_ns_, last_controller_start_ns_, plan_.fault_phase_end_ns});
  observe(observed::Convergence{
      shutdown_in_force(),
      controller == nullptr ? std::nullopt : std::optional<std::string_view>(controller->label),
      worker_alive,
      now_ns_ > since_ns ? now_ns_ - since_ns : 0,
      plan_.restart_bound_ns,
  });
}

void World::check_controller_exit(const SimProcess& controller, int exit_code) {
  const bool crashed = controller.last_listener_status.has_value() && !controller.last_listener_status->clean();
  observe(
      observed::ControllerExit{controller.label, exit_code, shutdown_in_force(), swarm_.controller.restart, crashed});
}

void World::request_final_shutdown() {
  liveness_checked_ = true;
  if (shutdown_in_force()) return;
  bool signalled = false;
  for (const auto& candidate : table_.all()) {
    if (candidate->alive && candidate->kind == ProcessKind::controller && candidate->started && !candidate->finished) {
      note(candidate->serial, TraceOp::signal, 15, 0, [] { return std::string("receives SIGTERM (final shutdown)"); });
      deliver_shutdown_signal(*candidate);
      signalled = true;
    }
  }
  // Listeners without a controller are stopped the other way, through the segment.
  if (!signalled && !table_.live_workers().empty()) start_tool();
}

void World::check_final() {
  std::vector<std::string_view> alive;
  for (const auto& candidate : table_.all()) {
    if (!candidate->alive) continue;
    if (candidate->kind != ProcessKind::listener && candidate->kind != ProcessKind::controller) continue;
    alive.push_back(candidate->label);
  }
  observe(observed::Final{alive});
}

}  // namespace tether::sim
