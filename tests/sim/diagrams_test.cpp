// Goal: the docs' generated blocks come from the cores' tables and a stale one is caught. Method: build
// the blocks, rewrite small hand-made documents, and check what changes and what is reported.
#include <gtest/gtest.h>

#include <string>

#include "core/controller_phases.hpp"
#include "core/listener_phases.hpp"
#include "diagrams.hpp"

namespace {

using namespace tether;
using namespace tether::sim;

TEST(Diagrams, ControllerDiagramHasEveryDeclaredTransitionAndPhase) {
  const std::string diagram = controller_phase_diagram();
  for (const ControllerTransition& transition : controller_transitions()) {
    const std::string edge = std::string(controller_phase_spec(transition.from).name) + " --> " +
                             std::string(controller_phase_spec(transition.to).name) + ": " +
                             std::string(transition.label);
    EXPECT_NE(diagram.find(edge), std::string::npos) << edge;
  }
  EXPECT_EQ(diagram.rfind("```mermaid\nstateDiagram-v2", 0), 0u);
  EXPECT_NE(diagram.find("class read_magic,initialise,"), std::string::npos);
}

TEST(Diagrams, ListenerDiagramAndTableFollowItsDeclaration) {
  const std::string diagram = listener_phase_diagram();
  for (const ListenerTransition& transition : listener_transitions()) {
    const std::string edge = std::string(listener_phase_spec(transition.from).name) + " --> " +
                             std::string(listener_phase_spec(transition.to).name) + ": " +
                             std::string(transition.label);
    EXPECT_NE(diagram.find(edge), std::string::npos) << edge;
  }
  EXPECT_NE(listener_phase_table().find("| `claim` | register_self | compare_exchange `listener_identity` |"),
            std::string::npos);
}

TEST(Diagrams, PhaseTableHasOneRowPerPhaseWithItsOperation) {
  const std::string table = controller_phase_table();
  for (const ControllerPhaseSpec& spec : controller_phase_specs()) {
    EXPECT_NE(table.find("| `" + std::string(spec.name) + "` |"), std::string::npos) << spec.name;
  }
  EXPECT_NE(table.find("| `bump_generation` | launch | fetch_add `generation` |"), std::string::npos);
  EXPECT_NE(table.find("| `initialise` | startup | store `one header field` |"), std::string::npos);
}

TEST(Diagrams, StaleBlockIsRewrittenAndNamed) {
  const std::string document = "intro\n<!-- generated: controller-phases -->\nold\n<!-- end generated -->\ntail\n";
  const BlockRewrite rewrite = rewrite_generated_blocks(document);
  EXPECT_EQ(rewrite.problem, "");
  EXPECT_EQ(rewrite.stale_blocks, "controller-phases");
  EXPECT_EQ(rewrite.text, "intro\n<!-- generated: controller-phases -->\n" + controller_phase_table() +
                              "<!-- end generated -->\ntail\n");
  // Rewriting the result changes nothing more.
  const BlockRewrite again = rewrite_generated_blocks(rewrite.text);
  EXPECT_EQ(again.stale_blocks, "");
  EXPECT_EQ(again.text, rewrite.text);
}

TEST(Diagrams, DocumentWithoutBlocksIsLeftAlone) {
  const BlockRewrite rewrite = rewrite_generated_blocks("plain text\n");
  EXPECT_EQ(rewrite.text, "plain text\n");
  EXPECT_EQ(rewrite.stale_blocks, "");
  EXPECT_EQ(rewrite.problem, "");
}

TEST(Diagrams, UnknownOrUnterminatedBlocksAreRefusedByName) {
  EXPECT_EQ(rewrite_generated_blocks("<!-- generated: nope -->\nx\n<!-- end generated -->\n").problem,
            "unknown generated block 'nope'");
  EXPECT_EQ(rewrite_generated_blocks("a\n<!-- generated: controller-diagram -->\nx\n").problem,
            "a generated block at byte 2 has no end marker");
}

}  // namespace
