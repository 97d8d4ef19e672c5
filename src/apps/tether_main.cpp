// tether: inspect and steer pairs from the outside (status, list, shutdown, clean).
#include "apps/cli_support.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"
#include "core/names.hpp"

int main(int argc, char** argv) {
  using namespace tether;
  CLI::App app{"Inspect and steer tether pairs.", "tether"};
  app.set_version_flag("--version", tether_version);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 3 not running (status), 64 usage, 65 bad segment, 66 no such segment, "
             "73 in use, 75 timed out, 77 permission.");
  const auto name_check = CLI::Validator(
      [](std::string& value) { return name_problem(value).value_or(std::string()); }, "NAME", "name");

  std::string name;
  bool json = false;
  bool wait = false;
  std::uint64_t timeout_ms = 30000;

  auto* status = app.add_subcommand("status", "Show a pair; exit 0 when a live listener is registered, 3 when not");
  status->add_option("name", name, "Pair name")->required()->check(name_check);
  status->add_flag("--json", json, "One JSON object");

  auto* list = app.add_subcommand("list", "Show every pair on this machine");
  list->add_flag("--json", json, "A JSON array");

  auto* shutdown = app.add_subcommand("shutdown", "Post a shutdown request; the listener exits after its unit");
  shutdown->add_option("name", name, "Pair name")->required()->check(name_check);
  shutdown->add_flag("--wait", wait, "Wait until the listener and the controller are gone");
  shutdown->add_option("--timeout-ms", timeout_ms, "Longest wait with --wait")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{24} * 60 * 60 * 1000))->capture_default_str();

  auto* clean = app.add_subcommand("clean", "Remove a segment that no live process owns");
  clean->add_option("name", name, "Pair name")->required()->check(name_check);

  if (auto code = parse_command_line(app, argc, argv)) return *code;
  if (status->parsed()) return run_status(name, json);
  if (list->parsed()) return run_list(json);
  if (shutdown->parsed()) return run_shutdown(name, wait, timeout_ms);
  if (clean->parsed()) return run_clean(name);
  return exit_code::usage;
}
