#pragma once
// What `tether status NAME --json` says about a worker's readiness (issue 15's notify tests).
#include <string>

#include "harness.hpp"

namespace tether::testing {

// "ready", "stopping", "unregistered", ... or "" when status printed no JSON.
inline std::string state_of(const std::string& name) {
  const auto status = status_json(name);
  return status.has_value() && status->contains("state") ? (*status)["state"].get<std::string>() : std::string();
}

// The worker's STATUS= text, or "" when it sent none.
inline std::string status_text_of(const std::string& name) {
  const auto status = status_json(name);
  if (!status.has_value() || !status->contains("status_text") || (*status)["status_text"].is_null()) return {};
  return (*status)["status_text"].get<std::string>();
}

}  // namespace tether::testing
