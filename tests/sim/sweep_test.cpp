// Goal: our protocol survives a swarm sweep with every invariant and reaches every listed situation,
// while the seed's design fails the same sweep both ways the issue names. Method: run_sweep over fixed
// seed ranges (deterministic, so the expectations are exact); CI runs a larger sweep with the binary.
#include <gtest/gtest.h>

#include <algorithm>

#include "sweep.hpp"

namespace tether::sim {
namespace {

SweepOptions sweep_of(Protocol protocol, std::uint64_t seeds) {
  SweepOptions options;
  options.config.protocol = protocol;
  options.seeds = seeds;
  options.determinism_every = 50;
  options.coverage_seeds_min = seeds;
  return options;
}

bool found(const SweepSummary& summary, std::string_view invariant_name) {
  return std::any_of(summary.failures.begin(), summary.failures.end(),
                     [&](const SweepFailure& failure) { return failure.violation.invariant == invariant_name; });
}

TEST(SimSweep, TetherProtocolPassesWithFullCoverage) {
  const SweepSummary summary = run_sweep(sweep_of(Protocol::tether, 10000));
  EXPECT_EQ(summary.seeds_run, 10000u);
  for (const SweepFailure& failure : summary.failures) {
    ADD_FAILURE() << "seed " << failure.seed << ": " << failure.violation.invariant << ": " << failure.violation.detail;
  }
  EXPECT_TRUE(summary.nondeterminism.empty()) << summary.nondeterminism.front();
  EXPECT_TRUE(summary.missing_situations.empty()) << "never reached: " << summary.missing_situations.front();
  EXPECT_TRUE(summary.passed());
  // The liveness checkpoints must actually be reached, not skipped for want of steps.
  EXPECT_LT(summary.liveness_skipped, summary.seeds_run / 100);
  EXPECT_GT(summary.segment_ops, summary.seeds_run * 20);
}

TEST(SimSweep, SeedProtocolLosesTheShutdownAndTrustsStalePids) {
  const SweepSummary summary = run_sweep(sweep_of(Protocol::seed, 1000));
  EXPECT_FALSE(summary.passed());
  EXPECT_TRUE(found(summary, "shutdown_lost"));
  // Stale pid: adopting a stranger (watching it) or signalling one.
  EXPECT_TRUE(found(summary, "adoption_failed") || found(summary, "foreign_signal"));
  EXPECT_TRUE(summary.nondeterminism.empty());
}

TEST(SimSweep, SeedProtocolLostShutdownIsFoundQuickly) {
  SweepOptions options = sweep_of(Protocol::seed, 2000);
  options.stop_at_first = true;
  const SweepSummary summary = run_sweep(options);
  ASSERT_FALSE(summary.failures.empty());
  ASSERT_TRUE(summary.first_failure_s.has_value());
  EXPECT_LT(*summary.first_failure_s, 1.0);
}

TEST(SimSweep, ParallelSweepFindsTheSameFailuresAsSerial) {
  SweepOptions serial = sweep_of(Protocol::seed, 300);
  SweepOptions parallel = serial;
  parallel.jobs = 3;
  const SweepSummary a = run_sweep(serial);
  const SweepSummary b = run_sweep(parallel);
  ASSERT_EQ(a.failures.size(), b.failures.size());
  for (std::size_t i = 0; i < a.failures.size(); ++i) {
    EXPECT_EQ(a.failures[i].seed, b.failures[i].seed);
    EXPECT_EQ(a.failures[i].violation.invariant, b.failures[i].violation.invariant);
  }
  EXPECT_EQ(a.steps, b.steps);
}

}  // namespace
}  // namespace tether::sim
