#include "core/controller_core.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

#include "core/exit_codes.hpp"
#include "core/mutants.hpp"

namespace tether {

namespace {
constexpr std::uint64_t ns_per_ms = 1'000'000;

struct FieldValue {
  Field field;
  std::uint64_t value;
};
// Initialisation order: every field first, then the incarnation (our identity, known only at run time),
// the magic last, so a reader that sees the magic sees the rest.
constexpr std::array<FieldValue, field_count - 2> initial_fields = {{
    {Field::layout_version, segment_layout_version},
    {Field::size_bytes, segment_size_bytes},
    {Field::generation, 0},
    {Field::listener_identity, 0},
    {Field::listener_state, static_cast<std::uint64_t>(ListenerState::none)},
    {Field::launched_identity, 0},
    {Field::controller_identity, 0},
    {Field::shutdown_request, 0},
    {Field::heartbeat_ns, 0},
    {Field::restarts, 0},
    {Field::departed_identity, 0},
}};
}  // namespace

std::string_view controller_event_name(ControllerEvent::Kind kind) {
  switch (kind) {
    case ControllerEvent::Kind::segment_initialised: return "segment_initialised";
    case ControllerEvent::Kind::stale_listener_cleared: return "stale_listener_cleared";
    case ControllerEvent::Kind::launched: return "launched";
    case ControllerEvent::Kind::launch_failed: return "launch_failed";
    case ControllerEvent::Kind::adopted: return "adopted";
    case ControllerEvent::Kind::exited: return "exited";
    case ControllerEvent::Kind::restarting: return "restarting";
    case ControllerEvent::Kind::shutdown_requested: return "shutdown_requested";
    case ControllerEvent::Kind::escalated_sigterm: return "escalated_sigterm";
    case ControllerEvent::Kind::escalated_sigkill: return "escalated_sigkill";
    case ControllerEvent::Kind::stop_extended: return "stop_extended";
    case ControllerEvent::Kind::watchdog_fired: return "watchdog_fired";
    case ControllerEvent::Kind::unregistered: return "unregistered";
    case ControllerEvent::Kind::stop_signalled: return "stop_signalled";
    case ControllerEvent::Kind::gave_up: return "gave_up";
    case ControllerEvent::Kind::finished: return "finished";
  }
  return "unknown";
}

ControllerCore::ControllerCore(const ControllerConfig& config, SegmentPort& segment,
                               ProcessPort& processes, ProcessIdentity self)
    : config_(config),
      segment_(segment),
      processes_(processes),
      self_(self),
      start_limiter_(config.start_limit, config.start_limit_interval_ms * ns_per_ms) {
  assert(!config.problem().has_value());
  assert(self.valid());
}

void ControllerCore::handle_listener_exit(ProcessIdentity process, ExitStatus status) {
  // Exits of processes we no longer watch (an earlier listener's late report) carry no news.
  if (!listener_.valid() || process != listener_) return;
  exit_pending_ = status;
  exited_process_ = process;
}

void ControllerCore::handle_shutdown_signal() { shutdown_signal_pending_ = true; }

void ControllerCore::handle_shutdown_notice() { shutdown_notice_pending_ = true; }

bool ControllerCore::pop_event(ControllerEvent& event) {
  if (events_.empty()) return false;
  event = events_.front();
  events_.pop_front();
  return true;
}

void ControllerCore::emit(ControllerEvent event) {
  assert(events_.size() < event_queue_max);
  events_.push_back(event);
}

int ControllerCore::exit_code() const {
  assert(finished());
  return exit_code_;
}

bool ControllerCore::remove_segment() const {
  assert(finished());
  return remove_segment_;
}

std::optional<std::uint64_t> ControllerCore::deadline_ns() const {
  if (phase_ == Phase::waiting_restart) return restart_deadline_ns_;
  if (phase_ != Phase::running) return std::nullopt;
  if (!shutdown_requested_) {
    if (!listener_.valid()) return std::nullopt;
    if (ready_deadline_ns_.has_value() && watchdog_deadline_ns_.has_value()) {
      return std::min(*ready_deadline_ns_, *watchdog_deadline_ns_);
    }
    return ready_deadline_ns_.has_value() ? ready_deadline_ns_ : watchdog_deadline_ns_;
  }
  if (!sigterm_sent_) return stop_deadline_ns_;
  if (!sigkill_sent_) return kill_deadline_ns_;
  return std::nullopt;
}

void ControllerCore::adopt(ProcessIdentity process, std::uint64_t now_ns, bool registered) {
  assert(process.valid());
  listener_ = process;
  listener_started_ns_ = now_ns;
  launched_before_ = true;  // the next launch replaces a listener, so it counts as a restart
  emit({ControllerEvent::Kind::adopted, process});
  expect_listener(now_ns, registered);
  if (shutdown_requested_) {
    begin_stopping(now_ns);
  } else {
    phase_ = Phase::running;
  }
}

void ControllerCore::begin_stopping(std::uint64_t now_ns) {
  assert(shutdown_requested_);
  if (!listener_.valid()) {
    finish(exit_code::ok, true);
    return;
  }
  stop_requested_ns_ = now_ns;
  watchdog_deadline_ns_.reset();  // from now on the stop deadlines govern (the ready one still counts)
  if (listener_registered_) {
    stop_deadline_ns_ = now_ns + config_.stop_timeout_ms * ns_per_ms;
    phase_ = Phase::running;
  } else {
    phase_ = Phase::read_registration_for_stop;  // it may have registered since we last looked
  }
}

// A registered listener is watched by its heartbeat; any other is given the ready timeout to register.
// With the watchdog on, the watchdog period also paces early looks at the registration, so that a
// listener that hangs right after registering is caught within about one period, not at the ready timeout.
void ControllerCore::expect_listener(std::uint64_t now_ns, bool registered) {
  listener_registered_ = registered;
  watchdog_deadline_ns_.reset();
  ready_deadline_ns_.reset();
  if (!registered) ready_deadline_ns_ = now_ns + config_.ready_timeout_ms * ns_per_ms;
  if (config_.watchdog_ms != 0) watchdog_deadline_ns_ = now_ns + config_.watchdog_ms * ns_per_ms;
}

void ControllerCore::finish(int exit_code, bool remove_segment) {
  exit_code_ = exit_code;
  remove_segment_ = remove_segment;
  emit({ControllerEvent::Kind::finished, listener_, {}, static_cast<std::uint64_t>(exit_code)});
  phase_ = Phase::finished;
}

StepOutcome ControllerCore::step(std::uint64_t now_ns) {
  passed_point_ = CrashPoint::none;
  switch (phase_) {
    case Phase::read_magic: {
      const std::uint64_t magic = segment_.load(Field::magic);
      if (magic == segment_magic) {
        phase_ = Phase::read_incarnation;
      } else if (magic == 0) {
        phase_ = Phase::initialise;
      } else {
        // The adapters refuse foreign segments before a core runs; never write into one regardless.
        finish(exit_code::data_error, false);
      }
      break;
    }
    case Phase::initialise:
      step_initialise();
      break;
    case Phase::read_incarnation:
      ticket_.incarnation = segment_.load(Field::incarnation);
      phase_ = Phase::claim;
      break;
    case Phase::claim:
      segment_.store(Field::controller_identity, self_.pack());
      phase_ = Phase::read_shutdown;
      break;
    case Phase::read_shutdown:
      // A request that outlived its controller still binds: we finish that shutdown, never relaunch.
      // Said in the log, or a controller that exits at once (nothing left to stop) would not say why.
      if (segment_.load(Field::shutdown_request) != 0) {
        shutdown_requested_ = true;
        emit({ControllerEvent::Kind::shutdown_requested, {}, {}, 1});
      }
      phase_ = Phase::read_listener;
      break;
    case Phase::read_listener: {
      auto registered = ProcessIdentity::unpack(segment_.load(Field::listener_identity));
      if (mutant_active(Mutant::adoption_without_identity_check)) registered.start_time_ticks = 0;
      if (!registered.valid()) {
        phase_ = Phase::read_launched;
      } else if (processes_.is_alive(registered) && processes_.watch(registered)) {
        adopt(registered, now_ns, true);
      } else {
        exited_process_ = registered;
        phase_ = Phase::clear_stale_listener;
      }
      break;
    }
    case Phase::clear_stale_listener: {
      std::uint64_t expected = exited_process_.pack();
      segment_.compare_exchange(Field::listener_identity, expected, 0);
      emit({ControllerEvent::Kind::stale_listener_cleared, exited_process_});
      exited_process_ = {};
      phase_ = Phase::read_launched;
      break;
    }
    case Phase::read_launched: {
      // A previous controller may have died after launching a listener that has not registered yet:
      // watch that one rather than launch a second.
      const auto launched = ProcessIdentity::unpack(segment_.load(Field::launched_identity));
      if (launched.valid() && processes_.is_alive(launched) && processes_.watch(launched)) {
        adopt(launched, now_ns, false);
      } else if (shutdown_requested_) {
        finish(exit_code::ok, true);
      } else {
        phase_ = Phase::bump_generation;
      }
      break;
    }
    case Phase::bump_generation:
      ticket_.generation = segment_.fetch_add(Field::generation, 1) + 1;
      phase_ = Phase::recheck_listener;
      break;
    case Phase::recheck_listener: {
      // The bump and this read pair with the listener's register-then-read-generation: either we see
      // its registration here, or it sees our new generation and withdraws. Never two listeners.
      const auto registered = ProcessIdentity::unpack(segment_.load(Field::listener_identity));
      if (registered.valid() && processes_.is_alive(registered) && processes_.watch(registered)) {
        adopt(registered, now_ns, true);
      } else {
        phase_ = Phase::check_shutdown_and_spawn;
      }
      break;
    }
    case Phase::check_shutdown_and_spawn:
      step_spawn(now_ns);
      break;
    case Phase::record_launched:
      segment_.store(Field::launched_identity, listener_.pack());
      passed_point_ = CrashPoint::after_record;
      phase_ = Phase::release_launched;
      break;
    case Phase::release_launched:
      processes_.release(listener_);
      phase_ = launched_before_ ? Phase::count_restart : Phase::running;
      launched_before_ = true;
      break;
    case Phase::count_restart:
      segment_.fetch_add(Field::restarts, 1);
      phase_ = Phase::running;
      break;
    case Phase::running:
    case Phase::waiting_restart:
      step_running(now_ns);
      break;
    case Phase::post_shutdown:
      segment_.store(Field::shutdown_request, 1);
      segment_.wake_shutdown_waiters();
      shutdown_requested_ = true;
      emit({ControllerEvent::Kind::shutdown_requested, listener_});
      begin_stopping(now_ns);
      break;
    case Phase::read_shutdown_notice:
      if (segment_.load(Field::shutdown_request) != 0) {
        shutdown_requested_ = true;
        emit({ControllerEvent::Kind::shutdown_requested, listener_});
        begin_stopping(now_ns);
      } else {
        phase_ = listener_.valid() ? Phase::running : Phase::waiting_restart;
      }
      break;
    case Phase::read_exit_state: {
      // Only our own children can be waited for; an adopted listener proves a graceful exit by leaving
      // its own identity in departed_identity (a state word could be an earlier listener's goodbye).
      const std::uint64_t departed = segment_.load(Field::departed_identity);
      if (departed == exited_process_.pack()) *exit_pending_ = ExitStatus::code(0);
      phase_ = Phase::clear_dead_listener;
      break;
    }
    case Phase::clear_dead_listener: {
      assert(exit_pending_.has_value());
      std::uint64_t expected = exited_process_.pack();
      segment_.compare_exchange(Field::listener_identity, expected, 0);
      emit({ControllerEvent::Kind::exited, exited_process_, *exit_pending_});
      listener_ = {};
      phase_ = Phase::decide_after_exit;
      break;
    }
    case Phase::decide_after_exit:
      step_decide_after_exit(now_ns);
      break;
    case Phase::read_heartbeat:
      step_read_heartbeat(now_ns);
      break;
    case Phase::check_ready: {
      const bool registered = segment_.load(Field::listener_identity) == listener_.pack();
      const bool ready_timeout_passed = ready_deadline_ns_.has_value() && now_ns >= *ready_deadline_ns_;
      phase_ = Phase::running;
      if (registered) {
        listener_registered_ = true;
        ready_deadline_ns_.reset();
        // Judge its heartbeat at once: it may have hung right after registering.
        if (config_.watchdog_ms != 0) phase_ = Phase::read_heartbeat;
      } else if (ready_timeout_passed) {
        emit({ControllerEvent::Kind::unregistered, listener_});
        ready_deadline_ns_.reset();   // a plain worker is not asked again
        watchdog_deadline_ns_.reset();  // and never heartbeats
      } else {
        watchdog_deadline_ns_ = now_ns + config_.watchdog_ms * ns_per_ms;  // still starting: look again
      }
      break;
    }
    case Phase::read_registration_for_stop:
      if (exit_pending_.has_value()) {
        phase_ = Phase::running;  // it is gone already: no signal, the exit takes its course
      } else if (segment_.load(Field::listener_identity) == listener_.pack()) {
        listener_registered_ = true;
        ready_deadline_ns_.reset();
        stop_deadline_ns_ = stop_requested_ns_ + config_.stop_timeout_ms * ns_per_ms;
      } else if (const std::uint64_t stop_ns = stop_requested_ns_ + config_.stop_timeout_ms * ns_per_ms;
                 ready_deadline_ns_.has_value() && now_ns < *ready_deadline_ns_ && now_ns < stop_ns) {
        // Still inside its ready window: a worker about to register deserves the request, not a signal.
        // Look again when it is due to have registered, or when the stop timeout ends.
        stop_deadline_ns_ = std::min(*ready_deadline_ns_, stop_ns);
      } else {
        // A plain worker cannot read the request: the stop signal is its shutdown request.
        ready_deadline_ns_.reset();
        sigterm_sent_ = true;
        processes_.signal(listener_, Signal::terminate);
        emit({ControllerEvent::Kind::stop_signalled, listener_});
        kill_deadline_ns_ = now_ns + config_.kill_timeout_ms * ns_per_ms;
      }
      phase_ = Phase::running;
      break;
    case Phase::finished:
      return StepOutcome::finished;
  }
  if (phase_ == Phase::finished) return StepOutcome::finished;
  if ((phase_ == Phase::running || phase_ == Phase::waiting_restart) && !shutdown_signal_pending_ &&
      !shutdown_notice_pending_ && !exit_pending_.has_value()) {
    const auto deadline = deadline_ns();
    if (!deadline.has_value() || *deadline > now_ns) return StepOutcome::waiting;
  }
  return StepOutcome::progressed;
}

void ControllerCore::step_initialise() {
  assert(initialise_index_ <= initial_fields.size() + 1);
  if (initialise_index_ < initial_fields.size()) {
    const FieldValue& field = initial_fields[initialise_index_];
    segment_.store(field.field, field.value);
    ++initialise_index_;
    if (initialise_index_ == initial_fields.size() / 2) passed_point_ = CrashPoint::mid_init;
    return;
  }
  if (initialise_index_ == initial_fields.size()) {
    ticket_.incarnation = self_.pack();
    segment_.store(Field::incarnation, ticket_.incarnation);
    ++initialise_index_;
    return;
  }
  segment_.store(Field::magic, segment_magic);
  emit({ControllerEvent::Kind::segment_initialised, self_});
  phase_ = Phase::claim;
}

void ControllerCore::step_running(std::uint64_t now_ns) {
  if (shutdown_signal_pending_) {
    shutdown_signal_pending_ = false;
    if (!shutdown_requested_) {
      phase_ = Phase::post_shutdown;
      return;
    }
  }
  if (shutdown_notice_pending_) {
    shutdown_notice_pending_ = false;
    if (!shutdown_requested_) {
      phase_ = Phase::read_shutdown_notice;
      return;
    }
  }
  if (exit_pending_.has_value()) {
    assert(phase_ == Phase::running);
    phase_ = exit_pending_->kind == ExitStatus::Kind::unknown ? Phase::read_exit_state
                                                               : Phase::clear_dead_listener;
    return;
  }
  if (phase_ == Phase::waiting_restart) {
    assert(restart_deadline_ns_.has_value());
    if (now_ns >= *restart_deadline_ns_) {
      restart_deadline_ns_.reset();
      phase_ = Phase::bump_generation;
    }
    return;
  }
  if (!shutdown_requested_) {
    if (!listener_.valid()) return;
    if (ready_deadline_ns_.has_value() && now_ns >= *ready_deadline_ns_) {
      phase_ = Phase::check_ready;
    } else if (watchdog_deadline_ns_.has_value() && now_ns >= *watchdog_deadline_ns_) {
      phase_ = listener_registered_ ? Phase::read_heartbeat : Phase::check_ready;
    }
    return;
  }
  assert(listener_.valid());
  if (!sigterm_sent_ && stop_deadline_ns_.has_value() && now_ns >= *stop_deadline_ns_) {
    // A registered listener's progress may earn more time; any other: has it registered meanwhile?
    phase_ = listener_registered_ ? Phase::read_heartbeat : Phase::read_registration_for_stop;
  } else if (sigterm_sent_ && !sigkill_sent_ && now_ns >= *kill_deadline_ns_) {
    sigkill_sent_ = true;
    processes_.signal(listener_, Signal::kill);
    emit({ControllerEvent::Kind::escalated_sigkill, listener_});
  }
}

void ControllerCore::step_read_heartbeat(std::uint64_t now_ns) {
  assert(listener_.valid());
  if (exit_pending_.has_value()) {
    phase_ = Phase::running;  // it is gone already: neither a signal nor an extension makes sense
    return;
  }
  const std::uint64_t heartbeat_ns = segment_.load(Field::heartbeat_ns);
  phase_ = Phase::running;
  // A hostile or broken writer may store any value: saturate instead of wrapping around.
  const auto plus = [](std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; };
  if (shutdown_requested_) {
    assert(!sigterm_sent_);
    const std::uint64_t stop_timeout_ns = config_.stop_timeout_ms * ns_per_ms;
    const std::uint64_t cap_ns =
        stop_requested_ns_ + std::max(config_.stop_timeout_ms_max * ns_per_ms, stop_timeout_ns);
    // Like systemd's EXTEND_TIMEOUT_USEC: a heartbeat after the request shows the unit is progressing.
    if (heartbeat_ns > stop_requested_ns_) {
      const std::uint64_t extended_ns = std::min(plus(heartbeat_ns, stop_timeout_ns), cap_ns);
      if (extended_ns > now_ns) {
        stop_deadline_ns_ = extended_ns;
        emit({ControllerEvent::Kind::stop_extended, listener_, {}, (extended_ns - now_ns) / ns_per_ms});
        return;
      }
    }
    sigterm_sent_ = true;
    processes_.signal(listener_, Signal::terminate);
    emit({ControllerEvent::Kind::escalated_sigterm, listener_});
    kill_deadline_ns_ = now_ns + config_.kill_timeout_ms * ns_per_ms;
    return;
  }
  const std::uint64_t watchdog_ns = config_.watchdog_ms * ns_per_ms;
  if (plus(heartbeat_ns, watchdog_ns) > now_ns) {
    watchdog_deadline_ns_ = plus(heartbeat_ns, watchdog_ns);
    return;
  }
  // Hung or stopped (SIGSTOP): only SIGKILL is sure to end it; its exit then takes the restart path.
  const std::uint64_t age_ms = (now_ns - std::min(heartbeat_ns, now_ns)) / ns_per_ms;
  emit({ControllerEvent::Kind::watchdog_fired, listener_, {}, age_ms});
  processes_.signal(listener_, Signal::kill);
  watchdog_deadline_ns_.reset();
}

void ControllerCore::step_spawn(std::uint64_t now_ns) {
  // The shutdown check and the spawn form one step: no request can slip in between them unseen.
  if (shutdown_signal_pending_) {
    shutdown_signal_pending_ = false;
    phase_ = Phase::post_shutdown;
    return;
  }
  const bool mutant_skips_check = mutant_active(Mutant::restart_after_shutdown) ||
                                  (mutant_active(Mutant::skip_shutdown_check_after_restart) && launched_before_);
  if (!mutant_skips_check && segment_.load(Field::shutdown_request) != 0) {
    shutdown_requested_ = true;
    emit({ControllerEvent::Kind::shutdown_requested, listener_});
    finish(exit_code::ok, true);
    return;
  }
  auto spawned = processes_.spawn(ticket_);
  start_limiter_.record_start(now_ns);
  // A failed spawn is a run of zero length: the backoff measures from this attempt, not from the start
  // of the listener before it (which would reset the backoff after a long good run instead of doubling).
  listener_started_ns_ = now_ns;
  if (!spawned.ok()) {
    emit({ControllerEvent::Kind::launch_failed, {}, {}, static_cast<std::uint64_t>(spawned.error())});
    if (spawned.error() == SpawnError::not_found) {
      // A missing program will not appear by retrying; restarting it would only be a storm.
      finish(exit_code::unavailable, true);
      return;
    }
    exit_pending_ = ExitStatus::unknown_status();
    exited_process_ = {};
    phase_ = Phase::decide_after_exit;
    return;
  }
  listener_ = spawned.value();
  emit({ControllerEvent::Kind::launched, listener_, {}, ticket_.generation});
  expect_listener(now_ns, false);
  passed_point_ = CrashPoint::after_spawn;
  phase_ = Phase::record_launched;
}

void ControllerCore::step_decide_after_exit(std::uint64_t now_ns) {
  assert(exit_pending_.has_value());
  const ExitStatus status = *exit_pending_;
  exit_pending_.reset();
  exited_process_ = {};
  if (!mutant_active(Mutant::restart_after_shutdown) &&
      (segment_.load(Field::shutdown_request) != 0 || shutdown_requested_ || shutdown_signal_pending_)) {
    // Posted by `tether shutdown` (or by us): the listener obeyed it; never relaunch.
    shutdown_requested_ = true;
    finish(exit_code::ok, true);
    return;
  }
  const bool restart = config_.restart == RestartMode::always ||
                       (config_.restart == RestartMode::on_failure && !status.clean());
  if (!restart) {
    finish(status.clean() ? exit_code::ok : exit_code::failure, true);
    return;
  }
  // A listener that stayed up for a whole start-limit interval was healthy: back off from scratch.
  if (now_ns - listener_started_ns_ >= config_.start_limit_interval_ms * ns_per_ms) {
    consecutive_failures_ = 0;
  }
  if (consecutive_failures_ < UINT32_MAX) ++consecutive_failures_;
  if (!start_limiter_.allows_start(now_ns)) {
    emit({ControllerEvent::Kind::gave_up, {}, status, config_.start_limit});
    finish(exit_code::unavailable, true);
    return;
  }
  const std::uint64_t delay_ms =
      restart_delay_ms(config_.restart_delay_ms, config_.restart_delay_ms_max, consecutive_failures_);
  emit({ControllerEvent::Kind::restarting, {}, status, delay_ms});
  restart_deadline_ns_ = now_ns + delay_ms * ns_per_ms;
  phase_ = Phase::waiting_restart;
}

}  // namespace tether
