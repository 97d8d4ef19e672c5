#include "core/names.hpp"

#include "core/assert.hpp"

namespace tether {

std::optional<std::string> name_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > name_length_max) {
    return "it is longer than " + std::to_string(name_length_max) + " characters";
  }
  if (name.front() == '.') return "it must not start with a dot";
  // `tether status -x` would take such a name for an option.
  if (name.front() == '-') return "it must not start with '-' (a command line would take it for an option)";
  for (const char c : name) {
    const bool allowed =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!allowed) return "it may contain only letters, digits, '.', '_' and '-'";
  }
  return std::nullopt;
}

std::string segment_object_name(std::string_view name) {
  TETHER_ASSERT(!name_problem(name).has_value());
  std::string object = "/";
  object += segment_object_prefix;
  object += name;
  return object;
}

}  // namespace tether
