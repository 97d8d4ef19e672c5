#pragma once
// Every nondeterministic choice of a simulated run goes through one Decisions object. Recording draws
// from the seeded PRNG and logs the value; replaying reads the log back, so a scenario file replays
// exactly without depending on the PRNG's internals, and the shrinker and the explorer can edit or
// enumerate the log directly. By convention 0 is the benign choice (no fault, the first candidate, the
// shortest duration), and a log that runs out continues with 0.
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace tether::sim {

// std::mt19937_64 is specified bit for bit; std::uniform_int_distribution is not, so we reduce ourselves.
class Prng {
 public:
  explicit Prng(std::uint64_t seed) : engine_(seed) {}
  // Uniform in [0, bound); bound >= 1.
  std::uint64_t below(std::uint64_t bound);

 private:
  std::mt19937_64 engine_;
};

class Decisions {
 public:
  static Decisions recording(std::uint64_t seed);
  static Decisions replaying(std::vector<std::uint32_t> log);

  // A value in [0, range). A range of 0 or 1 is no choice: it returns 0 and is not logged.
  std::uint32_t choose(std::uint32_t range);
  // A value in [0, range) that a scheduling policy (PCT) picked: logged as if drawn, so that a replay
  // reads it back like any other choice (and an edited log overrides it).
  std::uint32_t choose_picked(std::uint32_t range, std::uint32_t picked);
  // True with probability per_million / 1e6; logged only when the outcome is not certain.
  bool chance(std::uint32_t per_million);
  // A value in [low, high].
  std::uint32_t between(std::uint32_t low, std::uint32_t high);

  // The values this run actually used, and the range each was chosen from (for the explorer).
  [[nodiscard]] const std::vector<std::uint32_t>& taken() const { return taken_; }
  [[nodiscard]] const std::vector<std::uint32_t>& ranges() const { return ranges_; }
  // The seed a recording draws from; none when replaying (a replay makes no choice of its own).
  [[nodiscard]] std::optional<std::uint64_t> recording_seed() const {
    return replay_ ? std::nullopt : std::optional<std::uint64_t>(seed_);
  }

  static constexpr std::uint32_t per_million = 1'000'000;

 private:
  Decisions(bool replay, std::uint64_t seed, std::vector<std::uint32_t> log);

  bool replay_;
  std::uint64_t seed_;
  Prng prng_;
  std::vector<std::uint32_t> log_;
  std::vector<std::uint32_t> taken_;
  std::vector<std::uint32_t> ranges_;
};

}  // namespace tether::sim
