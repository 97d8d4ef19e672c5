#include "pid_namespace_support.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

#include "harness.hpp"

namespace tether::testing {

namespace {

std::map<std::string, std::string> parse_facts(const std::string& output) {
  std::map<std::string, std::string> parsed;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) parsed[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return parsed;
}

}  // namespace

bool pid_namespaces_available(std::string& why) {
  if (geteuid() != 0) {
    why = "PID reuse needs root: a PID namespace and ns_last_pid";
    return false;
  }
  const auto probe = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/true"});
  why = "PID namespaces are unavailable here (unshare exit " + std::to_string(probe.exit_code) + "): " + probe.errors;
  return probe.exit_code == 0;
}

NamespaceRun run_in_pid_namespace(const std::string& script, const std::string& name, const std::string& mode) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "scripts" / script;
  // --kill-child: the namespace (and every process in it) dies with unshare, even if the run times out.
  const auto result = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/bash",
                           path.string(), std::filesystem::path(binary("tether")).parent_path().string(), name, mode},
                          std::chrono::seconds(60));
  NamespaceRun outcome{parse_facts(result.output), result.output + result.errors};
  EXPECT_EQ(result.exit_code, 0) << outcome.report;
  return outcome;
}

}  // namespace tether::testing
