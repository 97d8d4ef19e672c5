#pragma once
// What the three binaries' command-line parsers share: an outcome type that says "run with these
// options" or "exit with this code and this text", the CLI11 call that produces it without printing, the
// name and log-format options, and the version string. Parsing is pure (no printing, no exit, no file
// system), so that unit tests and fuzz targets can call it; each main prints what the outcome says.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tether {

inline constexpr const char* tether_version = "0.1.0";

// How a command line that does not go on to run ends.
struct CliExit {
  enum class Output : std::uint8_t {
    standard_output,  // --help, --version: exit code 0
    standard_error,   // a usage error as CLI11 words it, with its "Run with --help" hint
    usage_event,      // a problem found once CLI11 accepted the command line: the program logs it as a
                      // usage_error event, in the log format and under the name the parse produced
  };
  int exit_code = 0;
  Output output = Output::standard_error;
  std::string message;
};

// A parse's result: `exit` empty means "run with `options`". When `exit` is set, `options` holds what
// was parsed so far; only a usage_event exit promises that CLI11 accepted all of it.
template <typename Options>
struct ParseOutcome {
  Options options;
  std::optional<CliExit> exit;
};

// Parses argv (argv[0] is the program and is skipped) into the options bound to `app`. nullopt means
// "parsed: carry on"; otherwise the help or version text (code 0) or CLI11's usage error (code 64).
std::optional<CliExit> parse_with(CLI::App& app, std::span<const char* const> argv);

// A usage error found after CLI11 parsed, for the log (code 64).
CliExit usage_event_exit(std::string message);

// A usage error worded as CLI11 words its own: "<what>\nRun with --help for more information.\n".
CliExit usage_error_exit(const std::string& what);

// Prints the exit's text where it belongs (stdout or stderr) and returns its exit code; if the text
// cannot be written (`--help > /dev/full`), says so as output_failed does and returns EX_IOERR (74)
// instead, so that a script never mistakes lost output for success. For the mains.
int print_exit(const char* program, const CliExit& exit);

// Reports that `program` could not write its output (errno `error_number`) and returns EX_IOERR (74).
// Said with write(2): stderr may be the stream that failed, and this must not throw in turn. A reader
// that left (`tether list | head -1`, EPIPE) is not told: it asked for no more, as SIGPIPE's silence
// assumes.
int output_failed(const char* program, int error_number);

// Checks a pair name with the rules of core/names.hpp.
CLI::Validator name_validator();

// Adds the name option with its validator.
CLI::Option* add_name_option(CLI::App& app, std::string& name, bool required);

// Adds --log-format (text | json).
CLI::Option* add_log_format_option(CLI::App& app, std::string& log_format);

}  // namespace tether
