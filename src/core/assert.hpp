#pragma once
// One assertion macro for the whole tree. Unlike <cassert> it ignores NDEBUG: a release build of the
// controller is where a broken invariant does the most harm, so the check stays (TigerBeetle keeps its
// assertions in production for the same reason). Assertions catch programmer errors only; operating
// errors (a missing file, a dead process) are values (tether/result.hpp).
#include <cstdio>
#include <cstdlib>

namespace tether::detail {

[[noreturn]] inline void assertion_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "tether: assertion failed: %s (%s:%d)\n", condition, file, line);
  std::abort();
}

}  // namespace tether::detail

#define TETHER_ASSERT(condition)                       \
  (static_cast<bool>(condition) ? static_cast<void>(0) \
                                : ::tether::detail::assertion_failed(#condition, __FILE__, __LINE__))
