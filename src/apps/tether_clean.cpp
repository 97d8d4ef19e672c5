#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "adapters/mapped_segment.hpp"
#include "adapters/proc_identity.hpp"
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
    const auto listener = ProcessIdentity::unpack(segment.load(Field::listener_identity));
    if (identity_alive(listener)) {
      fmt::print(stderr, "tether clean: '{}' has a live listener (pid {}); use `tether shutdown {}`\n", name,
                 listener.pid, name);
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
