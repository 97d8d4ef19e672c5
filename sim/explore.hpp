#pragma once
// Stateless model checking for a small fixed world (SimConfig::explore): every decision sequence whose
// first `depth` choices vary (later ones take the default), by re-execution, with iterative deepening so
// that the first violation found has the shortest decision prefix; among those, the fewest steps.
#include <cstdint>
#include <optional>

#include "scenario.hpp"

namespace tether::sim {

struct ExploreOptions {
  SimConfig config;
  std::uint32_t depth = 8;
  std::uint64_t runs_max = 2'000'000;
};

struct ExploreResult {
  std::uint64_t runs = 0;
  std::uint32_t depth_searched = 0;  // the deepest bound fully enumerated (or where it stopped)
  bool complete = true;              // false when runs_max cut the search short
  std::optional<Scenario> shortest;  // the shortest violating scenario, if any
};

ExploreResult explore(const ExploreOptions& options);

}  // namespace tether::sim
