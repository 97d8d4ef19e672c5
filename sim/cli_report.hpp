#pragma once
// How tether-sim prints a sweep's summary: text for people, one JSON object for scripts.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sweep.hpp"

namespace tether::sim {

// Scenario file written for each failure, in summary.failures order ("" when none was written).
using ScenarioPaths = std::vector<std::string>;

std::string summary_text(const SweepSummary& summary, const ScenarioPaths& paths);
nlohmann::json summary_json(const SweepSummary& summary, const ScenarioPaths& paths);

}  // namespace tether::sim
