#include "diagrams.hpp"

#include <fmt/format.h>

#include "core/controller_phases.hpp"

namespace tether::sim {

namespace {

constexpr std::string_view begin_marker = "<!-- generated: ";
constexpr std::string_view begin_marker_end = " -->\n";
constexpr std::string_view end_marker = "<!-- end generated -->";
// Bounds the scan: a document has a handful of blocks.
constexpr std::size_t blocks_max = 64;

std::string_view wait_text(PhaseWait wait) {
  switch (wait) {
    case PhaseWait::none: return "";
    case PhaseWait::supervision: return "ready, watchdog, stop or kill deadline";
    case PhaseWait::restart_delay: return "restart delay";
  }
  return "invalid";
}

std::string op_text(const ControllerPhaseSpec& spec) {
  if (spec.op == SegmentOp::none) return "";
  const std::string field = spec.field.has_value() ? std::string(field_name(*spec.field)) : "one header field";
  return fmt::format("{} `{}`", segment_op_name(spec.op), field);
}

}  // namespace

std::string controller_phase_diagram() {
  std::string out = "```mermaid\nstateDiagram-v2\n    direction TB\n    [*] --> read_magic\n";
  for (const ControllerTransition& transition : controller_transitions()) {
    out += fmt::format("    {} --> {}: {}\n", controller_phase_spec(transition.from).name,
                       controller_phase_spec(transition.to).name, transition.label);
  }
  out += "    finished --> [*]\n";
  for (const auto machine : {ControllerMachine::startup, ControllerMachine::launch, ControllerMachine::supervise,
                             ControllerMachine::stop}) {
    std::string members;
    for (const ControllerPhaseSpec& spec : controller_phase_specs()) {
      if (spec.machine != machine) continue;
      members += members.empty() ? "" : ",";
      members += spec.name;
    }
    out += fmt::format("    class {} {}\n", members, controller_machine_name(machine));
  }
  out += "    classDef startup fill:#e8f0fe\n    classDef launch fill:#fef7e0\n"
         "    classDef supervise fill:#e6f4ea\n    classDef stop fill:#fce8e6\n```\n";
  return out;
}

std::string controller_phase_table() {
  std::string out = "| phase | sub-machine | its one segment operation | waits for | what it does |\n"
                    "|---|---|---|---|---|\n";
  for (const ControllerPhaseSpec& spec : controller_phase_specs()) {
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", spec.name, controller_machine_name(spec.machine),
                       op_text(spec), wait_text(spec.wait), spec.purpose);
  }
  return out;
}

std::optional<std::string> generated_block(std::string_view name) {
  if (name == "controller-diagram") return controller_phase_diagram();
  if (name == "controller-phases") return controller_phase_table();
  return std::nullopt;
}

BlockRewrite rewrite_generated_blocks(std::string_view document) {
  BlockRewrite result;
  std::size_t at = 0;
  for (std::size_t blocks = 0; blocks < blocks_max; ++blocks) {
    const std::size_t begin = document.find(begin_marker, at);
    if (begin == std::string_view::npos) break;
    const std::size_t name_at = begin + begin_marker.size();
    const std::size_t name_end = document.find(begin_marker_end, name_at);
    const std::size_t end = document.find(end_marker, name_at);
    if (name_end == std::string_view::npos || end == std::string_view::npos || name_end > end) {
      result.problem = fmt::format("a generated block at byte {} has no end marker", begin);
      return result;
    }
    const std::string_view name = document.substr(name_at, name_end - name_at);
    const auto block = generated_block(name);
    if (!block) {
      result.problem = fmt::format("unknown generated block '{}'", name);
      return result;
    }
    const std::size_t body_at = name_end + begin_marker_end.size();
    result.text += document.substr(at, body_at - at);
    result.text += *block;
    if (document.substr(body_at, end - body_at) != *block) {
      result.stale_blocks += result.stale_blocks.empty() ? "" : " ";
      result.stale_blocks += name;
    }
    at = end;
  }
  result.text += document.substr(at);
  return result;
}

}  // namespace tether::sim
