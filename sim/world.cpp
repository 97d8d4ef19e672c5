#include "world.hpp"

#include <algorithm>
#include <cassert>

#include "core/exit_codes.hpp"
#include "core/units.hpp"

namespace tether::sim {

World::World(const SimConfig& config, Decisions& decisions, Trace& trace)
    : config_(config),
      decisions_(decisions),
      trace_(trace),
      faults_{
          .schedule = {}, .next = 0, .crash_budget = config.crash_budget, .left = config.fault_bounds, .enabled = {}},
      table_(config.pid_count) {
  assert(!config.problem().has_value());
}

World::~World() = default;

std::string World::field_label(Field field) const {
  if (config_.protocol == Protocol::seed && field == seed_slot_field) return "slot";
  return std::string(field_name(field));
}

std::string World::value_text(Field field, std::uint64_t value) const {
  if (config_.protocol == Protocol::seed) {
    return fmt::format("{}", static_cast<std::int32_t>(static_cast<std::uint32_t>(value)));
  }
  switch (field) {
    case Field::listener_identity:
    case Field::launched_identity:
    case Field::controller_identity:
    case Field::departed_identity:
    case Field::incarnation: {
      if (value == 0) return "0";
      const auto identity = ProcessIdentity::unpack(value);
      return fmt::format("{}/{}", identity.pid, identity.start_time_ticks);
    }
    case Field::listener_state: return std::string(listener_state_name(value));
    case Field::magic: return value == segment_magic ? "MAGIC" : fmt::format("{:#x}", value);
    default: return fmt::format("{}", value);
  }
}

// ---- setup ---------------------------------------------------------------------------------------

void World::setup() {
  swarm_ = draw_swarm(decisions_, config_);
  plan_ = plan_run(config_, swarm_);

  if (swarm_.initial == InitialSegment::stale || swarm_.initial == InitialSegment::stale_shutdown) {
    setup_stale_segment();
  } else if (swarm_.initial == InitialSegment::half_initialised && config_.protocol == Protocol::tether) {
    // A creator died after writing some header fields but before the magic: it must be initialised anew.
    cover(Situation::half_initialised_segment);
    segments_.named().exists = true;
    segments_.named().words[static_cast<std::size_t>(Field::layout_version)] = segment_layout_version;
    segments_.named().words[static_cast<std::size_t>(Field::size_bytes)] = segment_size_bytes;
    segments_.named().words[static_cast<std::size_t>(Field::generation)] = 7;
    segments_.named().words[static_cast<std::size_t>(Field::listener_state)] = 4;
    note(0, TraceOp::event, 0, 0, [] { return std::string("segment left half-initialised (magic 0)"); });
  }
  start_controller("started");
  if (swarm_.second_controller_at_start) start_controller("started at the same time on the same name");
}

void World::setup_stale_segment() {
  // An earlier run: its controller and listener are gone, their pids free for reuse.
  cover(Situation::stale_segment);
  const ProcessIdentity old_controller = table_.earlier_identity(PidSpace::first_pid);
  const ProcessIdentity old_listener = table_.earlier_identity(PidSpace::first_pid + 1);
  segments_.named().exists = true;
  auto set = [&](Field field, std::uint64_t value) {
    segments_.named().words[static_cast<std::size_t>(field)] = value;
  };
  const bool shutdown = swarm_.initial == InitialSegment::stale_shutdown;
  if (config_.protocol == Protocol::seed) {
    set(seed_slot_field, shutdown ? seed_shutdown_word : static_cast<std::uint64_t>(old_listener.pid));
  } else {
    set(Field::magic, segment_magic);
    set(Field::layout_version, segment_layout_version);
    set(Field::size_bytes, segment_size_bytes);
    set(Field::generation, 3);
    set(Field::listener_identity, old_listener.pack());
    set(Field::listener_state, static_cast<std::uint64_t>(ListenerState::working));
    set(Field::launched_identity, old_listener.pack());
    set(Field::controller_identity, old_controller.pack());
    set(Field::incarnation, old_controller.pack());
    set(Field::shutdown_request, shutdown ? 1 : 0);
  }
  check_safety();  // the checker learns of the request left behind, as the first observation
  note(0, TraceOp::event, 0, 0, [&] {
    return fmt::format("stale segment from an earlier run (listener {}/{}{})", old_listener.pid,
                       old_listener.start_time_ticks, shutdown ? ", shutdown requested" : "");
  });
  if (swarm_.stranger_takes_stale_pid) {
    // The kernel handed the dead listener's pid to someone else: the case that start times exist for.
    if (SimProcess* stranger = table_.add_stranger(old_listener.pid, plan_.end_at_ns + 1)) {  // it outlives the run
      stranger->party = std::make_unique<StrangerParty>();
      cover(Situation::pid_reused_by_stranger);
      note(stranger->serial, TraceOp::start, 0, 0, [] { return std::string("stranger starts with the stale pid"); });
    }
  }
}

// ---- processes -----------------------------------------------------------------------------------

SimProcess* World::create_process(ProcessKind kind, Serial parent) {
  SimProcess* created = table_.add(kind, parent, now_ns_);
  if (created == nullptr) return nullptr;
  SimProcess& process = *created;
  if (kind == ProcessKind::foreign) {
    if (table_.pid_was_ours(process.identity.pid)) cover(Situation::pid_reused_by_stranger);
    process.party = std::make_unique<StrangerParty>();
    return created;
  }
  process.segment_port = std::make_unique<SimSegmentPort>(*this, process.serial);
  process.process_port = std::make_unique<SimProcessPort>(*this, process.serial);
  process.notice_port = std::make_unique<SimNoticePort>(*this, process.serial);
  return created;
}

void World::start_controller(std::string_view why) {
  SimProcess* controller = create_process(ProcessKind::controller, 0);
  if (controller == nullptr) {
    note(0, TraceOp::event, 0, 0, [] { return std::string("no pid free: controller not started"); });
    return;
  }
  last_controller_start_ns_ = now_ns_;
  note(controller->serial, TraceOp::start, 0, 0, [&] { return std::string(why); });
}

void World::start_tool() {
  SimProcess* tool = create_process(ProcessKind::tool, 0);
  if (tool == nullptr) return;
  note(tool->serial, TraceOp::start, 0, 0, [] { return std::string("tether shutdown"); });
}

void World::exit_process(SimProcess& process, ExitStatus status, bool killed, std::string_view why) {
  assert(process.alive);
  process.alive = false;
  process.ready_at_ns.reset();
  table_.remove(process);
  note(process.serial, killed ? TraceOp::killed : TraceOp::exit, 0, static_cast<std::uint64_t>(status.value),
       [&] { return fmt::format("{} ({} {})", why, killed ? "signal" : "exit", status.value); });
  if (process.kind == ProcessKind::listener) {
    observe(observed::ListenerExit{process.label, status.value, killed, process.hung, process.in_unit});
    process.registered = false;
    last_listener_exit_ns_ = now_ns_;
  }
  if (process.kind == ProcessKind::controller && lock_holder_ == process.serial) lock_holder_ = 0;
  if (process.kind == ProcessKind::controller) abandon_held_launches(process);
  // Every controller watching this process hears of the exit: its parent with the real status (it can
  // wait for its child), the others (adopters) without one.
  for (auto& other : table_.all()) {
    if (!other->alive || other->kind != ProcessKind::controller) continue;
    auto& watching = other->watching;
    for (auto it = watching.begin(); it != watching.end(); ++it) {
      const bool same = it->pid == process.identity.pid &&
                        (it->start_time_ticks == 0 || it->start_time_ticks == process.identity.start_time_ticks);
      if (!same) continue;
      const ExitStatus reported = other->serial == process.parent ? status : ExitStatus::unknown_status();
      if (config_.mutant == Mutant::exit_not_reported) break;
      // Reported after the current step: a controller that kills its listener hears of it later, as a
      // real one does through its event loop, never from inside its own step.
      pending_exits_.push_back({other->serial, *it, reported, status});
      watching.erase(it);
      break;
    }
  }
}

// A process held at its gate sees the gate close when its controller dies (the real one reads EOF on
// the gate pipe) and exits without running its command: no launch outlives an unrecorded spawn.
void World::abandon_held_launches(const SimProcess& dead_controller) {
  std::vector<Serial> held;
  for (const Serial serial : table_.live_workers()) {
    const SimProcess& launched = process(serial);
    if (launched.gated && launched.parent == dead_controller.serial) held.push_back(serial);
  }
  for (const Serial serial : held) {
    cover(Situation::launch_abandoned);
    exit_process(process(serial), ExitStatus::code(exit_code::temp_failure), false,
                 "gate closed: its controller died before releasing it");
  }
}

void World::release_launch(Serial controller, ProcessIdentity identity) {
  const Serial serial = find_alive(identity);
  if (serial == 0) return;  // it ended while held (a kill)
  SimProcess& launched = process(serial);
  if (!launched.gated || launched.parent != controller) return;
  launched.gated = false;
  // It starts, and ends on its own if it does, as long after the release as it would have after the spawn.
  const std::uint64_t held_ns = now_ns_ - launched.spawned_at_ns;
  assert(launched.gate_ready_at_ns.has_value());
  launched.ready_at_ns = *launched.gate_ready_at_ns + held_ns;
  launched.party->receive(Released{held_ns});
  note(controller, TraceOp::event, 0, identity.pack(), [&] { return fmt::format("releases {}", launched.label); });
}

void World::flush_exit_reports() {
  for (const PendingExit& report : pending_exits_) {
    SimProcess& controller = process(report.controller);
    if (!controller.alive) continue;
    controller.last_listener_status = report.real_status;
    if (controller.party) controller.party->receive(ChildExit{report.watched, report.status});
    controller.ready_at_ns = now_ns_;
  }
  pending_exits_.clear();
}

void World::kill(SimProcess& process, std::string_view why) {
  if (process.kind == ProcessKind::listener && !process.ever_registered && !process.plain) {
    cover(Situation::crash_between_spawn_and_registration);
  }
  exit_process(process, ExitStatus::signal(9), true, why);
}

void World::deliver_shutdown_signal(SimProcess& controller) {
  assert(controller.kind == ProcessKind::controller && controller.alive);
  controller.got_shutdown_signal = true;
  if (controller.party) controller.party->receive(ShutdownSignal{});
  controller.ready_at_ns = now_ns_;
}

bool World::notify(Serial sender, ProcessIdentity identity) {
  const Serial target = find_alive(identity);
  note(sender, TraceOp::notice, 0, identity.pack(), [&] {
    return fmt::format("SIGUSR1 to {}/{}{}", identity.pid, identity.start_time_ticks, target ? "" : ": gone");
  });
  if (target == 0) return false;
  SimProcess& receiver = process(target);
  observe(observed::Notice{process(sender).label, receiver.label, receiver.kind == ProcessKind::controller});
  if (receiver.kind != ProcessKind::controller) return false;
  if (receiver.party) receiver.party->receive(ShutdownNotice{});
  receiver.ready_at_ns = now_ns_;
  return true;
}

// ---- port backends -------------------------------------------------------------------------------

bool World::mapped_by_live_process(std::uint64_t incarnation) const {
  return std::any_of(table_.all().begin(), table_.all().end(), [&](const auto& candidate) {
    return candidate->alive && candidate->mapped_incarnation == incarnation;
  });
}

SegmentObjects::Object& World::mapped_segment(Serial caller) {
  return segments_.mapped(process(caller).mapped_incarnation);
}

// Marks, in the timeline, an operation on a removed segment: the segment column shows the current one.
std::string World::removed_tag(Serial caller) const {
  const std::uint64_t mapped = process(caller).mapped_incarnation;
  return mapped == segments_.incarnation() ? std::string() : fmt::format(" [removed segment #{}]", mapped);
}

std::uint64_t World::segment_load(Serial caller, Field field) {
  const auto index = static_cast<std::size_t>(field);
  ++segment_ops_;
  const std::uint64_t value = mapped_segment(caller).words[index];
  if (recording_.has_value()) note_segment_access(field, false);
  note(caller, TraceOp::load, static_cast<std::uint8_t>(index), value, [&] {
    return fmt::format("load {} -> {}{}", field_label(field), value_text(field, value), removed_tag(caller));
  });
  return value;
}

void World::segment_store(Serial caller, Field field, std::uint64_t value) {
  const auto index = static_cast<std::size_t>(field);
  ++segment_ops_;
  // The shutdown word is 32 bits wide in the real layout (it doubles as a futex word).
  if (field == Field::shutdown_request) value &= 0xFFFF'FFFF;
  mapped_segment(caller).words[index] = value;
  if (recording_.has_value()) note_segment_access(field, true);
  note(caller, TraceOp::store, static_cast<std::uint8_t>(index), value, [&] {
    return fmt::format("store {} = {}{}", field_label(field), value_text(field, value), removed_tag(caller));
  });
}

bool World::segment_compare_exchange(Serial caller, Field field, std::uint64_t& expected, std::uint64_t desired) {
  const auto index = static_cast<std::size_t>(field);
  ++segment_ops_;
  auto& words = mapped_segment(caller).words;
  if (recording_.has_value()) note_segment_access(field, true);
  const std::uint64_t current = words[index];
  const bool swapped = current == expected;
  const std::uint64_t wanted = expected;
  if (swapped) {
    words[index] = desired;
  } else {
    expected = current;
  }
  note(caller, swapped ? TraceOp::compare_exchange_ok : TraceOp::compare_exchange_failed,
       static_cast<std::uint8_t>(index), swapped ? desired : current, [&] {
         return fmt::format("cas {} {} -> {}: {}{}", field_label(field), value_text(field, wanted),
                            value_text(field, desired), swapped ? "ok" : "found " + value_text(field, current),
                            removed_tag(caller));
       });
  return swapped;
}

std::uint64_t World::segment_fetch_add(Serial caller, Field field, std::uint64_t delta) {
  const auto index = static_cast<std::size_t>(field);
  ++segment_ops_;
  auto& words = mapped_segment(caller).words;
  if (recording_.has_value()) note_segment_access(field, true);
  const std::uint64_t previous = words[index];
  words[index] = previous + delta;
  note(caller, TraceOp::fetch_add, static_cast<std::uint8_t>(index), previous + delta,
       [&] { return fmt::format("fetch_add {} -> {}{}", field_label(field), previous + delta, removed_tag(caller)); });
  return previous;
}

void World::wake_shutdown_waiters(Serial caller) {
  note(caller, TraceOp::wake, 0, 0, [] { return std::string("wake shutdown waiters"); });
  // A futex wake reaches the waiters on the same word: those that mapped the caller's segment object.
  const std::uint64_t mapped = process(caller).mapped_incarnation;
  for (const Serial serial : table_.live_workers()) {
    SimProcess& listener = process(serial);
    if (!listener.idle_waiting || listener.hung || listener.mapped_incarnation != mapped) continue;
    listener.idle_waiting = false;
    if (listener.party) listener.party->receive(Wake{});
    listener.ready_at_ns = now_ns_;
  }
}

Serial World::find_alive(ProcessIdentity identity) const {
  return table_.find_alive(identity, config_.mutant == Mutant::identity_without_start_time);
}

Result<ProcessIdentity, SpawnError> World::spawn_listener(Serial controller_serial, LaunchTicket ticket) {
  SimProcess& controller = process(controller_serial);
  const SimProcess* found = controller.expect_adopt != 0 ? &process(controller.expect_adopt) : nullptr;
  const bool must_adopt = found != nullptr && found->alive && found->registered;
  observe(observed::Launch{controller.label, segments_.incarnation(), controller.got_shutdown_signal,
                           must_adopt ? std::optional<std::string_view>(found->label) : std::nullopt});
  if (!quiet_ && decisions_.chance(swarm_.spawn_failure_ppm)) {
    cover(Situation::spawn_failure);
    note(controller_serial, TraceOp::spawn_failed, 0, 0, [] { return std::string("spawn failed: resources"); });
    return tether::fail(SpawnError::resources);
  }
  SimProcess* listener = create_process(ProcessKind::listener, controller_serial);
  if (listener == nullptr) {
    note(controller_serial, TraceOp::spawn_failed, 0, 0, [] { return std::string("spawn failed: no pid free"); });
    return tether::fail(SpawnError::resources);
  }
  listener->ticket = ticket;
  listener->worker_config = swarm_.worker;
  if (!quiet_) {
    listener->ignores_sigterm = decisions_.chance(swarm_.ignores_sigterm_ppm);
    if (decisions_.chance(swarm_.units_limit_ppm)) listener->worker_config.units = decisions_.between(1, 3);
  }
  const std::uint64_t latency_ms = decisions_.choose(static_cast<std::uint32_t>(swarm_.spawn_latency_ms_max) + 1);
  listener->ready_at_ns = now_ns_ + latency_ms * ns_per_ms;
  if (config_.protocol == Protocol::tether && decisions_.chance(swarm_.plain_ppm)) {
    listener->plain = true;
    listener->label = fmt::format("plain#{} pid {}", listener->serial, listener->identity.pid);
    std::optional<std::uint64_t> exit_at_ns;
    int exit_code = 0;
    if (!quiet_ && decisions_.chance(swarm_.plain_self_exit_ppm)) {
      exit_at_ns = *listener->ready_at_ns + std::uint64_t{decisions_.between(1, 100)} * 10 * ns_per_ms;
      exit_code = static_cast<int>(decisions_.choose(3));
    }
    listener->party = std::make_unique<PlainWorkerParty>(exit_at_ns, exit_code);
  } else if (config_.protocol == Protocol::tether) {
    listener->party = std::make_unique<TetherListenerParty>(*listener->segment_port, *listener->process_port,
                                                            listener->identity, ticket, listener->worker_config);
  } else {
    listener->party =
        std::make_unique<SeedListenerParty>(*listener->segment_port, listener->identity.pid, listener->worker_config);
  }
  controller.watching.push_back(listener->identity);
  note(controller_serial, TraceOp::spawn, 0, listener->identity.pack(), [&] {
    return fmt::format("spawn {} (generation {}{}{})", listener->label, ticket.generation,
                       listener->plain ? ", plain worker" : "", listener->ignores_sigterm ? ", ignores SIGTERM" : "");
  });
  // Held at its gate until its controller releases it (World::release_launch). Without the gate (the
  // defence table) it runs at once: the release then finds nothing held and does nothing.
  if (defence_in(config_.defences_off, Defence::launch_gate)) return listener->identity;
  listener->gated = true;
  listener->spawned_at_ns = now_ns_;
  listener->gate_ready_at_ns = listener->ready_at_ns;
  listener->ready_at_ns.reset();
  return listener->identity;
}

bool World::watch(Serial controller_serial, ProcessIdentity identity) {
  const Serial target = find_alive(identity);
  note(controller_serial, TraceOp::watch, 0, identity.pack(), [&] {
    return fmt::format("watch {}/{}{}", identity.pid, identity.start_time_ticks,
                       target ? " -> " + process(target).label : ": gone");
  });
  if (target == 0) return false;
  SimProcess& controller = process(controller_serial);
  const SimProcess& watched = process(target);
  observe(observed::Adoption{controller.label, identity.pid, watched.label, watched.kind == ProcessKind::listener});
  if (watched.kind == ProcessKind::listener) {
    cover(Situation::adoption);
    if (watched.plain) cover(Situation::plain_worker_adopted);
  }
  controller.watching.push_back(identity);
  return true;
}

SignalOutcome World::signal(Serial sender, ProcessIdentity identity, Signal signal) {
  const Serial target = find_alive(identity);
  const char* name = signal == Signal::kill ? "SIGKILL" : "SIGTERM";
  note(sender, TraceOp::signal, signal == Signal::kill ? 9 : 15, identity.pack(), [&] {
    return fmt::format("{} to {}/{}{}", name, identity.pid, identity.start_time_ticks,
                       target ? " -> " + process(target).label : ": gone");
  });
  if (target == 0) return SignalOutcome::gone;
  SimProcess& receiver = process(target);
  if (config_.mutant == Mutant::escalation_lost && process(sender).kind == ProcessKind::controller) {
    return SignalOutcome::delivered;  // the planted bug: reported as sent, never arrives
  }
  observe(observed::Signal{process(sender).label, process(sender).kind == ProcessKind::controller, name, receiver.label,
                           receiver.kind == ProcessKind::listener});
  const bool plain_from_controller = receiver.plain && process(sender).kind == ProcessKind::controller;
  if (signal == Signal::kill) {
    cover(Situation::sigkill_escalation);
    if (plain_from_controller) cover(Situation::plain_worker_sigkill_escalation);
    kill(receiver, "SIGKILL");
  } else if (receiver.kind == ProcessKind::listener && receiver.ignores_sigterm) {
    cover(Situation::sigterm_ignored);
  } else if (receiver.kind == ProcessKind::controller) {
    deliver_shutdown_signal(receiver);
  } else if (receiver.kind == ProcessKind::listener && config_.mutant == Mutant::sigterm_exits_mid_unit) {
    exit_process(receiver, ExitStatus::code(0), false, "SIGTERM handler calls exit(0)");
  } else {
    if (plain_from_controller) cover(Situation::plain_worker_stopped_by_signal);
    exit_process(receiver, ExitStatus::signal(15), true, "SIGTERM");
  }
  return SignalOutcome::delivered;
}

}  // namespace tether::sim
