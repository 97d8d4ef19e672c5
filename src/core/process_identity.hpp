#pragma once
// A process identity is its pid plus its start time: a pid alone is reused by strangers, the pair is
// not (the kernel never gives one pid to two processes in the same clock tick of boot time).
#include <cstdint>

namespace tether {

struct ProcessIdentity {
  // Linux pid_max is at most 2^22 (PID_MAX_LIMIT); start time is in clock ticks since boot
  // (/proc/PID/stat field 22). 42 bits of ticks at 100 Hz last for more than a thousand years.
  static constexpr unsigned pid_bits = 22;
  static constexpr unsigned start_time_bits = 64 - pid_bits;
  static constexpr std::uint64_t pid_max = (std::uint64_t{1} << pid_bits) - 1;
  static constexpr std::uint64_t start_time_ticks_max = (std::uint64_t{1} << start_time_bits) - 1;

  std::int32_t pid = 0;
  std::uint64_t start_time_ticks = 0;

  [[nodiscard]] bool valid() const { return pid > 0; }

  // Packs into one word so that a reader never sees a pid paired with another process's start time.
  // The packed form of the empty identity is 0.
  [[nodiscard]] std::uint64_t pack() const;
  static ProcessIdentity unpack(std::uint64_t word);

  friend bool operator==(const ProcessIdentity&, const ProcessIdentity&) = default;
};

}  // namespace tether
