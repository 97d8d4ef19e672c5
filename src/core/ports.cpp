#include "core/ports.hpp"

namespace tether {

std::string_view spawn_error_text(SpawnError error) {
  switch (error) {
    case SpawnError::not_found: return "the listener command was not found or is not executable";
    case SpawnError::resources: return "out of resources (processes, memory or descriptors)";
    case SpawnError::identity_unknown: return "the listener died before its identity could be read";
  }
  return "unknown spawn error";
}

}  // namespace tether
