#pragma once
// Findings, not seeds: many failing seeds of one bug are one finding. Each failure is shrunk (with a
// bounded replay budget) and replayed; its signature is a hash of the invariant and of the set of the
// last protocol events before the violation in the shrunk run, written without seeds, pids, times or
// serial numbers ("controller: event shutdown_requested", "listener: SIGTERM handler calls exit() (exit )").
// A set, because the order in which two processes' steps interleave varies from seed to seed.
// Failures with the same invariant and signature form one finding, represented by its shortest shrunk
// scenario (fewest steps; among equals the lowest seed), with a count. Classifying and grouping are
// deterministic, and grouping is order-independent, so shards' findings merge into a single run's.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "scenario.hpp"
#include "sweep.hpp"

namespace tether::sim {

// The window of events a signature hashes: enough to tell a lost shutdown from a torn unit, few enough
// that the noise a bounded shrink leaves earlier in the run (an extra controller started and refused)
// does not split one bug into many findings.
inline constexpr std::size_t signature_events_max = 5;
// Replays spent shrinking each failure before it is classified (`tether-sim shrink` uses 4000): a
// failure costs about 0.1 s in a Debug build at this budget, a few ms optimised.
inline constexpr std::size_t classify_replays_max = 400;

struct Finding {
  std::string invariant;
  std::string signature;            // 16 hex digits
  std::vector<std::string> events;  // what the signature hashes, for people
  std::uint64_t count = 0;          // failing seeds in the group
  std::uint64_t first_seed = 0;     // the lowest of them
  Scenario shortest;                // shrunk; replays to the violation
  std::uint64_t steps = 0;          // its violation's step
};

// The normalised protocol events of a replayed failing scenario, the last signature_events_max of them.
std::vector<std::string> signature_events(const Scenario& shrunk);
std::string signature_of(std::string_view invariant, const std::vector<std::string>& events);

// Shrinks and classifies every failure of a sweep over `jobs` threads, and groups them.
std::vector<Finding> classify_failures(const SimConfig& config, const std::vector<SweepFailure>& failures,
                                       unsigned jobs, std::size_t replays_max = classify_replays_max);

// Groups findings with equal invariant and signature (counts add, the shortest scenario and the lowest
// seed win); the result is sorted by invariant, then signature, whatever the input order.
std::vector<Finding> group_findings(std::vector<Finding> findings);

// Writes one replayable scenario file per finding into `directory` (created if needed), named
// <protocol>[-<mutant>]-<invariant>-<signature>.json, with a "finding" object (count, first seed,
// events) next to the scenario's fields; and the first failure of every invariant, unshrunk, as
// <protocol>[-<mutant>]-first-<invariant>-seed<N>.json. Returns the paths written.
Result<std::vector<std::string>, FileError> write_findings(const std::string& directory, const SimConfig& config,
                                                           const std::vector<Finding>& findings,
                                                           const std::map<std::string, SweepFailure>& first_failures);

}  // namespace tether::sim
