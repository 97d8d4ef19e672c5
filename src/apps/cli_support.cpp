#include "apps/cli_support.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <sstream>
#include <utility>
#include <unistd.h>
#include <vector>

#include "core/exit_codes.hpp"
#include "core/names.hpp"

namespace tether {

namespace {
// The arguments nobody took, in the order they were given (CLI11 lists them last first).
std::vector<std::string> unexpected_arguments(const CLI::App& app) {
  std::vector<std::string> unexpected = app.remaining(true);
  std::reverse(unexpected.begin(), unexpected.end());
  return unexpected;
}
}  // namespace

std::optional<CliExit> parse_with(CLI::App& app, std::span<const char* const> argv) {
  // CLI11 takes the arguments in reverse order; its argc/argv overload cannot take an empty argv.
  std::vector<std::string> arguments;
  arguments.reserve(argv.size());
  for (std::size_t index = argv.size(); index > 1; --index) arguments.emplace_back(argv[index - 1]);
  // App::exit words help, version and errors; it writes into these instead of the terminal.
  std::ostringstream output;
  std::ostringstream errors;
  try {
    app.parse(arguments);
  } catch (const CLI::CallForHelp& request) {
    return CliExit{app.exit(request, output, errors), CliExit::Output::standard_output, output.str()};
  } catch (const CLI::CallForAllHelp& request) {
    return CliExit{app.exit(request, output, errors), CliExit::Output::standard_output, output.str()};
  } catch (const CLI::CallForVersion& request) {
    return CliExit{app.exit(request, output, errors), CliExit::Output::standard_output, output.str()};
  } catch (const CLI::ExtrasError&) {
    return usage_error_exit(CLI::ExtrasError(unexpected_arguments(app)).what());
  } catch (const CLI::RequiredError& error) {
    // CLI11 checks what is required before what was not expected: `status --jsn` said only that the
    // name is required. The unexpected argument is named first; it is usually the real mistake.
    const std::vector<std::string> unexpected = unexpected_arguments(app);
    if (!unexpected.empty()) {
      return usage_error_exit(fmt::format("{}; {}", CLI::ExtrasError(unexpected).what(), error.what()));
    }
    app.exit(error, output, errors);
    return CliExit{exit_code::usage, CliExit::Output::standard_error, errors.str()};
  } catch (const CLI::ParseError& error) {
    app.exit(error, output, errors);
    return CliExit{exit_code::usage, CliExit::Output::standard_error, errors.str()};
  }
  return std::nullopt;
}

CliExit usage_event_exit(std::string message) {
  return CliExit{exit_code::usage, CliExit::Output::usage_event, std::move(message)};
}

CliExit usage_error_exit(const std::string& what) {
  return CliExit{exit_code::usage, CliExit::Output::standard_error, what + "\nRun with --help for more information.\n"};
}

int print_exit(const char* program, const CliExit& exit) {
  std::FILE* stream = exit.output == CliExit::Output::standard_output ? stdout : stderr;
  const std::size_t written = std::fwrite(exit.message.data(), 1, exit.message.size(), stream);
  if (written != exit.message.size() || std::fflush(stream) != 0) return output_failed(program, errno);
  return exit.exit_code;
}

int output_failed(const char* program, int error_number) {
  if (error_number == EPIPE) return exit_code::io_error;
  const std::string message = std::string(program) + ": cannot write output: " + std::strerror(error_number) + "\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, message.data(), message.size());
  return exit_code::io_error;
}

CLI::Validator name_validator() {
  // CLI11 prefixes the option: "--name: invalid name '': it is empty".
  const auto check = [](std::string& value) {
    const auto problem = name_problem(value);
    return problem.has_value() ? fmt::format("invalid name '{}': {}", value, *problem) : std::string();
  };
  return CLI::Validator(check, "NAME", "name");
}

CLI::Option* add_name_option(CLI::App& app, std::string& name, bool required) {
  auto* option = app.add_option("--name", name, "Pair name: [A-Za-z0-9._-]{1,64}, not starting with '.'");
  option->check(name_validator());
  if (required) option->required();
  return option;
}

CLI::Option* add_log_format_option(CLI::App& app, std::string& log_format) {
  return app.add_option("--log-format", log_format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

}  // namespace tether
