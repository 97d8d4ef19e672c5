// The run loop: pick which ready process steps next (a logged decision), inject the scheduled faults
// between steps, advance the virtual clock when nobody is ready, and run the liveness checkpoints.
#include <algorithm>
#include <cassert>

#include "world.hpp"
#include "core/units.hpp"

namespace tether::sim {

namespace {
constexpr std::uint32_t preempt_ms_max = 20;
}  // namespace

std::optional<std::uint64_t> World::next_event_ns() const {
  std::optional<std::uint64_t> next;
  auto consider = [&](std::uint64_t at_ns) {
    if (at_ns > now_ns_ && (!next.has_value() || at_ns < *next)) next = at_ns;
  };
  for (const auto& candidate : table_.all()) {
    if (candidate->alive && !candidate->hung && candidate->ready_at_ns.has_value()) {
      consider(*candidate->ready_at_ns);
    }
  }
  if (!quiet_ && faults_.next < faults_.schedule.size()) consider(faults_.schedule[faults_.next].at_ns);
  consider(plan_.fault_phase_end_ns);
  consider(plan_.converge_at_ns);
  consider(plan_.end_at_ns);
  return next;
}

void World::advance_clock() {
  const auto next = next_event_ns();
  assert(next.has_value());  // the checkpoints are always ahead
  now_ns_ = *next;
}

void World::begin_quiet_phase() {
  quiet_ = true;
  note(0, TraceOp::check, 0, 0, [] { return std::string("quiet phase: faults off"); });
  // Faults are over; if they left the name without a controller, the operator starts one again.
  controller_restart_pending_ = true;
  retry_controller_restart();
}

// When strangers hold every pid, the operator's restart waits for one to end (as systemd retries),
// rather than leaving the name without a controller for the rest of the run.
void World::retry_controller_restart() {
  if (system_finished_ || newest_alive(ProcessKind::controller) != nullptr) {
    controller_restart_pending_ = false;
    return;
  }
  if (!table_.pids().has_free()) return;
  start_controller("restarted after faults");
  controller_restart_pending_ = false;
}

// The scheduler decision: PCT's pick when it decides (a recorded sweep run with nothing but ready
// processes to choose from), otherwise a draw among every option.
std::uint32_t World::choose_next(const std::vector<Serial>& ready, std::uint32_t options) {
  if (!pct_.has_value() || ready.empty() || !faults_.enabled.empty()) return decisions_.choose(options);
  return decisions_.choose_picked(options, static_cast<std::uint32_t>(pct_->pick(ready)));
}

RunResult World::run() {
  MutantScope mutant_scope(core_mutant(config_.mutant));
  DefencesOffScope defences_scope(config_.defences_off);
  setup();
  const std::optional<std::uint64_t> seed = decisions_.recording_seed();
  if (config_.scheduler.kind == SchedulerKind::pct && seed.has_value()) {
    pct_.emplace(*seed, config_.scheduler.pct_depth, config_.scheduler.pct_steps);
  }
  faults_.schedule = swarm_.faults;
  if (!config_.explore) faults_.crash_budget = swarm_.crash_ppm > 0 || swarm_.crash_point.has_value() ? 1 : 0;
  std::vector<Serial> ready;
  bool steps_exhausted = false;
  // Every iteration steps a process, applies a fault, advances the clock or makes a scheduling decision
  // that moves a process's ready time forward; this cap only guards against a bug in that reasoning.
  const std::uint64_t iterations_max = config_.steps_max * 4 + 100'000;
  for (std::uint64_t iteration = 0; iteration < iterations_max && !checker_.violation().has_value(); ++iteration) {
    if (now_ns_ >= plan_.fault_phase_end_ns && !quiet_) begin_quiet_phase();
    if (controller_restart_pending_) retry_controller_restart();
    if (now_ns_ >= plan_.converge_at_ns && !converge_checked_) {
      converge_checked_ = true;
      check_converged();
      if (!checker_.violation().has_value()) request_final_shutdown();
      continue;
    }
    if (now_ns_ >= plan_.end_at_ns) {
      liveness_checked_ = true;
      check_final();
      break;
    }
    ready.clear();
    for (const auto& candidate : table_.all()) {
      if (candidate->alive && !candidate->hung && candidate->ready_at_ns.has_value() &&
          *candidate->ready_at_ns <= now_ns_) {
        ready.push_back(candidate->serial);
      }
    }
    // Choice 0 lets the process that stepped last go on (CHESS's convention): a non-zero choice is a
    // preemption, which is what `explore` bounds.
    const auto last = std::find(ready.begin(), ready.end(), last_stepped_);
    if (last != ready.end()) std::rotate(ready.begin(), last, last + 1);
    if (!quiet_ && faults_.next < faults_.schedule.size() && faults_.schedule[faults_.next].at_ns <= now_ns_ &&
        (ready.empty() || faults_.schedule[faults_.next].extra_steps == 0)) {
      const FaultEvent fault = faults_.schedule[faults_.next++];
      apply_fault(fault);
      check_safety();
      continue;
    }
    // check's faults (fault_bounds.hpp) are further values of this decision, after the ready processes
    // (or after "let time pass" when none is ready); outside check there are none.
    list_check_faults(faults_.enabled, !ready.empty());
    if (ready.empty() && faults_.enabled.empty()) {
      advance_clock();
      continue;
    }
    if (step_ >= config_.steps_max) {
      steps_exhausted = true;
      break;
    }
    const std::size_t slots = std::max<std::size_t>(ready.size(), 1);
    const auto options = static_cast<std::uint32_t>(slots + faults_.enabled.size());
    // `tether-sim check` stops here once the prefix it replays is used up: a complete state (no step is
    // half done), with the next scheduler decision's range. Decisions drawn inside a step are no such
    // point: the checker branches on them but never fingerprints the world in the middle of a step.
    if (frontier_after_.has_value() && options >= 2 && decisions_.taken().size() >= *frontier_after_) {
      frontier_ = Frontier{fingerprint(), options, ready};
      if (recording_.has_value()) effect_ = finish_effect();
      break;
    }
    // The prefix's last decision is this one: what follows, up to the next frontier, is one transition.
    if (frontier_after_.has_value() && options >= 2 && decisions_.taken().size() + 1 == *frontier_after_) {
      begin_effect();
    }
    const std::uint32_t choice = choose_next(ready, options);
    if (choice >= slots) {
      apply_check_fault(faults_.enabled[choice - slots]);
      flush_exit_reports();
      check_safety();
      continue;
    }
    if (ready.empty()) {
      advance_clock();
      continue;
    }
    SimProcess& chosen = process(ready[choice]);
    if (!quiet_ && decisions_.chance(swarm_.preempt_ppm)) {
      chosen.ready_at_ns = now_ns_ + decisions_.between(1, preempt_ms_max) * ns_per_ms;
      continue;
    }
    const bool crashable = chosen.kind == ProcessKind::controller || chosen.kind == ProcessKind::listener;
    // Short-circuit order matters: no decision is drawn (or logged) unless a crash is possible.
    const bool crash =
        faults_.crash_budget > 0 && !quiet_ && crashable &&
        (config_.explore ? decisions_.choose(2) == 1 : chosen.at_crash_point || decisions_.chance(swarm_.crash_ppm));
    if (crash) {
      --faults_.crash_budget;
      const std::string why = chosen.at_crash_point
                                  ? fmt::format("SIGKILL at crash point {}", crash_point_name(*swarm_.crash_point))
                                  : std::string("SIGKILL (crash point)");
      if (chosen.kind == ProcessKind::controller) {
        // Explore keeps its world small: no follow-up controller there (the quiet phase starts one).
        kill_controller(chosen, config_.explore ? 1 : decisions_.choose(1000), why);
      } else {
        cover(Situation::listener_killed);
        kill(chosen, why);
      }
      flush_exit_reports();
      check_safety();
      continue;
    }
    ++step_;
    last_stepped_ = chosen.serial;
    if (recording_.has_value()) note_actor(chosen.serial);
    step_process(chosen);
    if (pct_.has_value()) pct_->stepped(step_, chosen.serial);
    if (swarm_.crash_point.has_value() && chosen.alive) {
      const CrashPoint passed = chosen.party ? chosen.party->passed_point() : CrashPoint::none;
      chosen.at_crash_point = passed == *swarm_.crash_point;
    }
    flush_exit_reports();
    trace_.end_step();
    if (!quiet_ && faults_.next < faults_.schedule.size() && faults_.schedule[faults_.next].at_ns <= now_ns_ &&
        faults_.schedule[faults_.next].extra_steps > 0) {
      --faults_.schedule[faults_.next].extra_steps;
    }
    check_safety();
  }
  (void)steps_exhausted;
  RunResult result;
  result.violation = checker_.violation();
  result.frontier = frontier_;
  result.effect = effect_;
  result.steps = step_;
  result.segment_ops = segment_ops_;
  result.end_time_ns = now_ns_;
  result.trace_hash = trace_.hash();
  result.liveness_checked = liveness_checked_;
  result.coverage = coverage_;
  return result;
}

}  // namespace tether::sim
