#pragma once
// Helpers for the command-line parse tests: an argv from string literals, and the checks every refused
// command line must pass (code 64, the named option in the message).
#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "apps/cli_support.hpp"

namespace tether::testing {

// argv as main receives it: the program, then the arguments (literals, so the pointers stay valid).
inline std::vector<const char*> command_line(std::initializer_list<const char*> arguments) {
  std::vector<const char*> argv{"program"};
  argv.insert(argv.end(), arguments);
  return argv;
}

// A refusal: exit code 64, the given channel, and a message that names `option`.
inline void expect_usage_error(const std::optional<CliExit>& exit, const std::string& option,
                               CliExit::Output output = CliExit::Output::standard_error) {
  ASSERT_TRUE(exit.has_value()) << "accepted, but " << option << " should have been refused";
  EXPECT_EQ(exit->exit_code, 64);
  EXPECT_EQ(exit->output, output);
  EXPECT_NE(exit->message.find(option), std::string::npos) << exit->message;
}

// --help: exit code 0, text on stdout naming `option`.
inline void expect_help(const std::optional<CliExit>& exit, const std::string& option) {
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(exit->output, CliExit::Output::standard_output);
  EXPECT_NE(exit->message.find(option), std::string::npos) << exit->message;
}

inline void expect_version(const std::optional<CliExit>& exit) {
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(exit->output, CliExit::Output::standard_output);
  EXPECT_EQ(exit->message, std::string(tether_version) + "\n");
}

}  // namespace tether::testing
