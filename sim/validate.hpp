#pragma once
// `tether-sim validate LOG...`: trace validation of real runs. The event lines of one pair's processes
// (validate_lines.hpp) are merged into one history and checked (docs/SIMULATOR.md, "Trace validation"):
// each process's lines are complete and in order, each process's events follow the sequence its core
// allows (validate_rules.cpp), and the safety invariants the simulator checks hold on the history.
#include <string>
#include <vector>

namespace tether::sim {

struct ValidationReport {
  int exit_code = 0;    // 0 valid; 65 rejected (or not validatable); 66 a file could not be read
  std::string message;  // VALID ... or REJECTED FILE:LINE: rule: what is wrong
};

ValidationReport validate_logs(const std::vector<std::string>& paths);

}  // namespace tether::sim
