// BM_StopCheck: what the listener's "should I stop?" check costs inside its work loop.
//   tether      ListenerSession::should_stop() on the segment mapped once (the public API's check).
//   seed_remap  the original design's check: open the shared-memory object by name, map a view, read
//               the word, unmap and close, on every check (what CreateViewStream per check costs).
// Target: tether at least 1000x cheaper.
#include <atomic>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/names.hpp"
#include "core/segment_layout.hpp"
#include "support/bare_segment.hpp"
#include "support/processes.hpp"
#include "tether/listener.hpp"

namespace {

using namespace tether;
using namespace tether::bench;

enum class Check { tether, seed_remap };

void BM_StopCheck(benchmark::State& state, Check check) {
  RunGuard guard;
  std::string error;
  auto bare = BareSegment::create(guard.name("stopcheck"), error);
  if (!bare) {
    state.SkipWithError(error.c_str());
    return;
  }
  if (check == Check::tether) {
    // This benchmark process is the listener: it registers like any worker would.
    auto session = ListenerSession::open(bare->name());
    if (!session.ok()) {
      state.SkipWithError(session.error().message.c_str());
      return;
    }
    bool stop = false;
    for (auto _ : state) {
      stop = session.value().should_stop();
      benchmark::DoNotOptimize(stop);
    }
    if (stop) state.SkipWithError("a shutdown request appeared in a private segment");
    return;
  }
  const std::string object = segment_object_name(bare->name());
  std::uint32_t seen = 0;
  for (auto _ : state) {
    const int fd = shm_open(object.c_str(), O_RDONLY, 0);
    if (fd < 0) {
      state.SkipWithError("shm_open failed");
      break;
    }
    void* view = mmap(nullptr, segment_size_bytes, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (view == MAP_FAILED) {
      state.SkipWithError("mmap failed");
      break;
    }
    seen |= static_cast<const SegmentImage*>(view)->shutdown_request.load(std::memory_order_acquire);
    munmap(view, segment_size_bytes);
  }
  benchmark::DoNotOptimize(seen);
  if (seen != 0) state.SkipWithError("a shutdown request appeared in a private segment");
}

BENCHMARK_CAPTURE(BM_StopCheck, tether, Check::tether);
BENCHMARK_CAPTURE(BM_StopCheck, seed_remap, Check::seed_remap);

}  // namespace
