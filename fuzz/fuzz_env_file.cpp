// Fuzz target: --env-file text (src/apps/environment_file.hpp) over arbitrary bytes. Never crashes or
// hangs; every accepted entry is NAME=VALUE with a valid name; a NUL byte is always refused; a refusal
// names a line of the input; and the entries written back in single quotes (a value without a quote or
// a newline) parse to the same entries.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "apps/environment_file.hpp"
#include "fuzz_check.hpp"

namespace {

bool valid_name(std::string_view key) {
  const auto allowed = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  return !key.empty() && !(key.front() >= '0' && key.front() <= '9') && std::all_of(key.begin(), key.end(), allowed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = tether::parse_environment_text(text);
  if (!parsed.ok()) {
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    TETHER_FUZZ_CHECK(parsed.error().line >= 1 && parsed.error().line <= lines, "a refusal names a line of the input");
    TETHER_FUZZ_CHECK(!parsed.error().message.empty(), "a refusal says why");
    return 0;
  }
  TETHER_FUZZ_CHECK(text.find('\0') == std::string_view::npos, "a NUL byte is refused");
  std::string rewritten;
  for (const auto& entry : parsed.value()) {
    const auto equals = entry.find('=');
    TETHER_FUZZ_CHECK(equals != std::string::npos, "an entry is NAME=VALUE");
    TETHER_FUZZ_CHECK(valid_name(std::string_view(entry).substr(0, equals)), "an entry's name is valid");
    const std::string_view value = std::string_view(entry).substr(equals + 1);
    if (value.find('\'') != std::string_view::npos) return 0;  // not expressible in single quotes
    rewritten += entry.substr(0, equals) + "='" + std::string(value) + "'\n";
  }
  const auto again = tether::parse_environment_text(rewritten);
  TETHER_FUZZ_CHECK(again.ok(), "entries written back in single quotes are accepted");
  TETHER_FUZZ_CHECK(again.value() == parsed.value(), "entries written back in single quotes read the same");
  return 0;
}
