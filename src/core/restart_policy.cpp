#include "core/restart_policy.hpp"

#include <algorithm>
#include <limits>

#include "core/assert.hpp"

namespace tether {

std::optional<RestartMode> parse_restart_mode(std::string_view text) {
  if (text == "always") return RestartMode::always;
  if (text == "on-failure") return RestartMode::on_failure;
  if (text == "never") return RestartMode::never;
  return std::nullopt;
}

std::string_view restart_mode_name(RestartMode mode) {
  switch (mode) {
    case RestartMode::always: return "always";
    case RestartMode::on_failure: return "on-failure";
    case RestartMode::never: return "never";
  }
  return "invalid";
}

std::uint64_t restart_delay_ms(std::uint64_t restart_delay_ms_base, std::uint64_t restart_delay_ms_max,
                               std::uint32_t consecutive_failures) {
  TETHER_ASSERT(consecutive_failures >= 1);
  std::uint64_t delay_ms = restart_delay_ms_base;
  // Bounded: any base of at least 1 reaches the cap or the overflow guard by the 64th doubling, so no
  // more can matter (a base of 0 stays 0). The 64th must still run: 1 doubled 63 times is only 2^63.
  for (std::uint32_t doubling = 1; doubling < consecutive_failures && doubling <= 64; ++doubling) {
    if (delay_ms >= restart_delay_ms_max) break;
    if (delay_ms > std::numeric_limits<std::uint64_t>::max() / 2) {
      delay_ms = restart_delay_ms_max;
      break;
    }
    delay_ms *= 2;
  }
  const std::uint64_t result = delay_ms < restart_delay_ms_max ? delay_ms : restart_delay_ms_max;
  TETHER_ASSERT(result <= restart_delay_ms_max);
  return result;
}

StartLimiter::StartLimiter(std::uint32_t start_limit, std::uint64_t interval_ns)
    : start_limit_(start_limit), interval_ns_(interval_ns) {
  TETHER_ASSERT(start_limit >= 1);
  TETHER_ASSERT(start_limit <= start_limit_max);
}

bool StartLimiter::allows_start(std::uint64_t now_ns) const {
  if (recorded_ < start_limit_) return true;
  // The start `start_limit_` places back is the oldest one that can still be inside the window.
  const std::uint32_t oldest = (next_ + start_limit_max - start_limit_) % start_limit_max;
  const std::uint64_t oldest_ns = start_ns_ring_[oldest];
  TETHER_ASSERT(oldest_ns <= now_ns);
  return now_ns - oldest_ns >= interval_ns_;
}

std::uint32_t StartLimiter::starts_left(std::uint64_t now_ns) const {
  // Starts inside the window, newest first; the ring holds at least the last start_limit_ of them.
  const std::uint32_t considered = std::min(recorded_, start_limit_);
  std::uint32_t inside = 0;
  for (std::uint32_t back = 1; back <= considered; ++back) {
    const std::uint64_t start_ns = start_ns_ring_[(next_ + start_limit_max - back) % start_limit_max];
    if (start_ns > now_ns || now_ns - start_ns >= interval_ns_) break;
    ++inside;
  }
  return start_limit_ - inside;
}

void StartLimiter::record_start(std::uint64_t now_ns) {
  TETHER_ASSERT(recorded_ == 0 || start_ns_ring_[(next_ + start_limit_max - 1) % start_limit_max] <= now_ns);
  start_ns_ring_[next_] = now_ns;
  next_ = (next_ + 1) % start_limit_max;
  if (recorded_ < start_limit_max) ++recorded_;
}

void StartLimiter::forget_starts() {
  recorded_ = 0;
  next_ = 0;
  start_ns_ring_.fill(0);
}

std::uint64_t StartLimiter::hash() const {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  const auto add = [&hash](std::uint64_t value) { hash = (hash ^ value) * 0x100000001b3ull; };
  add(start_limit_);
  add(interval_ns_);
  add(recorded_);
  const std::uint32_t kept = recorded_ < start_limit_ ? recorded_ : start_limit_;
  for (std::uint32_t back = 1; back <= kept; ++back) {
    add(start_ns_ring_[(next_ + start_limit_max - back) % start_limit_max]);
  }
  return hash;
}

bool operator==(const StartLimiter& a, const StartLimiter& b) {
  // Two limiters decide alike when they have the same limit and window and agree on the starts that can
  // still count; how many older starts fell out of the ring does not matter beyond the limit.
  if (a.start_limit_ != b.start_limit_ || a.interval_ns_ != b.interval_ns_) return false;
  const auto kept = [](const StartLimiter& l) { return l.recorded_ < l.start_limit_ ? l.recorded_ : l.start_limit_; };
  if (kept(a) != kept(b)) return false;
  for (std::uint32_t back = 1; back <= kept(a); ++back) {
    if (a.start_ns_ring_[(a.next_ + StartLimiter::start_limit_max - back) % StartLimiter::start_limit_max] !=
        b.start_ns_ring_[(b.next_ + StartLimiter::start_limit_max - back) % StartLimiter::start_limit_max]) {
      return false;
    }
  }
  return true;
}

}  // namespace tether
