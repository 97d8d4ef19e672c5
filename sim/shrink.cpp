#include "shrink.hpp"

#include <algorithm>
#include <tuple>

#include "runner.hpp"

namespace tether::sim {

namespace {
using Log = std::vector<std::uint32_t>;

std::tuple<std::size_t, std::uint64_t, std::size_t> size_key(const Log& log) {
  std::size_t nonzero = 0;
  std::uint64_t sum = 0;
  for (const std::uint32_t value : log) {
    nonzero += value != 0 ? 1 : 0;
    sum += value;
  }
  return {nonzero, sum, log.size()};
}

std::size_t count_nonzero(const Log& log) { return std::get<0>(size_key(log)); }

class Shrinker {
 public:
  Shrinker(SimConfig config, std::string invariant_name, std::size_t replays_max)
      : config_(config), invariant_(std::move(invariant_name)), replays_max_(replays_max) {}

  // Replays `candidate`; on the same violation with a smaller log (as actually used), reached in no more
  // steps and told in no more lines (a shrunk timeline is never longer than its input), adopts it.
  bool attempt(const Log& candidate) {
    if (replays_ >= replays_max_) return false;
    ++replays_;
    Trace trace;
    SimConfig config = config_;
    RunOutput output = run_decisions(config, candidate, trace);
    if (!output.result.violation || output.result.violation->invariant != invariant_) return false;
    if (output.result.violation->step > violation_.step || trace.shown_lines() > lines_) return false;
    if (!(size_key(output.decisions) < size_key(best_))) return false;
    lines_ = trace.shown_lines();
    best_ = std::move(output.decisions);
    violation_ = *output.result.violation;
    // Nothing after the violation step matters: later runs of the candidate may stop there.
    config_.steps_max = std::max<std::uint64_t>(1, output.result.steps);
    return true;
  }

  bool exhausted() const { return replays_ >= replays_max_; }

  Log best_;
  Violation violation_;
  std::size_t lines_ = 0;  // the best's timeline
  SimConfig config_;
  std::string invariant_;
  std::size_t replays_max_;
  std::size_t replays_ = 0;
};
}  // namespace

Result<ShrinkResult, std::string> shrink(const Scenario& failing, std::size_t replays_max) {
  Trace trace;
  RunOutput original = run_decisions(failing.config, failing.decisions, trace);
  if (!original.result.violation) return tether::fail(std::string("the scenario does not violate any invariant"));
  Shrinker shrinker(failing.config, original.result.violation->invariant, replays_max);
  shrinker.best_ = original.decisions;
  shrinker.lines_ = trace.shown_lines();
  shrinker.violation_ = *original.result.violation;
  shrinker.config_.steps_max = std::max<std::uint64_t>(1, original.result.steps);

  ShrinkResult result;
  result.decisions_before = original.decisions.size();
  result.nonzero_before = count_nonzero(original.decisions);
  result.steps_before = original.result.steps;
  result.lines_before = shrinker.lines_;

  // Passes repeat until one makes no progress; each is bounded by the log length and the replay budget.
  for (int round = 0; round < 32 && !shrinker.exhausted(); ++round) {
    bool progressed = false;
    for (std::size_t chunk = std::max<std::size_t>(1, shrinker.best_.size() / 2); chunk >= 1; chunk /= 2) {
      for (std::size_t start = 0; start < shrinker.best_.size() && !shrinker.exhausted(); start += chunk) {
        Log zeroed = shrinker.best_;
        const std::size_t end = std::min(zeroed.size(), start + chunk);
        if (std::all_of(zeroed.begin() + static_cast<std::ptrdiff_t>(start),
                        zeroed.begin() + static_cast<std::ptrdiff_t>(end), [](std::uint32_t v) { return v == 0; })) {
          continue;
        }
        std::fill(zeroed.begin() + static_cast<std::ptrdiff_t>(start),
                  zeroed.begin() + static_cast<std::ptrdiff_t>(end), 0);
        progressed = shrinker.attempt(zeroed) || progressed;
      }
      if (chunk == 1) break;
    }
    for (std::size_t chunk = std::max<std::size_t>(1, shrinker.best_.size() / 2); chunk >= 1; chunk /= 2) {
      for (std::size_t start = 0; start < shrinker.best_.size() && !shrinker.exhausted(); start += chunk) {
        Log removed = shrinker.best_;
        const std::size_t end = std::min(removed.size(), start + chunk);
        removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(start),
                      removed.begin() + static_cast<std::ptrdiff_t>(end));
        progressed = shrinker.attempt(removed) || progressed;
      }
      if (chunk == 1) break;
    }
    for (std::size_t index = 0; index < shrinker.best_.size() && !shrinker.exhausted(); ++index) {
      if (shrinker.best_[index] <= 1) continue;
      Log halved = shrinker.best_;
      halved[index] /= 2;
      progressed = shrinker.attempt(halved) || progressed;
    }
    if (!progressed) break;
  }

  // Trailing zeros say nothing: a log that runs out continues with 0.
  while (!shrinker.best_.empty() && shrinker.best_.back() == 0) shrinker.best_.pop_back();
  result.scenario = failing;
  result.scenario.config = shrinker.config_;
  result.scenario.decisions = shrinker.best_;
  result.scenario.violation = shrinker.violation_;
  result.replays = shrinker.replays_;
  result.decisions_after = shrinker.best_.size();
  result.nonzero_after = count_nonzero(shrinker.best_);
  result.steps_after = shrinker.violation_.step;
  result.lines_after = shrinker.lines_;
  return result;
}

}  // namespace tether::sim
