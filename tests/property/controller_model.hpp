#pragma once
// A simple model of what the controller should do, for the model-based property test. It knows nothing
// of the core's phases: only the documented behaviour (launch, adopt, restart with backoff and a start
// limit, shutdown with SIGTERM/SIGKILL escalation, exit codes) at the granularity of settled steps.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/controller_config.hpp"
#include "core/exit_status.hpp"
#include "core/ports.hpp"
#include "core/segment_layout.hpp"

namespace tether::testing {

struct ModelProcess {
  bool alive = true;
  bool child = false;
  bool said_goodbye = false;  // wrote `exited` into the segment before leaving
};

struct ControllerModel {
  enum class Phase : std::uint8_t { running, waiting_restart, finished };
  static constexpr std::uint64_t ns_per_ms = 1'000'000;

  ControllerConfig config;
  std::uint64_t now_ns = 0;
  Phase phase = Phase::running;

  // Processes in creation order: index i is the fake's table()[i].
  std::vector<ModelProcess> processes;
  std::optional<std::size_t> listener;    // the one the controller watches
  std::optional<std::size_t> registered;  // whose identity the segment's registration holds
  std::optional<std::size_t> launched;    // whose identity launched_identity holds
  std::uint64_t listener_state = 0;       // the segment word, written by listeners only
  std::uint64_t heartbeat_ns = 0;         // the segment word, written by listeners only
  std::uint64_t incarnation = 0;          // the segment word: its creator's identity, never rewritten
  std::uint64_t generation = 0;
  std::uint64_t restarts = 0;
  bool shutdown_posted = false;  // the segment word
  bool shutdown_known = false;   // the controller has seen or posted it
  std::uint64_t wakes = 0;

  std::optional<std::uint64_t> stop_deadline_ns;
  std::uint64_t stop_requested_ns = 0;
  // While no shutdown is known: for a registered listener, when to judge its heartbeat; for one not yet
  // registered, when to look at the registration again (so a listener that hangs right after
  // registering is caught within about one period).
  std::optional<std::uint64_t> watchdog_deadline_ns;
  // Whether the controller knows its listener registered; until then it gives it the ready timeout,
  // after which an unregistered one is a plain worker: never watchdogged, stopped by a signal at once.
  bool believed_registered = false;
  std::optional<std::uint64_t> ready_deadline_ns;
  std::optional<std::uint64_t> kill_deadline_ns;
  bool sigterm_sent = false;
  bool sigkill_sent = false;
  std::vector<std::pair<std::size_t, Signal>> signals;

  std::optional<std::uint64_t> restart_deadline_ns;
  std::uint32_t consecutive_failures = 0;
  std::uint64_t listener_started_ns = 0;
  bool launched_before = false;
  std::vector<std::uint64_t> start_times_ns;
  std::deque<SpawnError> spawn_failures;
  std::uint64_t spawns = 0;  // successful ones

  int exit_code = 0;
  bool remove_segment = false;

  [[nodiscard]] bool finished() const { return phase == Phase::finished; }

  [[nodiscard]] std::optional<std::uint64_t> deadline_ns() const {
    if (phase == Phase::waiting_restart) return restart_deadline_ns;
    if (phase != Phase::running) return std::nullopt;
    if (!shutdown_known) {
      if (!listener.has_value()) return std::nullopt;
      if (ready_deadline_ns.has_value() && watchdog_deadline_ns.has_value()) {
        return std::min(*ready_deadline_ns, *watchdog_deadline_ns);
      }
      return ready_deadline_ns.has_value() ? ready_deadline_ns : watchdog_deadline_ns;
    }
    if (!sigterm_sent) return stop_deadline_ns;
    if (!sigkill_sent) return kill_deadline_ns;
    return std::nullopt;
  }

  std::size_t add_process(bool child) {
    processes.push_back(ModelProcess{true, child, false});
    return processes.size() - 1;
  }
  [[nodiscard]] bool alive(std::optional<std::size_t> index) const {
    return index.has_value() && processes[*index].alive;
  }

  void finish(int code, bool remove) {
    exit_code = code;
    remove_segment = remove;
    phase = Phase::finished;
  }

  // The controller starts against a segment: `valid` (initialised, or initialised by it now).
  void start_on_valid_segment() {
    shutdown_known = shutdown_posted;
    if (registered.has_value()) {
      if (alive(registered)) {
        adopt(*registered, true);
        return;
      }
      registered.reset();  // a dead registration is cleared
    }
    if (alive(launched)) {
      adopt(*launched, false);
    } else if (shutdown_known) {
      finish(0, true);
    } else {
      launch();
    }
  }

  // `via_registration`: found through the registration (true) or through launched_identity (false).
  void adopt(std::size_t index, bool via_registration) {
    listener = index;
    listener_started_ns = now_ns;
    launched_before = true;
    phase = Phase::running;
    expect(via_registration);
    if (shutdown_known) {
      begin_stopping();
    } else {
      check_timers();  // a ready timeout of 0 is due at once
    }
  }

  void expect(bool is_registered) {
    believed_registered = is_registered;
    watchdog_deadline_ns.reset();
    ready_deadline_ns.reset();
    if (!is_registered) ready_deadline_ns = now_ns + config.ready_timeout_ms * ns_per_ms;
    if (config.watchdog_ms != 0) watchdog_deadline_ns = now_ns + config.watchdog_ms * ns_per_ms;
  }

  [[nodiscard]] bool listener_holds_registration() const { return listener.has_value() && registered == listener; }

  void begin_stopping() {
    if (!listener.has_value()) {
      finish(0, true);
      return;
    }
    stop_requested_ns = now_ns;
    watchdog_deadline_ns.reset();  // the stop deadlines govern from now on (the ready one still counts)
    phase = Phase::running;
    if (believed_registered) {
      stop_deadline_ns = now_ns + config.stop_timeout_ms * ns_per_ms;
    } else {
      judge_registration_for_stop();
    }
    check_timers();
  }

  // Stopping a listener not known to be registered, with the request already posted: registered since,
  // the request will do; otherwise it is not in a unit and never starts one (or is a plain worker), so
  // the stop signal goes at once.
  void judge_registration_for_stop() {
    const std::uint64_t stop_ns = stop_requested_ns + config.stop_timeout_ms * ns_per_ms;
    if (listener_holds_registration()) {
      believed_registered = true;
      ready_deadline_ns.reset();
      stop_deadline_ns = stop_ns;
    } else {
      ready_deadline_ns.reset();
      sigterm_sent = true;
      signals.emplace_back(*listener, Signal::terminate);
      kill_deadline_ns = now_ns + config.kill_timeout_ms * ns_per_ms;
    }
  }

  // The deadlines of a running listener: the watchdog before a shutdown, the stop escalation after.
  void check_timers() {
    if (phase != Phase::running || !listener.has_value()) return;
    if (!shutdown_known) {
      const bool ready_due = ready_deadline_ns.has_value() && now_ns >= *ready_deadline_ns;
      const bool watchdog_due = watchdog_deadline_ns.has_value() && now_ns >= *watchdog_deadline_ns;
      if (!ready_due && !watchdog_due) return;
      if (!believed_registered) {
        // Has it registered since? If so its heartbeat is judged at once (below); if the ready timeout
        // passed without, it is a plain worker; otherwise look again one watchdog period later.
        if (listener_holds_registration()) {
          believed_registered = true;
          ready_deadline_ns.reset();
          if (config.watchdog_ms == 0) return;
        } else if (ready_due) {
          ready_deadline_ns.reset();
          watchdog_deadline_ns.reset();
          return;
        } else {
          watchdog_deadline_ns = now_ns + config.watchdog_ms * ns_per_ms;
          return;
        }
      }
      const std::uint64_t watchdog_ns = config.watchdog_ms * ns_per_ms;
      if (heartbeat_ns + watchdog_ns > now_ns) {
        watchdog_deadline_ns = heartbeat_ns + watchdog_ns;  // it showed progress since
      } else {
        signals.emplace_back(*listener, Signal::kill);  // hung: only SIGKILL is sure to end it
        watchdog_deadline_ns.reset();
      }
      return;
    }
    if (!sigterm_sent && stop_deadline_ns.has_value() && now_ns >= *stop_deadline_ns) {
      // A heartbeat after the request extends the stop (a long unit finishing), up to the cap.
      const std::uint64_t stop_ns = config.stop_timeout_ms * ns_per_ms;
      const std::uint64_t cap_ns = stop_requested_ns + std::max(config.stop_timeout_ms_max * ns_per_ms, stop_ns);
      if (heartbeat_ns > stop_requested_ns && std::min(heartbeat_ns + stop_ns, cap_ns) > now_ns) {
        stop_deadline_ns = std::min(heartbeat_ns + stop_ns, cap_ns);
        return;
      }
      sigterm_sent = true;
      signals.emplace_back(*listener, Signal::terminate);
      kill_deadline_ns = now_ns + config.kill_timeout_ms * ns_per_ms;
    }
    if (sigterm_sent && !sigkill_sent && now_ns >= *kill_deadline_ns) {
      sigkill_sent = true;
      signals.emplace_back(*listener, Signal::kill);
    }
  }

  [[nodiscard]] bool start_limit_allows() const {
    const std::uint64_t interval_ns = config.start_limit_interval_ms * ns_per_ms;
    const auto inside = std::count_if(start_times_ns.begin(), start_times_ns.end(),
                                      [&](std::uint64_t t) { return now_ns - t < interval_ns; });
    return static_cast<std::uint64_t>(inside) < config.start_limit;
  }

  [[nodiscard]] std::uint64_t backoff_ms() const {
    const std::uint32_t k = consecutive_failures - 1;
    const std::uint64_t base = config.restart_delay_ms;
    if (base == 0) return 0;
    if (k >= 64 || base > (config.restart_delay_ms_max >> k)) return config.restart_delay_ms_max;
    return base << k;
  }

  // One launch: a new generation; a listener that registered meanwhile is adopted instead; a posted
  // shutdown stops it; otherwise spawn.
  void launch() {
    ++generation;
    if (alive(registered)) {
      adopt(*registered, true);
      return;
    }
    if (shutdown_posted) {
      shutdown_known = true;
      finish(0, true);
      return;
    }
    start_times_ns.push_back(now_ns);
    if (!spawn_failures.empty()) {
      listener_started_ns = now_ns;  // a failed spawn is a run of zero length
      const SpawnError error = spawn_failures.front();
      spawn_failures.pop_front();
      if (error == SpawnError::not_found) {
        finish(69, true);
      } else {
        after_exit(ExitStatus::unknown_status());
      }
      return;
    }
    const std::size_t child = add_process(true);
    listener_started_ns = now_ns;
    ++spawns;
    listener = child;
    launched = child;
    expect(false);
    if (launched_before) ++restarts;
    launched_before = true;
    phase = Phase::running;
    check_timers();  // a ready timeout of 0 is due at once
  }

  // How the controller should judge the end of the listener it watched (`index`, already dead).
  [[nodiscard]] ExitStatus judge_exit(std::size_t index, ExitStatus reported) const {
    if (processes[index].child) return reported;  // our child: the wait status is the truth
    return processes[index].said_goodbye ? ExitStatus::code(0) : ExitStatus::unknown_status();
  }

  void after_exit(ExitStatus status) {
    listener.reset();
    if (shutdown_posted || shutdown_known) {
      shutdown_known = true;
      finish(0, true);
      return;
    }
    const bool restart =
        config.restart == RestartMode::always || (config.restart == RestartMode::on_failure && !status.clean());
    if (!restart) {
      finish(status.clean() ? 0 : 1, true);
      return;
    }
    if (now_ns - listener_started_ns >= config.healthy_run_ms * ns_per_ms) {
      consecutive_failures = 0;  // a healthy run: back off from the first delay, count starts afresh
      start_times_ns.clear();
    }
    ++consecutive_failures;
    if (!start_limit_allows()) {
      finish(69, true);
      return;
    }
    restart_deadline_ns = now_ns + backoff_ms() * ns_per_ms;
    phase = Phase::waiting_restart;
    run_due_restarts();
  }

  void run_due_restarts() {
    // Each pass records a start, so the start limit ends this loop; the bound is a backstop.
    for (int pass = 0; pass < 1000 && phase == Phase::waiting_restart && now_ns >= *restart_deadline_ns; ++pass) {
      restart_deadline_ns.reset();
      launch();
    }
  }

  void advance_to(std::uint64_t new_now_ns) {
    now_ns = std::max(now_ns, new_now_ns);
    if (phase == Phase::waiting_restart) run_due_restarts();
    check_timers();
  }
};

}  // namespace tether::testing
