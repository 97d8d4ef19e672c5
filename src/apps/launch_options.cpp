#include "apps/launch_options.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "adapters/file_text.hpp"
#include "apps/environment_file.hpp"
#include "core/exit_codes.hpp"

namespace tether {

std::optional<int> parse_signal(const std::string& text) {
  int number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc{} && end == text.data() + text.size()) {
    if (number > 0 && number < NSIG) return number;
    return std::nullopt;
  }
  const std::string_view name =
      std::string_view(text).starts_with("SIG") ? std::string_view(text).substr(3) : std::string_view(text);
  for (int candidate = 1; candidate < NSIG; ++candidate) {
    const char* abbreviation = sigabbrev_np(candidate);
    if (abbreviation != nullptr && name == abbreviation) return candidate;
  }
  return std::nullopt;
}

std::optional<std::string> environment_entry_problem(const std::string& entry) {
  const auto equals = entry.find('=');
  if (equals == std::string::npos) return fmt::format("'{}' is not KEY=VALUE", entry);
  if (equals == 0) return fmt::format("'{}' has no variable name before '='", entry);
  const std::string_view key(entry.data(), equals);
  if (!valid_environment_name(key)) return fmt::format("'{}': '{}' is not a valid variable name", entry, key);
  return std::nullopt;
}

Result<std::vector<std::string>, OptionError> read_environment_file(const std::string& path) {
  // A byte limit keeps a runaway file (say /dev/zero, one endless line) from eating memory.
  constexpr std::size_t env_file_bytes_max = 1024 * 1024;
  const auto text = read_file_text(path, env_file_bytes_max);
  if (!text.ok()) {
    if (text.error().error_number == EFBIG) {
      return fail(OptionError{OptionErrorKind::refused,
                              fmt::format("env file '{}' is larger than {} bytes", path, env_file_bytes_max),
                              exit_code::usage});
    }
    return fail(OptionError{OptionErrorKind::unreadable,
                            fmt::format("cannot read env file '{}': {}", path, file_text_error_text(text.error())),
                            exit_code::no_input});
  }
  auto entries = parse_environment_text(text.value());
  if (!entries.ok()) {
    return fail(
        OptionError{OptionErrorKind::refused,
                    fmt::format("env file '{}' line {}: {}", path, entries.error().line, entries.error().message),
                    exit_code::usage});
  }
  return std::move(entries).value();
}

Result<UniqueFd, OptionError> open_log_file(const std::string& path) {
  const auto refused = [&path](int error) {
    const bool forbidden = error == EACCES || error == EPERM;
    return fail(OptionError{forbidden ? OptionErrorKind::forbidden : OptionErrorKind::cannot_open,
                            fmt::format("cannot open log file '{}': {}{}", path, std::strerror(error),
                                        error == ENXIO ? " (a FIFO that nobody reads)" : ""),
                            forbidden ? exit_code::no_permission : exit_code::cant_create});
  };
  // Non-blocking open: a FIFO nobody reads fails with ENXIO instead of holding the controller in open(2)
  // (before it has a segment; on SIGHUP, inside its loop). The worker gets the descriptor blocking again,
  // as a file or pipe it writes to normally is.
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0640));
  if (!fd) return refused(errno);
  const int flags = fcntl(fd.get(), F_GETFL);
  if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) return refused(errno);
  return fd;
}

}  // namespace tether
