#pragma once
// Fuzz targets check their invariants with this rather than assert(): it stays on in every build type
// and names the broken invariant before aborting, which libFuzzer reports as a crash with the input.
#include <cstdio>
#include <cstdlib>

#define TETHER_FUZZ_CHECK(condition, what)                                            \
  do {                                                                                \
    if (!(condition)) {                                                               \
      std::fprintf(stderr, "fuzz invariant violated: %s (%s)\n", (what), #condition); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)
