#include "diagrams.hpp"

#include <fmt/format.h>
#include <array>

#include "core/controller_phases.hpp"
#include "core/listener_phases.hpp"

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

template <typename Spec>
std::string op_text(const Spec& spec) {
  if (spec.op == SegmentOp::none) return "";
  const std::string field = spec.field.has_value() ? std::string(field_name(*spec.field)) : "one header field";
  return fmt::format("{} `{}`", segment_op_name(spec.op), field);
}

// The diagram of one declared machine: its transitions, and its phases coloured by the part they serve.
template <typename Specs, typename Transitions, typename Parts, typename PartName>
std::string phase_diagram(std::string_view first, std::string_view last, const Specs& specs,
                          const Transitions& transitions, const Parts& parts, PartName part_name) {
  const auto name_of = [&](auto phase) { return specs[static_cast<std::size_t>(phase)].name; };
  std::string out = fmt::format("```mermaid\nstateDiagram-v2\n    direction TB\n    [*] --> {}\n", first);
  for (const auto& transition : transitions) {
    out += fmt::format("    {} --> {}: {}\n", name_of(transition.from), name_of(transition.to), transition.label);
  }
  out += fmt::format("    {} --> [*]\n", last);
  for (const auto part : parts) {
    std::string members;
    for (const auto& spec : specs) {
      if (spec.*part_name.member != part) continue;
      members += members.empty() ? "" : ",";
      members += spec.name;
    }
    out += fmt::format("    class {} {}\n", members, part_name.name(part));
  }
  return out;
}

template <typename Member, typename Name>
struct PartOf {
  Member member;
  Name name;
};
// Spelled out: clang 14 deduces no template arguments for aggregates.
template <typename Member, typename Name>
PartOf(Member, Name) -> PartOf<Member, Name>;

constexpr std::string_view part_colours =
    "    classDef startup fill:#e8f0fe\n    classDef launch fill:#fef7e0\n"
    "    classDef supervise fill:#e6f4ea\n    classDef stop fill:#fce8e6\n"
    "    classDef register_self fill:#e8f0fe\n    classDef check_shutdown fill:#fce8e6\n"
    "    classDef unit fill:#e6f4ea\n    classDef leave fill:#fef7e0\n```\n";

}  // namespace

std::string controller_phase_diagram() {
  const auto specs = controller_phase_specs();
  return phase_diagram("read_magic", "finished", specs, controller_transitions(),
                       std::array{ControllerMachine::startup, ControllerMachine::launch, ControllerMachine::supervise,
                                  ControllerMachine::stop},
                       PartOf{&ControllerPhaseSpec::machine, controller_machine_name}) +
         std::string(part_colours);
}

std::string listener_phase_diagram() {
  const auto specs = listener_phase_specs();
  return phase_diagram(
             "done", "done", specs, listener_transitions(),
             std::array{ListenerPart::register_self, ListenerPart::check, ListenerPart::unit, ListenerPart::leave},
             PartOf{&ListenerPhaseSpec::part, listener_part_name}) +
         std::string(part_colours);
}

std::string controller_phase_table() {
  std::string out =
      "| phase | sub-machine | its one segment operation | waits for | what it does |\n"
      "|---|---|---|---|---|\n";
  for (const ControllerPhaseSpec& spec : controller_phase_specs()) {
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", spec.name, controller_machine_name(spec.machine),
                       op_text(spec), wait_text(spec.wait), spec.purpose);
  }
  return out;
}

std::string listener_phase_table() {
  std::string out = "| phase | operation | its one segment operation | what it does |\n|---|---|---|---|\n";
  for (const ListenerPhaseSpec& spec : listener_phase_specs()) {
    out +=
        fmt::format("| `{}` | {} | {} | {} |\n", spec.name, listener_part_name(spec.part), op_text(spec), spec.purpose);
  }
  return out;
}

std::optional<std::string> generated_block(std::string_view name) {
  if (name == "controller-diagram") return controller_phase_diagram();
  if (name == "controller-phases") return controller_phase_table();
  if (name == "listener-diagram") return listener_phase_diagram();
  if (name == "listener-phases") return listener_phase_table();
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
