#pragma once
// Scenario files: the protocol, mutant, configuration, seed and the decision log of one run, as JSON.
// The log makes replay exact and independent of the PRNG; the seed is kept for people. A file that is
// not a valid scenario is refused with a message (the CLI exits 65), never with a crash.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sim_config.hpp"
#include "world.hpp"

namespace tether::sim {

struct Scenario {
  SimConfig config;
  std::uint64_t seed = 0;
  std::vector<std::uint32_t> decisions;
  std::optional<Violation> violation;  // what the run violated when it was recorded
};

std::string scenario_to_json(const Scenario& scenario);
Result<Scenario, std::string> scenario_from_json(const std::string& text);
Result<Scenario, std::string> load_scenario(const std::string& path);
Result<Unit, std::string> save_scenario(const std::string& path, const Scenario& scenario);

}  // namespace tether::sim
