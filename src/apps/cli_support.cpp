#include "apps/cli_support.hpp"

#include "core/exit_codes.hpp"
#include "core/names.hpp"

namespace tether {

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& request) {
    return app.exit(request);
  } catch (const CLI::CallForAllHelp& request) {
    return app.exit(request);
  } catch (const CLI::CallForVersion& request) {
    return app.exit(request);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return exit_code::usage;
  }
  return std::nullopt;
}

CLI::Option* add_name_option(CLI::App& app, std::string& name, bool required) {
  auto* option = app.add_option("--name", name, "Pair name: [A-Za-z0-9._-]{1,64}, not starting with '.'");
  option->check(CLI::Validator(
      [](std::string& value) { return name_problem(value).value_or(std::string()); }, "NAME", "name"));
  if (required) option->required();
  return option;
}

}  // namespace tether
