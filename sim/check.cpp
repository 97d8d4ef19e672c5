#include "check.hpp"

#include <chrono>
#include <cmath>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "explore.hpp"
#include "runner.hpp"

namespace tether::sim {

namespace {

struct Node {
  std::vector<std::uint32_t> prefix;  // the decisions that lead here
  std::uint32_t deviations = 0;       // how many of them are not 0
};

// What a visited entry costs in an unordered_map: the key and value, the node's link and the
// allocator's header, and a bucket pointer. An estimate, but a steady one: --memory-mb-max compares it.
constexpr std::uint64_t visited_entry_bytes = sizeof(Fingerprint) + sizeof(std::uint32_t) + 40;

std::uint64_t node_bytes(const Node& node) {
  return sizeof(Node) + node.prefix.capacity() * sizeof(std::uint32_t);
}

Node extend(const std::vector<std::uint32_t>& decisions, std::size_t length, std::uint32_t value,
            std::uint32_t deviations) {
  Node node;
  node.prefix.reserve(length + 1);
  node.prefix.assign(decisions.begin(), decisions.begin() + static_cast<std::ptrdiff_t>(length));
  node.prefix.push_back(value);
  node.deviations = deviations;
  return node;
}

}  // namespace

double collision_probability(std::uint64_t states) {
  const auto count = static_cast<double>(states);
  return std::min(1.0, count * count / std::ldexp(1.0, 65));
}

CheckResult check(const CheckOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  CheckResult result;
  // Each frontier state with the fewest deviations it was reached with.
  std::unordered_map<Fingerprint, std::uint32_t, FingerprintHash> visited;
  // Breadth-first by scheduler decisions: `level` holds the nodes at the current distance from the
  // start (and the other outcomes of their transitions, found while running them), `next` the nodes
  // one scheduler decision further. So the first violation found lies on a shortest path.
  std::deque<Node> level(1);
  std::deque<Node> next;
  std::uint64_t queue_bytes = node_bytes(level.front());
  const std::uint64_t memory_max = options.memory_mb_max * 1024 * 1024;
  auto push = [&queue_bytes](std::deque<Node>& queue, Node node) {
    queue_bytes += node_bytes(node);
    queue.push_back(std::move(node));
  };
  // Every iteration runs one node; the budgets below end the search, and each node's successors are
  // at most (decisions after its prefix) x (largest range) many.
  while (!result.violation) {
    if (level.empty()) {
      if (next.empty()) break;
      std::swap(level, next);
      ++result.max_depth;
    }
    const std::uint64_t memory = visited.size() * visited_entry_bytes + queue_bytes;
    result.memory_bytes_peak = std::max(result.memory_bytes_peak, memory);
    if (visited.size() >= options.states_max) {
      result.complete = false;
      result.incomplete_reason = fmt::format("--states-max {} reached", options.states_max);
      break;
    }
    if (memory > memory_max) {
      result.complete = false;
      result.incomplete_reason = fmt::format("--memory-mb-max {} reached", options.memory_mb_max);
      break;
    }
    Node node = std::move(level.front());
    level.pop_front();
    queue_bytes -= node_bytes(node);
    Trace trace;
    const RunOutput output = run_to_frontier(options.config, node.prefix, trace);
    ++result.transitions;
    if (output.result.violation) {
      if (options.invariant.empty() || output.result.violation->invariant == options.invariant) {
        result.violation = violating_scenario(options.config, output);
        break;
      }
      ++result.other_violations;
      continue;
    }
    // Decisions drawn inside the steps after the prefix took 0; their other values are the other
    // outcomes of this same transition, at the same distance from the start.
    if (node.deviations < options.depth) {
      for (std::size_t position = node.prefix.size(); position < output.decisions.size(); ++position) {
        for (std::uint32_t value = 1; value < output.ranges[position]; ++value) {
          push(level, extend(output.decisions, position, value, node.deviations + 1));
        }
      }
    }
    // A run that used up its step budget ended early: what lies beyond went unexplored (and the
    // fingerprint leaves the step count out), so the verdict cannot be complete.
    if (!output.result.frontier.has_value() && output.result.steps >= options.config.steps_max) {
      ++result.step_budget_hits;
      result.complete = false;
      result.incomplete_reason = fmt::format("{} paths used up the step budget", result.step_budget_hits);
    }
    if (output.result.frontier.has_value()) {
      const Frontier& frontier = *output.result.frontier;
      const auto [entry, inserted] = visited.try_emplace(frontier.fingerprint, node.deviations);
      bool expand = inserted;
      if (!inserted) {
        ++result.revisits;
        // Reached before, but with more deviations spent: what lies within the bound from here is more.
        if (node.deviations < entry->second) {
          entry->second = node.deviations;
          ++result.reexpansions;
          expand = true;
        }
      }
      for (std::uint32_t value = 0; expand && value < frontier.range; ++value) {
        const std::uint32_t deviations = node.deviations + (value == 0 ? 0 : 1);
        if (deviations > options.depth) break;
        push(next, extend(output.decisions, output.decisions.size(), value, deviations));
      }
    }
  }
  result.states = visited.size();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace tether::sim
