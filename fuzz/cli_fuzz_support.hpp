#pragma once
// What the three command-line fuzz targets share: input bytes become an argv (arguments separated by
// NUL bytes, bounded in count and length), and the checks every parse outcome must pass whatever the
// binary: an exit says something, on the right channel, with the right code; help and version come only
// when asked for; the same argv gives the same outcome.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apps/cli_support.hpp"
#include "fuzz_check.hpp"

namespace tether::fuzz {

// More arguments or longer ones reach no new code in CLI11; the bounds keep each run fast.
inline constexpr std::size_t arguments_max = 24;
inline constexpr std::size_t argument_bytes_max = 128;

class FuzzArgv {
 public:
  FuzzArgv(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t start = 0;
    // Bounded: each round consumes at least one byte of the input, and at most arguments_max rounds.
    while (start <= input.size() && arguments_.size() < arguments_max) {
      const std::size_t end = std::min(input.find('\0', start), input.size());
      arguments_.emplace_back(input.substr(start, std::min(end - start, argument_bytes_max)));
      start = end + 1;
    }
    if (size == 0) arguments_.clear();
  }

  [[nodiscard]] const std::vector<std::string>& arguments() const { return arguments_; }

  // argv as main gets it: the program's name, then the arguments, plus `extra` at the end.
  [[nodiscard]] std::vector<const char*> argv(std::span<const char* const> extra = {}) const {
    std::vector<const char*> pointers{"program"};
    for (const auto& argument : arguments_) pointers.push_back(argument.c_str());
    pointers.insert(pointers.end(), extra.begin(), extra.end());
    return pointers;
  }

  [[nodiscard]] bool contains(std::string_view argument) const {
    return std::find(arguments_.begin(), arguments_.end(), argument) != arguments_.end();
  }

  // Whether some argument could ask CLI11 for help or the version: -h, --help or --version, alone,
  // with an attached value, or -h among bundled short flags.
  [[nodiscard]] bool may_ask_for_help_or_version() const {
    return std::any_of(arguments_.begin(), arguments_.end(), [](const std::string& argument) {
      const bool short_flags = argument.size() >= 2 && argument[0] == '-' && argument[1] != '-';
      return (short_flags && argument.find('h') != std::string::npos) || argument.starts_with("--help") ||
             argument.starts_with("--version");
    });
  }

 private:
  std::vector<std::string> arguments_;
};

inline bool same_exit(const std::optional<CliExit>& first, const std::optional<CliExit>& second) {
  if (first.has_value() != second.has_value()) return false;
  return !first.has_value() || (first->exit_code == second->exit_code && first->output == second->output &&
                                first->message == second->message);
}

// The checks on any outcome; `same_options` compares the options of two parses of one argv.
template <typename Options, typename Parse, typename SameOptions>
void check_outcome(const FuzzArgv& input, const ParseOutcome<Options>& outcome, Parse parse, SameOptions same_options) {
  const auto again = parse(input.argv());
  TETHER_FUZZ_CHECK(same_exit(outcome.exit, again.exit), "the same argv gives the same exit");
  if (!outcome.exit.has_value()) {
    TETHER_FUZZ_CHECK(same_options(outcome.options, again.options), "the same argv gives the same options");
    return;
  }
  const CliExit& exit = *outcome.exit;
  TETHER_FUZZ_CHECK(!exit.message.empty(), "an exit says why");
  if (exit.output == CliExit::Output::standard_output) {
    TETHER_FUZZ_CHECK(exit.exit_code == 0, "help and version exit 0");
    TETHER_FUZZ_CHECK(input.may_ask_for_help_or_version(), "help or version only when asked for");
  } else {
    TETHER_FUZZ_CHECK(exit.exit_code == 64, "a refused command line exits EX_USAGE");
  }
}

// Help wins over any accepted command line: appending --help gives the help text.
template <typename Parse>
void check_help_is_always_available(const FuzzArgv& input, Parse parse) {
  const char* const help[] = {"--help"};
  const auto outcome = parse(input.argv(help));
  TETHER_FUZZ_CHECK(outcome.exit.has_value() && outcome.exit->exit_code == 0 &&
                        outcome.exit->output == CliExit::Output::standard_output,
                    "--help after an accepted command line shows the help");
}

// Only the controller logs usage events (problems found once CLI11 accepted the command line).
struct NoUsageEvents {
  template <typename Options>
  void operator()(const Options&) const {
    TETHER_FUZZ_CHECK(false, "only the controller reports usage problems as log events");
  }
};

// A target's whole run: the shared checks; the binary's own on an accepted command line
// (`check_accepted(input, options)`) or on a usage event (`check_usage_event(options)`); then, for an
// accepted command line without a `--` of its own, that --help still wins.
template <typename Parse, typename SameOptions, typename CheckAccepted, typename CheckUsageEvent = NoUsageEvents>
void fuzz_command_line(const std::uint8_t* data, std::size_t size, Parse parse, SameOptions same_options,
                       CheckAccepted check_accepted, CheckUsageEvent check_usage_event = {}) {
  const FuzzArgv input(data, size);
  const auto outcome = parse(input.argv());
  check_outcome(input, outcome, parse, same_options);
  if (outcome.exit.has_value()) {
    if (outcome.exit->output == CliExit::Output::usage_event) check_usage_event(outcome.options);
    return;
  }
  check_accepted(input, outcome.options);
  if (!input.contains("--")) check_help_is_always_available(input, parse);
}

inline bool valid_log_format(const std::string& log_format) { return log_format == "text" || log_format == "json"; }

}  // namespace tether::fuzz
