#pragma once
// The rules a merged history of one pair's event lines must keep: each process's events in the order its
// core allows, and the safety invariants of the simulator (sim/world.hpp, namespace invariant) as far as
// event lines show them. Fed one line at a time in history order; the first broken rule is kept.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "validate_lines.hpp"

namespace tether::sim {

struct RuleBreach {
  std::string rule;
  std::string detail;
};

class HistoryChecker {
 public:
  std::optional<RuleBreach> feed(const LogLine& line);

  [[nodiscard]] std::size_t controllers() const { return controllers_.size(); }
  [[nodiscard]] std::size_t listeners() const { return listeners_.size(); }

 private:
  // A process: pid and start time (0 on text lines, where the pid alone names it).
  struct Identity {
    std::int64_t pid = 0;
    std::uint64_t start = 0;
    auto operator<=>(const Identity&) const = default;
  };
  struct ControllerTrack {
    std::optional<Identity> current;  // the listener it launched or adopted, until it reports its exit
    bool shutdown = false;            // a shutdown request or a stop signal reached it
    bool gave_up = false;
    bool finished = false;
    bool launched_any = false;
    std::int64_t generation = 0;
  };
  struct ListenerTrack {
    bool registered = false;
    bool in_unit = false;
    bool left = false;
    std::int64_t units_finished = 0;
  };

  std::optional<RuleBreach> controller_event(const LogLine& line, const Identity& self, ControllerTrack& track);
  std::optional<RuleBreach> listener_event(const LogLine& line, const Identity& self, ListenerTrack& track);
  std::optional<RuleBreach> exit_reported(const LogLine& line, const Identity& listener);
  [[nodiscard]] static std::optional<Identity> subject(const LogLine& line);
  [[nodiscard]] static std::string describe(const Identity& identity);

  std::map<Identity, ControllerTrack> controllers_;
  std::map<Identity, ListenerTrack> listeners_;
  std::map<Identity, std::string> ended_;  // processes whose exit was reported (or that left): by what
  std::set<Identity> registered_;          // listeners registered now
  bool shutdown_pending_ = false;          // a request in the segment no controller has finished on
};

}  // namespace tether::sim
