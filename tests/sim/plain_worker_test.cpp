// Goal: plain workers (issue 8: programs that never register and ignore the segment) are part of the
// simulated world, our protocol keeps every invariant with them, and the invariants still have teeth
// there. Method: per-seed runs of fixed seed ranges (deterministic, so the counts are exact facts of
// the swarm), selecting the seeds in which plain workers ran; planted bugs whose failures name one.
#include <gtest/gtest.h>

#include <string>

#include "runner.hpp"
#include "sweep.hpp"

namespace tether::sim {
namespace {

std::uint64_t count(const RunResult& result, Situation situation) {
  return result.coverage[static_cast<std::size_t>(situation)];
}

bool ran_plain_workers(const RunResult& result) {
  return count(result, Situation::plain_worker_detected) + count(result, Situation::plain_worker_stopped_by_signal) +
             count(result, Situation::plain_worker_adopted) + count(result, Situation::plain_worker_self_exit) >
         0;
}

TEST(SimPlainWorkers, SweepOfSeedsWithPlainWorkersHasNoViolation) {
  SimConfig config;
  std::uint64_t plain_seeds = 0;
  std::uint64_t stopped_by_signal = 0;
  std::uint64_t adopted = 0;
  std::uint64_t liveness_checked = 0;
  for (std::uint64_t seed = 1; seed <= 4000; ++seed) {
    Trace trace;
    const RunOutput output = run_seed(config, seed, trace);
    if (!ran_plain_workers(output.result)) continue;
    ++plain_seeds;
    if (output.result.liveness_checked) ++liveness_checked;
    stopped_by_signal += count(output.result, Situation::plain_worker_stopped_by_signal);
    adopted += count(output.result, Situation::plain_worker_adopted);
    if (output.result.violation.has_value()) {
      ADD_FAILURE() << "seed " << seed << ": " << output.result.violation->invariant << ": "
                    << output.result.violation->detail;
    }
  }
  // A quarter of the seeds launch only plain workers and a quarter mix them in: well over a thousand.
  EXPECT_GT(plain_seeds, 1000u);
  EXPECT_GT(liveness_checked, plain_seeds * 99 / 100);  // the checkpoints were reached, not skipped
  EXPECT_GT(stopped_by_signal, 100u);
  EXPECT_GT(adopted, 10u);
}

TEST(SimPlainWorkers, EveryPlainWorkerSituationOccursInASweep) {
  SweepOptions options;
  options.seeds = 3000;
  options.determinism_every = 50;
  const SweepSummary summary = run_sweep(options);
  EXPECT_TRUE(summary.passed());
  for (const Situation situation :
       {Situation::plain_worker_detected, Situation::plain_worker_adopted, Situation::plain_worker_stopped_by_signal,
        Situation::plain_worker_sigkill_escalation, Situation::plain_worker_self_exit, Situation::launch_abandoned}) {
    EXPECT_GT(summary.coverage[static_cast<std::size_t>(situation)], 0u) << situation_name(situation);
  }
}

// The invariants' plain-worker definitions catch real bugs: two controllers without the lock run two
// plain workers at once (duplicate_listener counts unregistered workers too), and a lost escalation
// leaves a plain worker running after the shutdown (shutdown_stuck).
bool caught_naming_plain_worker(Mutant mutant, std::string_view invariant_name) {
  SweepOptions options;
  options.config.mutant = mutant;
  options.seeds = 3000;
  options.determinism_every = 0;
  options.coverage_seeds_min = options.seeds + 1;
  const SweepSummary summary = run_sweep(options);
  for (const SweepFailure& failure : summary.failures) {
    if (failure.violation.invariant == invariant_name && failure.violation.detail.find("plain#") != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(SimPlainWorkers, DuplicatePlainWorkersAreCaught) {
  EXPECT_TRUE(caught_naming_plain_worker(Mutant::no_controller_lock, "duplicate_listener"));
}

TEST(SimPlainWorkers, PlainWorkerLeftRunningIsCaught) {
  EXPECT_TRUE(caught_naming_plain_worker(Mutant::escalation_lost, "shutdown_stuck"));
}

}  // namespace
}  // namespace tether::sim
