#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "adapters/mapped_segment.hpp"
#include "adapters/pair_status.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"

namespace tether {

int run_clean(const std::string& name) {
  // Holding the controller lock while we look and remove: no controller can start on it meanwhile.
  auto opened = MappedSegment::open_for_cleaning(name);
  if (!opened.ok()) {
    if (opened.error().kind == SegmentError::Kind::not_found) {
      fmt::print("{}: no segment; nothing to clean\n", name);
      return exit_code::ok;
    }
    fmt::print(stderr, "tether clean: {}\n", opened.error().message);
    return opened.error().exit_code();
  }
  MappedSegment& segment = opened.value();
  const SegmentFault fault = segment.fault();
  if (fault == SegmentFault::none) {
    // A worker that never registered (a plain one) counts too: removing its segment would lose the
    // only record a later controller could adopt it by.
    const LiveWorker worker = find_live_worker(segment);
    if (worker.alive()) {
      fmt::print(stderr, "tether clean: '{}' has a live {} (pid {}); use `tether shutdown {}`\n", name,
                 worker.registered ? "listener" : "unregistered worker", worker.identity.pid, name);
      return exit_code::cant_create;
    }
  }
  if (!MappedSegment::remove(name)) {
    const int error = errno;  // shm_unlink's reason, before anything else can overwrite it
    fmt::print(stderr, "tether clean: cannot remove segment '{}': {}\n", name, std::strerror(error));
    return exit_code::os_error;
  }
  fmt::print("{}: removed segment ({})\n", name, segment_fault_text(fault));
  return exit_code::ok;
}

}  // namespace tether
