#include "seed_protocol.hpp"

#include <cassert>

#include "core/exit_codes.hpp"
#include "core/units.hpp"

namespace tether::sim {

namespace {
[[maybe_unused]] constexpr std::size_t event_queue_max = 16;  // asserted only
}  // namespace

SeedController::SeedController(const ControllerConfig& config, SegmentPort& segment, ProcessPort& processes)
    : config_(config),
      segment_(segment),
      processes_(processes),
      start_limiter_(config.start_limit, config.start_limit_interval_ms * ns_per_ms) {
  assert(!config.problem().has_value());
}

void SeedController::handle_listener_exit(ProcessIdentity process, ExitStatus status) {
  if (listener_.valid() && process.pid == listener_.pid) exit_pending_ = status;
}

bool SeedController::pop_event(ControllerEvent& event) {
  if (events_.empty()) return false;
  event = events_.front();
  events_.pop_front();
  return true;
}

void SeedController::emit(ControllerEvent event) {
  assert(events_.size() < event_queue_max);
  events_.push_back(event);
}

void SeedController::finish(int exit_code) {
  exit_code_ = exit_code;
  emit({ControllerEvent::Kind::finished, listener_, {}, static_cast<std::uint64_t>(exit_code)});
  phase_ = Phase::finished;
}

std::optional<std::uint64_t> SeedController::deadline_ns() const {
  if (phase_ == Phase::waiting_restart) return restart_deadline_ns_;
  if (phase_ != Phase::running || !shutdown_) return std::nullopt;
  if (!sigterm_sent_) return stop_deadline_ns_;
  if (!sigkill_sent_) return kill_deadline_ns_;
  return std::nullopt;
}

StepOutcome SeedController::step(std::uint64_t now_ns) {
  switch (phase_) {
    case Phase::read_slot: {
      // The seed's adoption: a positive pid that kill(pid, 0) finds alive is taken to be our listener.
      const auto slot = static_cast<std::int32_t>(static_cast<std::uint32_t>(segment_.load(seed_slot_field)));
      const ProcessIdentity candidate{slot, 0};
      if (slot > 0 && processes_.is_alive(candidate) && processes_.watch(candidate)) {
        listener_ = candidate;
        emit({ControllerEvent::Kind::adopted, candidate});
        phase_ = Phase::running;
      } else {
        phase_ = Phase::spawn;
      }
      break;
    }
    case Phase::spawn: {
      if (signal_pending_) {
        signal_pending_ = false;
        phase_ = Phase::post_shutdown;
        break;
      }
      auto spawned = processes_.spawn(LaunchTicket{});  // the seed design hands its listener nothing
      start_limiter_.record_start(now_ns);
      if (!spawned.ok()) {
        emit({ControllerEvent::Kind::launch_failed, {}, {}, static_cast<std::uint64_t>(spawned.error())});
        decide_restart(now_ns, ExitStatus::unknown_status());
        break;
      }
      // The original design starts its worker at once (Process.Start): nothing holds it back.
      processes_.release(spawned.value());
      listener_ = ProcessIdentity{spawned.value().pid, 0};
      emit({ControllerEvent::Kind::launched, listener_});
      phase_ = Phase::running;
      break;
    }
    case Phase::running:
    case Phase::waiting_restart: step_running(now_ns); break;
    case Phase::post_shutdown:
      segment_.store(seed_slot_field, seed_shutdown_word);
      segment_.wake_shutdown_waiters();
      shutdown_ = true;
      emit({ControllerEvent::Kind::shutdown_requested, listener_});
      if (!listener_.valid()) {
        finish(exit_code::ok);
      } else {
        stop_deadline_ns_ = now_ns + config_.stop_timeout_ms * ns_per_ms;
        phase_ = Phase::running;
      }
      break;
    case Phase::read_notice:
      if (segment_.load(seed_slot_field) == seed_shutdown_word) {
        shutdown_ = true;
        emit({ControllerEvent::Kind::shutdown_requested, listener_});
        stop_deadline_ns_ = now_ns + config_.stop_timeout_ms * ns_per_ms;
      }
      phase_ = listener_.valid() ? Phase::running : Phase::waiting_restart;
      if (shutdown_ && !listener_.valid()) finish(exit_code::ok);
      break;
    case Phase::read_after_exit: {
      const bool requested = segment_.load(seed_slot_field) == seed_shutdown_word;
      const ExitStatus status = *exit_pending_;
      exit_pending_.reset();
      emit({ControllerEvent::Kind::exited, listener_, status});
      listener_ = {};
      if (requested || shutdown_) {
        finish(exit_code::ok);
      } else {
        decide_restart(now_ns, status);
      }
      break;
    }
    case Phase::finished: return StepOutcome::finished;
  }
  if (phase_ == Phase::finished) return StepOutcome::finished;
  if ((phase_ == Phase::running || phase_ == Phase::waiting_restart) && !signal_pending_ && !notice_pending_ &&
      !exit_pending_.has_value()) {
    const auto deadline = deadline_ns();
    if (!deadline.has_value() || *deadline > now_ns) return StepOutcome::waiting;
  }
  return StepOutcome::progressed;
}

void SeedController::step_running(std::uint64_t now_ns) {
  if (signal_pending_ && !shutdown_) {
    signal_pending_ = false;
    phase_ = Phase::post_shutdown;
    return;
  }
  signal_pending_ = false;
  if (notice_pending_) {
    notice_pending_ = false;
    if (!shutdown_) {
      phase_ = Phase::read_notice;
      return;
    }
  }
  if (exit_pending_.has_value()) {
    phase_ = Phase::read_after_exit;
    return;
  }
  if (phase_ == Phase::waiting_restart) {
    if (now_ns >= *restart_deadline_ns_) phase_ = Phase::spawn;
    return;
  }
  if (!shutdown_ || !listener_.valid()) return;
  // The seed signals by pid: if its listener died and the pid went to a stranger, the stranger gets it.
  if (!sigterm_sent_ && now_ns >= *stop_deadline_ns_) {
    sigterm_sent_ = true;
    processes_.signal(listener_, Signal::terminate);
    emit({ControllerEvent::Kind::escalated_sigterm, listener_});
    kill_deadline_ns_ = now_ns + config_.kill_timeout_ms * ns_per_ms;
  } else if (sigterm_sent_ && !sigkill_sent_ && now_ns >= *kill_deadline_ns_) {
    sigkill_sent_ = true;
    processes_.signal(listener_, Signal::kill);
    emit({ControllerEvent::Kind::escalated_sigkill, listener_});
  }
}

void SeedController::decide_restart(std::uint64_t now_ns, ExitStatus status) {
  const bool restart =
      config_.restart == RestartMode::always || (config_.restart == RestartMode::on_failure && !status.clean());
  if (!restart) {
    finish(status.clean() ? exit_code::ok : exit_code::failure);
    return;
  }
  if (!start_limiter_.allows_start(now_ns)) {
    emit({ControllerEvent::Kind::gave_up, {}, status, config_.start_limit});
    finish(exit_code::unavailable);
    return;
  }
  if (consecutive_failures_ < 64) ++consecutive_failures_;
  const std::uint64_t delay_ms =
      restart_delay_ms(config_.restart_delay_ms, config_.restart_delay_ms_max, consecutive_failures_);
  emit({ControllerEvent::Kind::restarting, {}, status, delay_ms});
  restart_deadline_ns_ = now_ns + delay_ms * ns_per_ms;
  phase_ = Phase::waiting_restart;
}

SeedListener::SeedListener(SegmentPort& segment, std::int32_t pid, const WorkerConfig& config)
    : segment_(segment), pid_(pid), config_(config) {
  assert(pid > 0);
}

bool SeedListener::pop_event(WorkerEvent& event) {
  if (events_.empty()) return false;
  event = events_.front();
  events_.pop_front();
  return true;
}

WorkerStep SeedListener::check(std::uint64_t now_ns) {
  if (segment_.load(seed_slot_field) == seed_shutdown_word) {
    events_.push_back({WorkerEvent::Kind::shutdown_seen});
    events_.push_back({WorkerEvent::Kind::left, units_done_});
    phase_ = Phase::exited;
    return {WorkerStep::Kind::exit, 0, exit_code::ok};
  }
  events_.push_back({WorkerEvent::Kind::unit_started, units_done_ + 1});
  deadline_ns_ = now_ns + config_.work_ms * ns_per_ms;
  phase_ = Phase::working;
  return {};
}

WorkerStep SeedListener::step(std::uint64_t now_ns) {
  switch (phase_) {
    case Phase::register_slot:
      // The seed's registration: its pid replaces whatever the word held, a posted -1 included.
      segment_.store(seed_slot_field, static_cast<std::uint32_t>(pid_));
      registered_ = true;
      events_.push_back({WorkerEvent::Kind::registered});
      phase_ = Phase::check;
      return {};
    case Phase::check: return check(now_ns);
    case Phase::working:
      if (now_ns < deadline_ns_) return {WorkerStep::Kind::work_until, deadline_ns_, 0};
      ++units_done_;
      events_.push_back({WorkerEvent::Kind::unit_finished, units_done_});
      if (config_.units != 0 && units_done_ >= config_.units) {
        events_.push_back({WorkerEvent::Kind::left, units_done_});
        phase_ = Phase::exited;
        return {WorkerStep::Kind::exit, 0, exit_code::ok};
      }
      if (config_.idle_ms > 0) {
        deadline_ns_ = now_ns + config_.idle_ms * ns_per_ms;
        woken_ = false;
        phase_ = Phase::idling;
        return {};
      }
      return check(now_ns);
    case Phase::idling:
      if (!woken_ && now_ns < deadline_ns_) return {WorkerStep::Kind::idle_until, deadline_ns_, 0};
      woken_ = false;
      return check(now_ns);
    case Phase::exited: break;
  }
  return {WorkerStep::Kind::exit, 0, exit_code::ok};
}

}  // namespace tether::sim
