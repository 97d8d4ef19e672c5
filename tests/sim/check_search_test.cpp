// Goal: the search behind `tether-sim check` (sim/state_search.cpp) explores exactly the states of a
// system, prunes what it has seen, respects its deviation bound and budgets, finds a violation on a
// shortest path and a cycle as a lasso that really returns to its state. Method: small hand-made
// systems whose state and transition counts are known by counting, driven through the Prober
// interface the simulated world uses.
#include <gtest/gtest.h>

#include <optional>

#include "state_search.hpp"

namespace tether::sim {
namespace {

Fingerprint print_of(std::uint64_t a, std::uint64_t b) { return {a * 1000 + b, b * 1000 + a}; }

// Two counters a and b from 0 to `top`; a decision picks which one steps (0: a, 1: b) whenever both
// can. Frontier states are those where both can step, (a, b) with a, b < top: top^2 of them. The run
// that steps a counter to `top` goes on with the other alone to the end, without a decision.
struct Grid {
  std::uint32_t top = 3;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> bad;  // a state whose reaching is a violation
  // Effects for the reduction: counter a is process 1, b process 2; each writes its own field (0, 1),
  // or, when `shared_field`, both write field 0 and no two steps commute.
  bool effects = false;
  bool shared_field = false;

  [[nodiscard]] TransitionEffect effect_of(std::uint32_t value) const {
    TransitionEffect effect;
    effect.pure = true;
    const std::uint64_t field = shared_field || value == 0 ? 1 : 2;
    effect.reads = field;
    effect.writes = field;
    effect.actors = {value + 1};
    return effect;
  }

  Probe operator()(const std::vector<std::uint32_t>& prefix) const {
    Probe probe;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    // Each iteration steps a counter: at most 2 * top of them.
    while (a < top || b < top) {
      if (bad && a == bad->first && b == bad->second) {
        probe.violation = true;
        return probe;
      }
      if (a < top && b < top) {
        if (probe.decisions.size() == prefix.size()) {
          probe.frontier = Frontier{print_of(a, b), 2, {}};
          if (effects) {
            probe.frontier->ready = {1, 2};
            if (!prefix.empty()) probe.effect = effect_of(prefix.back());
          }
          return probe;
        }
        const std::uint32_t value = prefix[probe.decisions.size()];
        probe.decisions.push_back(value);
        probe.ranges.push_back(2);
        (value == 0 ? a : b) += 1;
      } else {
        (a < top ? a : b) += 1;
      }
    }
    return probe;
  }
};

TEST(SimCheckSearch, ExploresEveryStateOfAGridOnceAndPrunesTheRest) {
  const Grid grid;
  const SearchOutcome outcome = search(grid, SearchBounds{});
  EXPECT_TRUE(outcome.stats.complete);
  EXPECT_FALSE(outcome.violation.has_value());
  EXPECT_FALSE(outcome.lasso.has_value());  // every path ends
  // top^2 states; one run for the start and two per state; the 2 * top runs that step a counter to its
  // end reach no state; the others reach one, all but the top^2 first visits being revisits.
  EXPECT_EQ(outcome.stats.states, 9u);
  EXPECT_EQ(outcome.stats.transitions, 19u);
  EXPECT_EQ(outcome.stats.revisits, 19u - 6u - 9u);
  EXPECT_EQ(outcome.stats.edges, 19u - 6u - 1u);  // every run that reaches a state, but the start's
  EXPECT_EQ(outcome.stats.max_depth, 5u);  // (2, 2) is four decisions from (0, 0); the runs from it are the fifth level
  EXPECT_EQ(outcome.stats.reexpansions, 0u);  // every route to (a, b) deviates b times: none is cheaper
}

// Sleep sets on the grid: the two counters' steps commute, so each state is still reached (by one
// order), fewer transitions are run, and a violation anywhere is still found. With both writing one
// field nothing commutes and the search is the unreduced one.
TEST(SimCheckSearch, TheReductionRunsFewerTransitionsToTheSameStates) {
  Grid grid{4, std::nullopt, true, false};
  SearchBounds bounds;
  bounds.reduction = true;
  const SearchOutcome reduced = search(grid, bounds);
  const SearchOutcome whole = search(grid, SearchBounds{});
  EXPECT_TRUE(reduced.stats.complete);
  EXPECT_EQ(reduced.stats.states, whole.stats.states);
  EXPECT_EQ(reduced.stats.states, 16u);
  EXPECT_LT(reduced.stats.transitions, whole.stats.transitions);
  EXPECT_GT(reduced.stats.slept, 0u);
  EXPECT_FALSE(reduced.stats.liveness_judged);  // a reduced graph says nothing of cycles
  EXPECT_TRUE(whole.stats.liveness_judged);
  for (std::uint32_t a = 0; a < grid.top; ++a) {
    for (std::uint32_t b = 0; b < grid.top; ++b) {
      grid.bad = std::make_pair(a, b);
      EXPECT_TRUE(search(grid, bounds).violation.has_value()) << a << "," << b;
    }
  }
  grid.bad.reset();
  grid.shared_field = true;
  const SearchOutcome dependent = search(grid, bounds);
  EXPECT_EQ(dependent.stats.transitions, whole.stats.transitions);
  EXPECT_EQ(dependent.stats.slept, 0u);
}

TEST(SimCheckSearch, IndependenceNeedsPureStepsOfOthersOnOtherFields) {
  TransitionEffect a{true, 0b01, 0b01, {1}};
  TransitionEffect b{true, 0b10, 0b10, {2}};
  EXPECT_TRUE(independent(a, b));
  EXPECT_TRUE(independent(b, a));
  TransitionEffect reader{true, 0b01, 0, {2}};  // reads what a writes
  EXPECT_FALSE(independent(a, reader));
  EXPECT_FALSE(independent(reader, a));
  TransitionEffect both_read{true, 0b11, 0, {3}};
  EXPECT_TRUE(independent(reader, both_read));  // two readers commute
  TransitionEffect same_actor{true, 0b10, 0b10, {1}};
  EXPECT_FALSE(independent(a, same_actor));
  b.pure = false;
  EXPECT_FALSE(independent(a, b));
}

TEST(SimCheckSearch, TheDeviationBoundLimitsThePaths) {
  const Grid grid;
  SearchBounds bounds;
  bounds.depth = 0;  // always a: (0,0), (1,0), (2,0)
  EXPECT_EQ(search(grid, bounds).stats.states, 3u);
  bounds.depth = 1;  // plus one step of b anywhere: (0,1), (1,1), (2,1)
  EXPECT_EQ(search(grid, bounds).stats.states, 6u);
}

TEST(SimCheckSearch, AViolationIsFoundOnAShortestPath) {
  Grid grid;
  grid.bad = std::make_pair(1u, 1u);
  const SearchOutcome outcome = search(grid, SearchBounds{});
  ASSERT_TRUE(outcome.violation.has_value());
  // Two steps, one of each counter: the shortest route to (1, 1).
  EXPECT_EQ(outcome.violation->size(), 2u);
  EXPECT_EQ((*outcome.violation)[0] + (*outcome.violation)[1], 1u);
  EXPECT_FALSE(outcome.lasso.has_value());
}

TEST(SimCheckSearch, BudgetsMakeItIncomplete) {
  const Grid grid{10, std::nullopt};
  SearchBounds bounds;
  bounds.states_max = 5;
  const SearchOutcome outcome = search(grid, bounds);
  EXPECT_FALSE(outcome.stats.complete);
  EXPECT_EQ(outcome.stats.states, 5u);
  EXPECT_NE(outcome.stats.incomplete_reason.find("--states-max"), std::string::npos);
  EXPECT_FALSE(outcome.lasso.has_value());  // looked for only in a complete graph
}

// A counter from 0 to `top` where a decision either steps it (0) or resets it to 0 (1): every state
// lies on a cycle, so the search must report a lasso; the paths that never reset end.
struct ResettingCounter {
  std::uint32_t top = 3;

  // The counter after running `decisions` from the start (without stopping at a frontier).
  [[nodiscard]] std::uint32_t after(const std::vector<std::uint32_t>& decisions) const {
    std::uint32_t counter = 0;
    for (const std::uint32_t value : decisions) counter = value == 0 ? counter + 1 : 0;
    return counter;
  }

  Probe operator()(const std::vector<std::uint32_t>& prefix) const {
    Probe probe;
    std::uint32_t counter = 0;
    // Each iteration takes one decision of the prefix or stops: at most prefix.size() + 1.
    while (counter < top) {
      if (probe.decisions.size() == prefix.size()) {
        probe.frontier = Frontier{print_of(counter, 77), 2, {}};
        return probe;
      }
      const std::uint32_t value = prefix[probe.decisions.size()];
      probe.decisions.push_back(value);
      probe.ranges.push_back(2);
      counter = value == 0 ? counter + 1 : 0;
    }
    return probe;
  }
};

TEST(SimCheckSearch, ACycleIsReportedAsALassoThatReturnsToItsState) {
  const ResettingCounter counter;
  const SearchOutcome outcome = search(counter, SearchBounds{});
  EXPECT_TRUE(outcome.stats.complete);
  EXPECT_EQ(outcome.stats.states, 3u);
  ASSERT_TRUE(outcome.lasso.has_value());
  ASSERT_FALSE(outcome.lasso->cycle.empty());
  std::vector<std::uint32_t> around = outcome.lasso->prefix;
  around.insert(around.end(), outcome.lasso->cycle.begin(), outcome.lasso->cycle.end());
  EXPECT_EQ(counter.after(around), counter.after(outcome.lasso->prefix));
  // And twice around too.
  around.insert(around.end(), outcome.lasso->cycle.begin(), outcome.lasso->cycle.end());
  EXPECT_EQ(counter.after(around), counter.after(outcome.lasso->prefix));
}

// Decisions drawn inside a step (here: whether it moves 2 or 3, drawn after the scheduler's choice,
// which changes nothing) are branched on as other outcomes of the same transition. Without that branch
// the frontiers would be positions 2 and 4 only; with it, 2, 3, 4 and 5 (6 and 7 end the run).
struct InnerChoice {
  Probe operator()(const std::vector<std::uint32_t>& prefix) const {
    Probe probe;
    auto take = [&](std::uint32_t range) {
      const std::uint32_t value = probe.decisions.size() < prefix.size() ? prefix[probe.decisions.size()] : 0;
      probe.decisions.push_back(value);
      probe.ranges.push_back(range);
      return value;
    };
    std::uint32_t position = 0;
    // Each iteration moves at least 2: at most 3 of them.
    while (position < 6) {
      if (position > 0 && probe.decisions.size() >= prefix.size()) {
        probe.frontier = Frontier{print_of(position, 5), 2, {}};
        return probe;
      }
      take(2);
      position += 2 + take(2);
    }
    return probe;
  }
};

TEST(SimCheckSearch, DecisionsInsideAStepAreBranchedOn) {
  const SearchOutcome outcome = search(InnerChoice{}, SearchBounds{});
  EXPECT_TRUE(outcome.stats.complete);
  EXPECT_EQ(outcome.stats.states, 4u);
}

// A state reached first by a long path (a deviation, then decisions inside the step) and then again by a
// shorter one with no deviation is expanded again; its successors' paths start at the shorter path's
// end, not the first one's (the search once took the first path's length and underflowed, found when
// switching the launch gate off). Start --1--> five forced decisions --> X; start --0--> Y --0--> X;
// X --1--> X for ever, X --0--> end; Y --1--> end.
struct Reexpanded {
  static constexpr std::uint64_t start = 0;
  static constexpr std::uint64_t y = 1;
  static constexpr std::uint64_t x = 2;

  Probe operator()(const std::vector<std::uint32_t>& prefix) const {
    Probe probe;
    auto draw = [&](std::uint32_t range) {
      const std::uint32_t value = probe.decisions.size() < prefix.size() ? prefix[probe.decisions.size()] : 0;
      probe.decisions.push_back(value);
      probe.ranges.push_back(range);
      return value;
    };
    std::uint64_t state = start;
    // Each iteration takes one frontier decision; the prefix is finite, so a path ends or stops at a frontier.
    for (std::size_t iteration = 0; iteration <= prefix.size(); ++iteration) {
      if (probe.decisions.size() == prefix.size()) {
        probe.frontier = Frontier{print_of(state, 7), 2, {}};
        return probe;
      }
      const std::uint32_t value = draw(2);
      if (state == start && value == 1) {
        for (int forced = 0; forced < 5; ++forced) draw(1);
        state = x;
      } else if (state == start) {
        state = y;
      } else if (value == 1 && state == y) {
        return probe;
      } else if (state == y) {
        state = x;
      } else if (value == 0) {
        return probe;  // from x
      }
    }
    return probe;
  }
};

TEST(SimCheckSearch, AStateReachedAgainByAShorterPathIsExpandedFromThatPath) {
  const Reexpanded system;
  const SearchOutcome outcome = search(system, SearchBounds{});
  EXPECT_TRUE(outcome.stats.complete);
  EXPECT_EQ(outcome.stats.states, 3u);
  EXPECT_EQ(outcome.stats.reexpansions, 1u);
  ASSERT_TRUE(outcome.lasso.has_value());
  // The lasso's prefix reaches x, and the cycle from there returns to x.
  const Probe reached = system(outcome.lasso->prefix);
  ASSERT_TRUE(reached.frontier.has_value());
  EXPECT_EQ(reached.frontier->fingerprint, print_of(Reexpanded::x, 7));
  std::vector<std::uint32_t> around = outcome.lasso->prefix;
  around.insert(around.end(), outcome.lasso->cycle.begin(), outcome.lasso->cycle.end());
  const Probe returned = system(around);
  ASSERT_TRUE(returned.frontier.has_value());
  EXPECT_EQ(returned.frontier->fingerprint, print_of(Reexpanded::x, 7));
  EXPECT_EQ(outcome.lasso->cycle, std::vector<std::uint32_t>{1});
}

}  // namespace
}  // namespace tether::sim
