#pragma once
// What the three binaries share: turning CLI11's outcome into sysexits codes, and the version string.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace tether {

inline constexpr const char* tether_version = "0.1.0";

// Parses argv; on --help/--version prints and returns 0, on a usage error prints it and returns 64.
// nullopt means "parsed: carry on".
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// Adds the name option with its validator (the name rules of core/names.hpp).
CLI::Option* add_name_option(CLI::App& app, std::string& name, bool required);

}  // namespace tether
