#include "support/pair.hpp"

#include <string>

#include "support/processes.hpp"

namespace tether::bench {

namespace {
// The longest idle time tether-listener accepts (a day): it stays idle until killed or asked to stop.
constexpr const char* listener_idle_ms = "86400000";
}  // namespace

std::vector<std::string> controller_argv(const std::string& name, int restart_delay_ms) {
  // A start limit of 1000 starts per millisecond cannot trip, so a benchmark may kill the listener as
  // often as it likes without the controller giving up on a "crash loop". The delay is capped at its
  // first value: a listener killed before its healthy run would otherwise double it at every round (up
  // to 5 s: BM_DeathDetect's 300 rounds outlasted its 10-minute limit).
  return {binary("tether-controller"),
          "--name",
          name,
          "--restart-delay-ms",
          std::to_string(restart_delay_ms),
          "--restart-delay-max-ms",
          std::to_string(restart_delay_ms),
          "--start-limit",
          "1000",
          "--start-limit-interval-ms",
          "1",
          "--",
          binary("tether-listener"),
          "--work-ms",
          "0",
          "--idle-ms",
          listener_idle_ms};
}

std::vector<std::string> listener_argv() {
  return {binary("tether-listener"), "--work-ms", "0", "--idle-ms", listener_idle_ms};
}

std::string log_prefix(const char* program, pid_t pid) {
  return std::string(program) + "[" + std::to_string(pid) + "]";
}

pid_t wait_for_idle_listener(LinePipe& pipe, pid_t previous, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Lines of an earlier listener (already gone) are skipped; the deadline bounds the loop.
  for (;;) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return -1;
    const auto line = pipe.wait_for({"tether-listener[", ": unit_finished"}, remaining);
    if (!line) return -1;
    const pid_t pid = logged_pid(line->text, "tether-listener");
    if (pid <= 0 || pid == previous) continue;
    return wait_until_sleeping_in(pid, "futex", timeout) ? pid : -1;
  }
}

}  // namespace tether::bench
