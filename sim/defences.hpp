#pragma once
// The defences `tether-sim check --defence-off NAME` switches off (core/defences.hpp), by name. Names
// are a table with a name function, like the mutants'.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/defences.hpp"

namespace tether::sim {

inline constexpr std::array<Defence, defence_count> all_defences = {
    Defence::launch_gate,    Defence::incarnation_check,    Defence::generation_withdraw,
    Defence::claim_liveness, Defence::registration_recheck,
};

constexpr std::string_view defence_name(Defence defence) {
  switch (defence) {
    case Defence::launch_gate: return "launch_gate";
    case Defence::incarnation_check: return "incarnation_check";
    case Defence::generation_withdraw: return "generation_withdraw";
    case Defence::claim_liveness: return "claim_liveness";
    case Defence::registration_recheck: return "registration_recheck";
  }
  return "invalid";
}

constexpr std::optional<Defence> parse_defence(std::string_view name) {
  for (const Defence defence : all_defences) {
    if (defence_name(defence) == name) return defence;
  }
  return std::nullopt;
}

// Every defence in the set, in the table's order.
inline std::vector<std::string_view> defence_names(DefenceSet set) {
  std::vector<std::string_view> names;
  for (const Defence defence : all_defences) {
    if (defence_in(set, defence)) names.push_back(defence_name(defence));
  }
  return names;
}

// All defences, every bit set: the world with nothing but the one a test keeps.
inline constexpr DefenceSet all_defences_set = static_cast<DefenceSet>((1U << defence_count) - 1);

}  // namespace tether::sim
