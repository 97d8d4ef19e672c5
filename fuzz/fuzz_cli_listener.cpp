// Fuzz target: tether-listener's command line (parse_listener_command_line) over arbitrary argvs
// (arguments separated by NUL bytes). It must never crash or throw; an accepted command line gives a
// usable worker (valid or empty name, durations within their limits, a heartbeat period of at least
// 1 ms, a known log format); every exit passes the shared checks; --help always wins.
#include <cstddef>
#include <cstdint>
#include <tuple>

#include "apps/listener_cli.hpp"
#include "cli_fuzz_support.hpp"
#include "core/names.hpp"

namespace {

using tether::ListenerOptions;

bool same_options(const ListenerOptions& first, const ListenerOptions& second) {
  const auto fields = [](const ListenerOptions& options) {
    return std::tie(options.name, options.worker.work_ms, options.worker.units, options.worker.idle_ms,
                    options.heartbeat_ms, options.log_format);
  };
  return fields(first) == fields(second);
}

void check_accepted(const tether::fuzz::FuzzArgv&, const ListenerOptions& options) {
  constexpr auto duration_ms_max = tether::WorkerConfig::duration_ms_max;
  TETHER_FUZZ_CHECK(options.name.empty() || !tether::name_problem(options.name).has_value(), "a valid name or none");
  TETHER_FUZZ_CHECK(options.worker.work_ms <= duration_ms_max, "--work-ms within a day");
  TETHER_FUZZ_CHECK(options.worker.idle_ms <= duration_ms_max, "--idle-ms within a day");
  TETHER_FUZZ_CHECK(options.heartbeat_ms >= 1 && options.heartbeat_ms <= duration_ms_max, "--heartbeat-ms bounds");
  TETHER_FUZZ_CHECK(tether::fuzz::valid_log_format(options.log_format), "a known log format");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tether::fuzz::fuzz_command_line(data, size, tether::parse_listener_command_line, same_options, check_accepted);
  return 0;
}
