#include "state_search.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace tether::sim {

namespace {

constexpr std::uint32_t no_state = std::numeric_limits<std::uint32_t>::max();

struct Node {
  std::vector<std::uint32_t> prefix;  // the decisions that lead here
  std::uint32_t deviations = 0;       // how many of them are not 0
  std::uint32_t from = no_state;      // the state whose expansion made it (its prefix starts with its path)
  // How many of the prefix's decisions reach `from`: a state re-expanded after a path with fewer
  // deviations reached it may have been reached by one of another length first, so its record's
  // path_length does not say where this node's suffix begins.
  std::uint32_t from_length = 0;
};

struct Visited {
  std::uint32_t index = 0;       // into the state records
  std::uint32_t deviations = 0;  // the fewest it was reached with
};

// How a state was first reached: from `parent`, by `suffix` after the parent's own decisions.
struct StateRecord {
  std::uint32_t parent = no_state;
  std::uint32_t path_length = 0;  // decisions from the start to this state's frontier
  std::vector<std::uint32_t> suffix;
};

struct Edge {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::vector<std::uint32_t> suffix;  // the decisions from `from`'s frontier to `to`'s
};

// What an entry costs in an unordered_map (key, value, node link, allocator header, bucket pointer) or a
// vector: estimates, but steady ones, which memory_mb_max compares.
constexpr std::uint64_t visited_entry_bytes = sizeof(Fingerprint) + sizeof(Visited) + 40;

std::uint64_t node_bytes(const Node& node) { return sizeof(Node) + node.prefix.capacity() * sizeof(std::uint32_t); }

std::uint64_t suffix_bytes(const std::vector<std::uint32_t>& suffix) {
  return suffix.capacity() * sizeof(std::uint32_t);
}

Node extend(const std::vector<std::uint32_t>& decisions, std::size_t length, std::uint32_t value,
            std::uint32_t deviations, std::uint32_t from, std::size_t from_length) {
  Node node;
  node.prefix.reserve(length + 1);
  node.prefix.assign(decisions.begin(), decisions.begin() + static_cast<std::ptrdiff_t>(length));
  node.prefix.push_back(value);
  node.deviations = deviations;
  node.from = from;
  node.from_length = static_cast<std::uint32_t>(from_length);
  return node;
}

std::vector<std::uint32_t> path_to(const std::vector<StateRecord>& records, std::uint32_t state) {
  std::vector<std::uint32_t> path(records[state].path_length);
  // Each step up the tree fills the part of the path its suffix covers; the tree is as deep as the
  // states are many at most.
  for (std::uint32_t at = state; at != no_state; at = records[at].parent) {
    const StateRecord& record = records[at];
    std::copy(record.suffix.begin(), record.suffix.end(),
              path.begin() + static_cast<std::ptrdiff_t>(record.path_length - record.suffix.size()));
  }
  return path;
}

// A cycle in the state graph, by iterative depth-first search with colours: a back edge closes one.
std::optional<Lasso> find_lasso(const std::vector<StateRecord>& records, const std::vector<Edge>& edges) {
  const std::size_t count = records.size();
  // Adjacency in compressed rows: edge indices grouped by their source.
  std::vector<std::uint32_t> first(count + 1, 0);
  for (const Edge& edge : edges) ++first[edge.from + 1];
  for (std::size_t state = 0; state < count; ++state) first[state + 1] += first[state];
  std::vector<std::uint32_t> by_source(edges.size());
  std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
  for (std::uint32_t index = 0; index < edges.size(); ++index) by_source[fill[edges[index].from]++] = index;

  enum class Colour : std::uint8_t { unseen, on_stack, done };
  std::vector<Colour> colour(count, Colour::unseen);
  struct Frame {
    std::uint32_t state;
    std::uint32_t next;     // the next of its edges to follow
    std::uint32_t via = 0;  // the edge that led here
  };
  std::vector<Frame> stack;
  for (std::uint32_t root = 0; root < count; ++root) {
    if (colour[root] != Colour::unseen) continue;
    stack.push_back({root, first[root], 0});
    colour[root] = Colour::on_stack;
    // Every iteration follows one edge or pops one state: at most edges + states iterations per root.
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == first[top.state + 1]) {
        colour[top.state] = Colour::done;
        stack.pop_back();
        continue;
      }
      const std::uint32_t edge_index = by_source[top.next++];
      const std::uint32_t target = edges[edge_index].to;
      if (colour[target] == Colour::unseen) {
        colour[target] = Colour::on_stack;
        stack.push_back({target, first[target], edge_index});
        continue;
      }
      if (colour[target] != Colour::on_stack) continue;
      // A back edge: the stack from `target` up to here, and this edge, make a cycle.
      Lasso lasso;
      lasso.prefix = path_to(records, target);
      const auto start =
          std::find_if(stack.begin(), stack.end(), [&](const Frame& frame) { return frame.state == target; });
      for (auto frame = start + 1; frame != stack.end(); ++frame) {
        const auto& suffix = edges[frame->via].suffix;
        lasso.cycle.insert(lasso.cycle.end(), suffix.begin(), suffix.end());
      }
      const auto& closing = edges[edge_index].suffix;
      lasso.cycle.insert(lasso.cycle.end(), closing.begin(), closing.end());
      return lasso;
    }
  }
  return std::nullopt;
}

}  // namespace

SearchOutcome search(const Prober& probe, const SearchBounds& bounds) {
  const auto started = std::chrono::steady_clock::now();
  SearchOutcome outcome;
  SearchStats& stats = outcome.stats;
  std::unordered_map<Fingerprint, Visited, FingerprintHash> visited;
  std::vector<StateRecord> records;
  std::vector<Edge> edges;
  std::uint64_t graph_bytes = 0;  // records and edges
  // Breadth first by frontier decisions: `level` holds the nodes at the current distance from the start
  // (and the other outcomes of their transitions, found while running them), `next` the nodes one
  // frontier decision further. So the first violation found lies on a shortest path.
  std::deque<Node> level(1);
  std::deque<Node> next;
  std::uint64_t queue_bytes = node_bytes(level.front());
  const std::uint64_t memory_max = bounds.memory_mb_max * 1024 * 1024;
  auto push = [&queue_bytes](std::deque<Node>& queue, Node node) {
    queue_bytes += node_bytes(node);
    queue.push_back(std::move(node));
  };
  // Every iteration runs one node; the budgets below end the search, and each node's successors are at
  // most (decisions after its prefix) x (largest range) many.
  while (!outcome.violation) {
    if (level.empty()) {
      if (next.empty()) break;
      std::swap(level, next);
      ++stats.max_depth;
    }
    const std::uint64_t memory = visited.size() * visited_entry_bytes + graph_bytes + queue_bytes;
    stats.memory_bytes_peak = std::max(stats.memory_bytes_peak, memory);
    if (visited.size() >= bounds.states_max) {
      stats.complete = false;
      stats.incomplete_reason = fmt::format("--states-max {} reached", bounds.states_max);
      break;
    }
    if (memory > memory_max) {
      stats.complete = false;
      stats.incomplete_reason = fmt::format("--memory-mb-max {} reached", bounds.memory_mb_max);
      break;
    }
    Node node = std::move(level.front());
    level.pop_front();
    queue_bytes -= node_bytes(node);
    const Probe run = probe(node.prefix);
    ++stats.transitions;
    if (run.violation) {
      outcome.violation = run.decisions;
      break;
    }
    if (run.other_violation) {
      ++stats.other_violations;
      continue;
    }
    // Decisions drawn inside the steps after the prefix took 0; their other values are the other
    // outcomes of this same transition, at the same distance from the start.
    if (node.deviations < bounds.depth) {
      for (std::size_t position = node.prefix.size(); position < run.decisions.size(); ++position) {
        for (std::uint32_t value = 1; value < run.ranges[position]; ++value) {
          push(level, extend(run.decisions, position, value, node.deviations + 1, node.from, node.from_length));
        }
      }
    }
    if (run.step_budget_hit) {
      ++stats.step_budget_hits;
      stats.complete = false;
      stats.incomplete_reason = fmt::format("{} paths used up the step budget", stats.step_budget_hits);
    }
    if (!run.frontier.has_value()) continue;
    const auto [entry, inserted] = visited.try_emplace(
        run.frontier->fingerprint, Visited{static_cast<std::uint32_t>(records.size()), node.deviations});
    const std::uint32_t state = entry->second.index;
    const std::size_t parent_length = node.from_length;
    std::vector<std::uint32_t> suffix(run.decisions.begin() + static_cast<std::ptrdiff_t>(parent_length),
                                      run.decisions.end());
    graph_bytes += suffix_bytes(suffix);
    if (inserted) {
      // The recorded path is the parent's recorded path and this suffix (equal fingerprints, equal
      // worlds: the suffix leads on from either path to the parent), which may differ in length from
      // the path this run took.
      const std::size_t parent_path = node.from == no_state ? 0 : records[node.from].path_length;
      records.push_back({node.from, static_cast<std::uint32_t>(parent_path + suffix.size()), suffix});
      graph_bytes += sizeof(StateRecord);
    }
    if (node.from != no_state) {
      edges.push_back({node.from, state, std::move(suffix)});
      graph_bytes += sizeof(Edge);
    }
    bool expand = inserted;
    if (!inserted) {
      ++stats.revisits;
      // Reached before, but with more deviations spent: what lies within the bound from here is more.
      if (node.deviations < entry->second.deviations) {
        entry->second.deviations = node.deviations;
        ++stats.reexpansions;
        expand = true;
      }
    }
    for (std::uint32_t value = 0; expand && value < run.frontier->range; ++value) {
      const std::uint32_t deviations = node.deviations + (value == 0 ? 0 : 1);
      if (deviations > bounds.depth) break;
      push(next, extend(run.decisions, run.decisions.size(), value, deviations, state, run.decisions.size()));
    }
  }
  stats.states = visited.size();
  stats.edges = edges.size();
  if (stats.complete && !outcome.violation) outcome.lasso = find_lasso(records, edges);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace tether::sim
