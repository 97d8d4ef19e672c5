#include "seed_protocol.hpp"

#include <cassert>

#include "core/exit_codes.hpp"
#include "core/state_hash.hpp"
#include "core/units.hpp"

namespace tether::sim {

namespace {
[[maybe_unused]] constexpr std::size_t event_queue_max = 16;  // asserted only
}  // namespace

std::uint64_t hash_value(const SeedControllerState& state) {
  Fnv1a hash;
  hash.add(state.start_limiter.hash());
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.listener);
  const bool flags[] = {state.shutdown,     state.signal_pending, state.notice_pending,
                        state.sigterm_sent, state.sigkill_sent,   state.exit_pending.has_value()};
  for (const bool flag : flags) hash.add(flag ? 1 : 0);
  if (state.exit_pending.has_value()) hash.add(*state.exit_pending);
  hash.add(state.stop_deadline_ns);
  hash.add(state.kill_deadline_ns);
  hash.add(state.restart_deadline_ns);
  hash.add(state.consecutive_failures);
  hash.add(static_cast<std::uint64_t>(state.exit_code));
  hash.add_each(state.events);
  return hash.value();
}

std::uint64_t hash_value(const SeedListenerState& state) {
  Fnv1a hash;
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.deadline_ns);
  hash.add(state.units_done);
  hash.add(state.registered ? 1 : 0);
  hash.add(state.woken ? 1 : 0);
  hash.add_each(state.events);
  return hash.value();
}

SeedController::SeedController(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes)
    : config_(config),
      segment_(segment),
      processes_(processes),
      state_(StartLimiter(config.start_limit, config.start_limit_interval_ms * ns_per_ms)) {
  assert(!config.problem().has_value());
}

void SeedController::handle_listener_exit(ProcessIdentity process, ExitStatus status) {
  if (state_.listener.valid() && process.pid == state_.listener.pid) state_.exit_pending = status;
}

bool SeedController::pop_event(ControllerEvent& event) {
  if (state_.events.empty()) return false;
  event = state_.events.front();
  state_.events.pop_front();
  return true;
}

void SeedController::emit(ControllerEvent event) {
  assert(state_.events.size() < event_queue_max);
  state_.events.push_back(event);
}

void SeedController::finish(int exit_code) {
  state_.exit_code = exit_code;
  emit({ControllerEvent::Kind::finished, state_.listener, {}, static_cast<std::uint64_t>(exit_code)});
  state_.phase = Phase::finished;
}

std::optional<std::uint64_t> SeedController::deadline_ns() const {
  if (state_.phase == Phase::waiting_restart) return state_.restart_deadline_ns;
  if (state_.phase != Phase::running || !state_.shutdown) return std::nullopt;
  if (!state_.sigterm_sent) return state_.stop_deadline_ns;
  if (!state_.sigkill_sent) return state_.kill_deadline_ns;
  return std::nullopt;
}

StepOutcome SeedController::step(std::uint64_t now_ns) {
  switch (state_.phase) {
    case Phase::read_slot: {
      // The seed's adoption: a positive pid that kill(pid, 0) finds alive is taken to be our listener.
      const auto slot = static_cast<std::int32_t>(static_cast<std::uint32_t>(segment_.load(seed_slot_field)));
      const ProcessIdentity candidate{slot, 0};
      if (slot > 0 && processes_.is_alive(candidate) && processes_.watch(candidate)) {
        state_.listener = candidate;
        emit({ControllerEvent::Kind::adopted, candidate});
        state_.phase = Phase::running;
      } else {
        state_.phase = Phase::spawn;
      }
      break;
    }
    case Phase::spawn: {
      if (state_.signal_pending) {
        state_.signal_pending = false;
        state_.phase = Phase::post_shutdown;
        break;
      }
      auto spawned = processes_.spawn(LaunchTicket{});  // the seed design hands its listener nothing
      state_.start_limiter.record_start(now_ns);
      if (!spawned.ok()) {
        emit({ControllerEvent::Kind::launch_failed, {}, {}, static_cast<std::uint64_t>(spawned.error())});
        decide_restart(now_ns, ExitStatus::unknown_status());
        break;
      }
      // The original design starts its worker at once (Process.Start): nothing holds it back.
      processes_.release(spawned.value());
      state_.listener = ProcessIdentity{spawned.value().pid, 0};
      emit({ControllerEvent::Kind::launched, state_.listener});
      state_.phase = Phase::running;
      break;
    }
    case Phase::running:
    case Phase::waiting_restart: step_running(now_ns); break;
    case Phase::post_shutdown:
      segment_.store(seed_slot_field, seed_shutdown_word);
      segment_.wake_shutdown_waiters();
      state_.shutdown = true;
      emit({ControllerEvent::Kind::shutdown_requested, state_.listener});
      if (!state_.listener.valid()) {
        finish(exit_code::ok);
      } else {
        state_.stop_deadline_ns = now_ns + config_.stop_timeout_ms * ns_per_ms;
        state_.phase = Phase::running;
      }
      break;
    case Phase::read_notice:
      if (segment_.load(seed_slot_field) == seed_shutdown_word) {
        state_.shutdown = true;
        emit({ControllerEvent::Kind::shutdown_requested, state_.listener});
        state_.stop_deadline_ns = now_ns + config_.stop_timeout_ms * ns_per_ms;
      }
      state_.phase = state_.listener.valid() ? Phase::running : Phase::waiting_restart;
      if (state_.shutdown && !state_.listener.valid()) finish(exit_code::ok);
      break;
    case Phase::read_after_exit: {
      const bool requested = segment_.load(seed_slot_field) == seed_shutdown_word;
      const ExitStatus status = *state_.exit_pending;
      state_.exit_pending.reset();
      emit({ControllerEvent::Kind::exited, state_.listener, status});
      state_.listener = {};
      if (requested || state_.shutdown) {
        finish(exit_code::ok);
      } else {
        decide_restart(now_ns, status);
      }
      break;
    }
    case Phase::finished: return StepOutcome::finished;
  }
  if (state_.phase == Phase::finished) return StepOutcome::finished;
  if ((state_.phase == Phase::running || state_.phase == Phase::waiting_restart) && !state_.signal_pending &&
      !state_.notice_pending && !state_.exit_pending.has_value()) {
    const auto deadline = deadline_ns();
    if (!deadline.has_value() || *deadline > now_ns) return StepOutcome::waiting;
  }
  return StepOutcome::progressed;
}

void SeedController::step_running(std::uint64_t now_ns) {
  if (state_.signal_pending && !state_.shutdown) {
    state_.signal_pending = false;
    state_.phase = Phase::post_shutdown;
    return;
  }
  state_.signal_pending = false;
  if (state_.notice_pending) {
    state_.notice_pending = false;
    if (!state_.shutdown) {
      state_.phase = Phase::read_notice;
      return;
    }
  }
  if (state_.exit_pending.has_value()) {
    state_.phase = Phase::read_after_exit;
    return;
  }
  if (state_.phase == Phase::waiting_restart) {
    if (now_ns >= *state_.restart_deadline_ns) state_.phase = Phase::spawn;
    return;
  }
  if (!state_.shutdown || !state_.listener.valid()) return;
  // The seed signals by pid: if its listener died and the pid went to a stranger, the stranger gets it.
  if (!state_.sigterm_sent && now_ns >= *state_.stop_deadline_ns) {
    state_.sigterm_sent = true;
    processes_.signal(state_.listener, Signal::terminate);
    emit({ControllerEvent::Kind::escalated_sigterm, state_.listener});
    state_.kill_deadline_ns = now_ns + config_.kill_timeout_ms * ns_per_ms;
  } else if (state_.sigterm_sent && !state_.sigkill_sent && now_ns >= *state_.kill_deadline_ns) {
    state_.sigkill_sent = true;
    processes_.signal(state_.listener, Signal::kill);
    emit({ControllerEvent::Kind::escalated_sigkill, state_.listener});
  }
}

void SeedController::decide_restart(std::uint64_t now_ns, ExitStatus status) {
  const bool restart =
      config_.restart == RestartMode::always || (config_.restart == RestartMode::on_failure && !status.clean());
  if (!restart) {
    finish(status.clean() ? exit_code::ok : exit_code::failure);
    return;
  }
  if (!state_.start_limiter.allows_start(now_ns)) {
    emit({ControllerEvent::Kind::gave_up, {}, status, config_.start_limit});
    finish(exit_code::unavailable);
    return;
  }
  if (state_.consecutive_failures < 64) ++state_.consecutive_failures;
  const std::uint64_t delay_ms =
      restart_delay_ms(config_.restart_delay_ms, config_.restart_delay_ms_max, state_.consecutive_failures);
  emit({ControllerEvent::Kind::restarting, {}, status, delay_ms});
  state_.restart_deadline_ns = now_ns + delay_ms * ns_per_ms;
  state_.phase = Phase::waiting_restart;
}

SeedListener::SeedListener(SegmentPort& segment, std::int32_t pid, const WorkerConfig& config)
    : segment_(segment), pid_(pid), config_(config) {
  assert(pid > 0);
}

bool SeedListener::pop_event(WorkerEvent& event) {
  if (state_.events.empty()) return false;
  event = state_.events.front();
  state_.events.pop_front();
  return true;
}

WorkerStep SeedListener::check(std::uint64_t now_ns) {
  if (segment_.load(seed_slot_field) == seed_shutdown_word) {
    state_.events.push_back({WorkerEvent::Kind::shutdown_seen});
    state_.events.push_back({WorkerEvent::Kind::left, state_.units_done});
    state_.phase = Phase::exited;
    return {WorkerStep::Kind::exit, 0, exit_code::ok};
  }
  state_.events.push_back({WorkerEvent::Kind::unit_started, state_.units_done + 1});
  state_.deadline_ns = now_ns + config_.work_ms * ns_per_ms;
  state_.phase = Phase::working;
  return {};
}

WorkerStep SeedListener::step(std::uint64_t now_ns) {
  switch (state_.phase) {
    case Phase::register_slot:
      // The seed's registration: its pid replaces whatever the word held, a posted -1 included.
      segment_.store(seed_slot_field, static_cast<std::uint32_t>(pid_));
      state_.registered = true;
      state_.events.push_back({WorkerEvent::Kind::registered});
      state_.phase = Phase::check;
      return {};
    case Phase::check: return check(now_ns);
    case Phase::working:
      if (now_ns < state_.deadline_ns) return {WorkerStep::Kind::work_until, state_.deadline_ns, 0};
      ++state_.units_done;
      state_.events.push_back({WorkerEvent::Kind::unit_finished, state_.units_done});
      if (config_.units != 0 && state_.units_done >= config_.units) {
        state_.events.push_back({WorkerEvent::Kind::left, state_.units_done});
        state_.phase = Phase::exited;
        return {WorkerStep::Kind::exit, 0, exit_code::ok};
      }
      if (config_.idle_ms > 0) {
        state_.deadline_ns = now_ns + config_.idle_ms * ns_per_ms;
        state_.woken = false;
        state_.phase = Phase::idling;
        return {};
      }
      return check(now_ns);
    case Phase::idling:
      if (!state_.woken && now_ns < state_.deadline_ns) return {WorkerStep::Kind::idle_until, state_.deadline_ns, 0};
      state_.woken = false;
      return check(now_ns);
    case Phase::exited: break;
  }
  return {WorkerStep::Kind::exit, 0, exit_code::ok};
}

}  // namespace tether::sim
