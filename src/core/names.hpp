#pragma once
// Pair names: they become shared-memory object names, so they are restricted to a portable set.
#include <optional>
#include <string>
#include <string_view>

namespace tether {

inline constexpr std::size_t name_length_max = 64;

// The problem with `name` as a message, or nullopt when it is a valid name ([A-Za-z0-9._-]{1,64}, not
// starting with a dot).
std::optional<std::string> name_problem(std::string_view name);

// The shared-memory object name for a pair name ("/tether.NAME").
std::string segment_object_name(std::string_view name);
inline constexpr std::string_view segment_object_prefix = "tether.";

}  // namespace tether
