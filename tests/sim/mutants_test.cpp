// Goal: the harness proves it finds bugs, not only that it finds none. Method: every planted bug must
// be caught within a fixed number of seeds; the budget is fixed so that CI fails when a change to the
// simulator (or the core) makes a planted bug invisible.
#include <gtest/gtest.h>

#include <ostream>

#include "sweep.hpp"

namespace tether::sim {
// Names the parameter in test output instead of printing its bytes.
inline void PrintTo(Mutant mutant, std::ostream* out) { *out << mutant_name(mutant); }
}  // namespace tether::sim

namespace tether::sim {
namespace {

constexpr std::uint64_t seeds_per_mutant = 3000;

class SimMutant : public testing::TestWithParam<Mutant> {};

TEST_P(SimMutant, IsCaughtWithinTheSeedBudget) {
  SweepOptions options;
  options.config.mutant = GetParam();
  options.seeds = seeds_per_mutant;
  options.stop_at_first = true;
  options.determinism_every = 0;
  const SweepSummary summary = run_sweep(options);
  ASSERT_FALSE(summary.failures.empty()) << mutant_name(GetParam()) << " survived " << seeds_per_mutant << " seeds";
  const SweepFailure& first = summary.failures.front();
  EXPECT_FALSE(first.violation.invariant.empty());
  RecordProperty("first_seed", std::to_string(first.seed));
  RecordProperty("invariant", first.violation.invariant);
}

TEST(SimMutantList, NamesRoundTrip) {
  for (const Mutant mutant : all_mutants) {
    EXPECT_EQ(parse_mutant(mutant_name(mutant)), mutant);
  }
  EXPECT_EQ(parse_mutant("no_such_bug"), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(All, SimMutant, testing::ValuesIn(all_mutants),
                         [](const testing::TestParamInfo<Mutant>& param_info) {
                           return std::string(mutant_name(param_info.param));
                         });

}  // namespace
}  // namespace tether::sim
