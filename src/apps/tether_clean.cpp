#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <sys/stat.h>

#include "adapters/mapped_segment.hpp"
#include "adapters/pair_status.hpp"
#include "apps/tether_commands.hpp"
#include "core/exit_codes.hpp"
#include "core/names.hpp"
#include "core/segment_layout.hpp"

namespace tether {

namespace {

// What lies under the name, when it cannot be a tether segment whatever its bytes: not a regular file (a
// directory, a symbolic link, a FIFO...), or a size no controller gives one (it sizes an empty object to
// exactly one layout). nullopt when there is nothing there, or a file that may be ours.
std::optional<std::string> not_a_segment_file(const std::string& name) {
  const std::string path = "/dev/shm" + segment_object_name(name);
  struct stat status {};
  if (lstat(path.c_str(), &status) != 0) return std::nullopt;  // opening says why (no such segment, ...)
  if (S_ISLNK(status.st_mode)) return fmt::format("{} is a symbolic link", path);
  if (S_ISDIR(status.st_mode)) return fmt::format("{} is a directory", path);
  if (S_ISFIFO(status.st_mode)) return fmt::format("{} is a FIFO", path);
  if (!S_ISREG(status.st_mode)) return fmt::format("{} is not a regular file", path);
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size != 0 && size != segment_size_bytes) {
    return fmt::format("{} has {} bytes, not the {} of a tether segment", path, size, segment_size_bytes);
  }
  return std::nullopt;
}

// Whether a mapped object with this fault is one a controller left: a valid segment, one whose creator
// died before writing the magic (it is written last), or one it died before sizing (empty, which maps as
// truncated: not_a_segment_file refused every other truncated size). A foreign magic, another layout
// version or a wrong recorded size are not ours to delete.
bool left_by_a_controller(SegmentFault fault) {
  return fault == SegmentFault::none || fault == SegmentFault::uninitialised || fault == SegmentFault::truncated;
}

int refuse_foreign(const std::string& name, const std::string& what) {
  fmt::print(stderr, "tether clean: '{}': {}; not a tether segment, not removed\n", name, what);
  return exit_code::data_error;
}

}  // namespace

int run_clean(const std::string& name) {
  // Only tether's own objects are ever removed: clean removed a planted file it had just reported as
  // "foreign magic number (not a tether segment)".
  if (auto problem = not_a_segment_file(name)) return refuse_foreign(name, *problem);
  // Holding the controller lock while we look and remove: no controller can start on it meanwhile.
  auto opened = MappedSegment::open_for_cleaning(name);
  if (!opened.ok()) {
    if (opened.error().kind == SegmentError::Kind::not_found) {
      fmt::print("{}: no segment; nothing to clean\n", name);
      return exit_code::ok;
    }
    fmt::print(stderr, "tether clean: {}\n", opened.error().message);
    return opened.error().exit_code;
  }
  MappedSegment& segment = opened.value();
  const SegmentFault fault = segment.fault();
  if (!left_by_a_controller(fault)) return refuse_foreign(name, std::string(segment_fault_text(fault)));
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
