#pragma once
// The protocol's pictures, generated from the cores' declared tables (src/core/controller_phases.hpp,
// src/core/listener_phases.hpp), so that docs/PROTOCOL.md cannot drift from the code: `tether-diagrams
// docs/PROTOCOL.md` rewrites the generated blocks, and `--check` (run by ctest) fails when a committed block differs.
#include <optional>
#include <string>
#include <string_view>

namespace tether::sim {

// Mermaid text of the controller's phases and transitions, coloured by sub-machine.
std::string controller_phase_diagram();
// A Markdown table: phase, sub-machine, the one segment operation, what it waits for, purpose.
std::string controller_phase_table();
// The same two for the listener core (src/core/listener_phases.hpp).
std::string listener_phase_diagram();
std::string listener_phase_table();

// The text of one generated block by its name, or nullopt for an unknown name.
std::optional<std::string> generated_block(std::string_view name);

struct BlockRewrite {
  std::string text;          // the document with every generated block brought up to date
  std::string stale_blocks;  // names of the blocks that differed, space-separated
  std::string problem;       // a malformed or unknown block, naming it; empty when none
};
// Finds `<!-- generated: NAME -->` ... `<!-- end generated -->` pairs and replaces what lies between.
BlockRewrite rewrite_generated_blocks(std::string_view document);

}  // namespace tether::sim
