#include "sim_processes.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

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

ProcessTable::ProcessTable(std::uint32_t pid_count)
    : pids_(pid_count), pid_used_by_ours_(static_cast<std::size_t>(pid_count) + PidSpace::first_pid, false) {}

SimProcess& ProcessTable::push(ProcessKind kind, ProcessIdentity identity, Serial parent) {
  auto created = std::make_unique<SimProcess>();
  SimProcess& process = *created;
  process.serial = static_cast<Serial>(processes_.size() + 1);
  process.kind = kind;
  process.identity = identity;
  process.parent = parent;
  process.label = fmt::format("{}#{} pid {}", process_kind_name(kind), process.serial, identity.pid);
  if (kind == ProcessKind::controller || kind == ProcessKind::listener) {
    pid_used_by_ours_[static_cast<std::size_t>(identity.pid)] = true;
  }
  if (kind == ProcessKind::listener) live_workers_.push_back(process.serial);
  processes_.push_back(std::move(created));
  return process;
}

SimProcess* ProcessTable::add(ProcessKind kind, Serial parent, std::uint64_t now_ns) {
  const auto serial = static_cast<Serial>(processes_.size() + 1);
  const auto pid = pids_.allocate(serial);
  if (!pid.has_value()) return nullptr;
  SimProcess& process = push(kind, {*pid, next_start_ticks_++}, parent);
  process.ready_at_ns = now_ns;
  return &process;
}

SimProcess* ProcessTable::add_stranger(std::int32_t pid, std::uint64_t ready_at_ns) {
  const auto serial = static_cast<Serial>(processes_.size() + 1);
  if (!pids_.allocate_exact(pid, serial)) return nullptr;
  SimProcess& stranger = push(ProcessKind::foreign, {pid, next_start_ticks_++}, 0);
  stranger.ready_at_ns = ready_at_ns;
  return &stranger;
}

ProcessIdentity ProcessTable::earlier_identity(std::int32_t pid) {
  pid_used_by_ours_[static_cast<std::size_t>(pid)] = true;
  return {pid, next_start_ticks_++};
}

void ProcessTable::remove(SimProcess& process) {
  pids_.release(process.identity.pid);
  std::erase(live_workers_, process.serial);
}

Serial ProcessTable::find_alive(ProcessIdentity identity, bool pid_only) const {
  if (!identity.valid()) return 0;
  const Serial owner = pids_.owner(identity.pid);
  if (owner == 0) return 0;
  const SimProcess& candidate = at(owner);
  assert(candidate.alive);
  if (pid_only || identity.start_time_ticks == 0 || candidate.identity.start_time_ticks == identity.start_time_ticks) {
    return owner;
  }
  return 0;
}

}  // namespace tether::sim
