#pragma once
// Restart arithmetic: exponential backoff with a cap, and the crash-loop (start) limit. Pure functions
// and a bounded record of start times, so that property tests can attack them directly.
#include <array>
#include <cstdint>
#include <string_view>
#include <optional>

namespace tether {

enum class RestartMode : std::uint8_t { always, on_failure, never };
std::optional<RestartMode> parse_restart_mode(std::string_view text);
std::string_view restart_mode_name(RestartMode mode);

// Delay before restart number `consecutive_failures` (1 for the first restart after a good run):
// restart_delay_ms doubled per consecutive failure, never above restart_delay_ms_max, never overflowing.
std::uint64_t restart_delay_ms(std::uint64_t restart_delay_ms_base, std::uint64_t restart_delay_ms_max,
                               std::uint32_t consecutive_failures);

// Remembers the most recent starts; `allows_start` is false when `start_limit` starts already happened
// within the last `interval_ns`, i.e. the limit triggers on the attempt that would be start N+1.
class StartLimiter {
 public:
  static constexpr std::uint32_t start_limit_max = 1000;

  StartLimiter(std::uint32_t start_limit, std::uint64_t interval_ns);
  [[nodiscard]] bool allows_start(std::uint64_t now_ns) const;
  // How many more starts the limit allows at `now_ns` (for status; 0 when the limit is reached).
  [[nodiscard]] std::uint32_t starts_left(std::uint64_t now_ns) const;
  void record_start(std::uint64_t now_ns);
  // A start after a healthy run begins a new count: only a crash loop of short runs reaches the limit.
  void forget_starts();
  // Over the starts that still matter (the last start_limit), so equal histories hash equally.
  [[nodiscard]] std::uint64_t hash() const;
  friend bool operator==(const StartLimiter& a, const StartLimiter& b);

 private:
  std::uint32_t start_limit_;
  std::uint64_t interval_ns_;
  std::array<std::uint64_t, start_limit_max> start_ns_ring_{};
  std::uint32_t recorded_ = 0;  // total starts recorded, saturating at start_limit_max
  std::uint32_t next_ = 0;      // ring index of the slot to write next
};

}  // namespace tether
