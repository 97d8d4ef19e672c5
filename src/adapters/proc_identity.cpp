#include "adapters/proc_identity.hpp"

#include <charconv>
#include <string>
#include <unistd.h>

#include "adapters/file_text.hpp"

namespace tether {

std::optional<ProcStat> parse_proc_stat(pid_t pid, std::string_view text) {
  // The command name (field 2) may hold spaces and parentheses: fields resume after the LAST ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) return std::nullopt;
  std::string_view rest = text.substr(close + 2);
  ProcStat stat;
  stat.state = rest.front();
  // Field 3 is the state; field 22 (start time) is 19 fields further on.
  constexpr int fields_to_skip = 19;
  for (int skipped = 0; skipped < fields_to_skip; ++skipped) {
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(space + 1);
  }
  std::uint64_t start_time_ticks = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), start_time_ticks);
  if (error != std::errc{} || end == rest.data()) return std::nullopt;
  if (start_time_ticks > ProcessIdentity::start_time_ticks_max) return std::nullopt;
  if (pid <= 0 || static_cast<std::uint64_t>(pid) > ProcessIdentity::pid_max) return std::nullopt;
  stat.identity = ProcessIdentity{pid, start_time_ticks};
  return stat;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  // A stat line is about 300 bytes: a 64-byte name and 50 numbers; more is not a stat file.
  constexpr std::size_t stat_bytes_max = 4096;
  // The process may end and be reaped between the open and the read (ESRCH): then it is not there.
  const auto text = read_file_text("/proc/" + std::to_string(pid) + "/stat", stat_bytes_max);
  if (!text.ok()) return std::nullopt;
  return parse_proc_stat(pid, text.value());
}

bool identity_alive(ProcessIdentity identity) {
  if (!identity.valid()) return false;
  const auto stat = read_proc_stat(identity.pid);
  return stat.has_value() && stat->identity == identity && stat->state != 'Z' && stat->state != 'X';
}

ProcessIdentity self_identity() {
  const auto stat = read_proc_stat(getpid());
  // /proc is mounted on every Linux system Tether supports; without it identities are meaningless.
  if (!stat.has_value()) return ProcessIdentity{getpid(), 0};
  return stat->identity;
}

}  // namespace tether
