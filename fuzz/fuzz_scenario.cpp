// Scenario-file parsing (sim/scenario.hpp) over arbitrary bytes: the parser never crashes, and either
// refuses the text with a message or returns a scenario that survives a save and a reload unchanged
// (same fields, and the saved text is a fixed point). The seeds are valid scenario files, so mutation
// starts from the JSON grammar and the format's keys rather than from noise.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "scenario.hpp"

namespace {

using tether::sim::Scenario;

bool same_scenario(const Scenario& a, const Scenario& b) {
  const bool same_config = a.config.protocol == b.config.protocol && a.config.mutant == b.config.mutant &&
                           a.config.pid_count == b.config.pid_count && a.config.steps_max == b.config.steps_max &&
                           a.config.fault_phase_ms == b.config.fault_phase_ms && a.config.explore == b.config.explore &&
                           a.config.crash_budget == b.config.crash_budget;
  const bool same_violation =
      a.violation.has_value() == b.violation.has_value() &&
      (!a.violation || (a.violation->invariant == b.violation->invariant && a.violation->step == b.violation->step &&
                        a.violation->time_ns == b.violation->time_ns && a.violation->detail == b.violation->detail));
  return same_config && same_violation && a.seed == b.seed && a.decisions == b.decisions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto parsed = tether::sim::scenario_from_json(text);
  if (!parsed) {
    TETHER_FUZZ_CHECK(!parsed.error().empty(), "a refused scenario says why");
    return 0;
  }
  TETHER_FUZZ_CHECK(!parsed.value().config.problem().has_value(), "an accepted scenario has a valid configuration");
  const std::string saved = tether::sim::scenario_to_json(parsed.value());
  const auto reloaded = tether::sim::scenario_from_json(saved);
  TETHER_FUZZ_CHECK(reloaded.ok(), "a saved scenario loads again");
  TETHER_FUZZ_CHECK(same_scenario(parsed.value(), reloaded.value()), "a scenario round-trips field by field");
  TETHER_FUZZ_CHECK(tether::sim::scenario_to_json(reloaded.value()) == saved, "the saved text is a fixed point");
  return 0;
}
