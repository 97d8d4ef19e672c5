#pragma once
// A declared machine's transitions as one bit per destination for each source phase. The cores check
// every phase change in release builds too, and a scan of the transition table there cost as much as
// the steps themselves (bench_assert_cost); both machines (controller_phases.cpp, listener_phases.cpp)
// build their matrix here from their own table at compile time.
#include <array>
#include <cstddef>
#include <cstdint>

namespace tether {

template <std::size_t phase_count, class Transition, std::size_t transition_count>
constexpr std::array<std::uint64_t, phase_count> transition_bits(const Transition (&transitions)[transition_count]) {
  static_assert(phase_count <= 64, "one bit per phase");
  std::array<std::uint64_t, phase_count> bits{};
  for (const Transition& t : transitions) {
    bits[static_cast<std::size_t>(t.from)] |= std::uint64_t{1} << static_cast<unsigned>(t.to);
  }
  return bits;
}

template <std::size_t phase_count, class Phase>
constexpr bool transition_declared(const std::array<std::uint64_t, phase_count>& bits, Phase from, Phase to) {
  return ((bits[static_cast<std::size_t>(from)] >> static_cast<unsigned>(to)) & 1U) != 0;
}

}  // namespace tether
