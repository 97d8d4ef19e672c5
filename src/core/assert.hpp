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

#if defined(TETHER_ASSERT_COST_BASELINE)
// Only bench_assert_cost_unchecked's copy of the core (bench/CMakeLists.txt) is built with this: the
// core without its checks, the baseline that shows what they cost. The condition is compiled (its
// names stay used) but never evaluated, and the compiler drops it.
#define TETHER_ASSERT(condition) static_cast<void>(false && static_cast<bool>(condition))
#else
#define TETHER_ASSERT(condition)                       \
  (static_cast<bool>(condition) ? static_cast<void>(0) \
                                : ::tether::detail::assertion_failed(#condition, __FILE__, __LINE__))
#endif
