#include "sim_processes.hpp"

#include <algorithm>
#include <cassert>

#include "sim_ports.hpp"

namespace tether::sim {

std::string_view process_kind_name(ProcessKind kind) {
  switch (kind) {
    case ProcessKind::controller: return "controller";
    case ProcessKind::listener: return "listener";
    case ProcessKind::tool: return "tether-shutdown";
    case ProcessKind::foreign: return "stranger";
  }
  return "invalid";
}

SimProcess::SimProcess() = default;
SimProcess::~SimProcess() = default;

PidSpace::PidSpace(std::uint32_t pid_count)
    : owners_(pid_count, 0), last_pid_(first_pid + static_cast<std::int32_t>(pid_count) - 1) {
  assert(pid_count >= 1);
}

std::optional<std::int32_t> PidSpace::allocate(Serial owner) {
  assert(owner != 0);
  const auto count = static_cast<std::int32_t>(owners_.size());
  for (std::int32_t offset = 1; offset <= count; ++offset) {
    const std::int32_t index = (last_pid_ - first_pid + offset) % count;
    if (owners_[static_cast<std::size_t>(index)] == 0) {
      owners_[static_cast<std::size_t>(index)] = owner;
      last_pid_ = index + first_pid;
      return last_pid_;
    }
  }
  return std::nullopt;
}

bool PidSpace::allocate_exact(std::int32_t pid, Serial owner) {
  const std::int32_t index = pid - first_pid;
  if (index < 0 || index >= static_cast<std::int32_t>(owners_.size())) return false;
  if (owners_[static_cast<std::size_t>(index)] != 0) return false;
  owners_[static_cast<std::size_t>(index)] = owner;
  return true;
}

void PidSpace::release(std::int32_t pid) {
  const std::int32_t index = pid - first_pid;
  assert(index >= 0 && index < static_cast<std::int32_t>(owners_.size()));
  assert(owners_[static_cast<std::size_t>(index)] != 0);
  owners_[static_cast<std::size_t>(index)] = 0;
}

bool PidSpace::has_free() const { return std::find(owners_.begin(), owners_.end(), Serial{0}) != owners_.end(); }

Serial PidSpace::owner(std::int32_t pid) const {
  const std::int32_t index = pid - first_pid;
  if (index < 0 || index >= static_cast<std::int32_t>(owners_.size())) return 0;
  return owners_[static_cast<std::size_t>(index)];
}

}  // namespace tether::sim
