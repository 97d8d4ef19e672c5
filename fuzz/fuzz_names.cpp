// Fuzz target: pair-name checking and shared-memory object names over arbitrary strings. Never crashes;
// accepts exactly [A-Za-z0-9._-]{1,64} without a leading dot or '-' (checked here independently); and a valid
// name maps to "/tether.<name>", a portable POSIX shared-memory name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/names.hpp"
#include "fuzz_check.hpp"

namespace {

bool allowed(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool expected_valid(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.front() == '-') return false;
  for (const char c : name) {
    if (!allowed(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string name(reinterpret_cast<const char*>(data), size);
  const auto problem = tether::name_problem(name);
  TETHER_FUZZ_CHECK(problem.has_value() != expected_valid(name), "name_problem agrees with the rule");
  if (problem.has_value()) {
    TETHER_FUZZ_CHECK(!problem->empty(), "a refusal says why");
    return 0;
  }
  const std::string object = tether::segment_object_name(name);
  TETHER_FUZZ_CHECK(object == "/tether." + name, "object name is /tether.<name>");
  TETHER_FUZZ_CHECK(object.find('/', 1) == std::string::npos, "one slash only");
  TETHER_FUZZ_CHECK(object.size() <= 255, "fits NAME_MAX");
  return 0;
}
