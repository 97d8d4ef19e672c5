#include "sim_config.hpp"

#include <fmt/format.h>

namespace tether::sim {

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::tether: return "tether";
    case Protocol::seed: return "seed";
  }
  return "invalid";
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  if (name == "tether") return Protocol::tether;
  if (name == "seed") return Protocol::seed;
  return std::nullopt;
}

std::string_view scheduler_name(SchedulerKind kind) {
  switch (kind) {
    case SchedulerKind::swarm: return "swarm";
    case SchedulerKind::pct: return "pct";
  }
  return "invalid";
}

std::optional<SchedulerKind> parse_scheduler(std::string_view name) {
  if (name == "swarm") return SchedulerKind::swarm;
  if (name == "pct") return SchedulerKind::pct;
  return std::nullopt;
}

std::string SchedulerConfig::text() const {
  if (kind == SchedulerKind::swarm) return "swarm";
  return fmt::format("pct (depth {}, {} steps)", pct_depth, pct_steps);
}

std::optional<SimConfigError> SimConfig::problem() const {
  using Kind = SimConfigErrorKind;
  const auto out_of_range = [](std::string message) {
    return sim_config_error(Kind::out_of_range, std::move(message));
  };
  if (pid_count < pid_count_min || pid_count > pid_count_max) {
    return out_of_range(fmt::format("pid_count must be between {} and {}", pid_count_min, pid_count_max));
  }
  if (steps_max < 1 || steps_max > steps_max_max) {
    return out_of_range(fmt::format("steps must be between 1 and {}", steps_max_max));
  }
  if (fault_phase_ms < 1 || fault_phase_ms > fault_phase_ms_max) {
    return out_of_range(fmt::format("fault_phase_ms must be between 1 and {}", fault_phase_ms_max));
  }
  if (crash_budget > crash_budget_max) {
    return out_of_range(fmt::format("crash_budget must be at most {}", crash_budget_max));
  }
  if (auto bounds = fault_bounds.problem()) return bounds;
  if (!explore && fault_bounds.any()) {
    return sim_config_error(Kind::bounds_outside_check, "fault bounds apply only to the small world (explore, check)");
  }
  if (scheduler.pct_depth < 1 || scheduler.pct_depth > SchedulerConfig::pct_depth_max) {
    return out_of_range(fmt::format("pct depth must be between 1 and {}", SchedulerConfig::pct_depth_max));
  }
  if (scheduler.pct_steps < 1 || scheduler.pct_steps > SchedulerConfig::pct_steps_max) {
    return out_of_range(fmt::format("pct steps must be between 1 and {}", SchedulerConfig::pct_steps_max));
  }
  if (explore && scheduler.kind != SchedulerKind::swarm) {
    return sim_config_error(Kind::scheduler_in_enumeration,
                            "explore and check enumerate every schedule: they take no scheduler");
  }
  if (protocol == Protocol::seed && mutant != Mutant::none) {
    return sim_config_error(Kind::mutant_in_seed_protocol,
                            "mutants are planted in the tether protocol; the seed protocol takes none");
  }
  return std::nullopt;
}

}  // namespace tether::sim
