#include "adapters/mapped_segment.hpp"

#include <boost/interprocess/exceptions.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <limits>
#include <type_traits>
#include <sys/file.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/futex.hpp"
#include "adapters/unique_fd.hpp"
#include "core/assert.hpp"
#include "core/exit_codes.hpp"
#include "core/names.hpp"

namespace tether {

namespace bip = boost::interprocess;

int segment_error_exit_code(SegmentErrorKind kind) {
  using Kind = SegmentErrorKind;
  switch (kind) {
    case Kind::not_found: return exit_code::no_input;
    case Kind::permission: return exit_code::no_permission;
    case Kind::foreign: return exit_code::data_error;
    case Kind::uninitialised: return exit_code::temp_failure;
    case Kind::locked: return exit_code::cant_create;
    case Kind::os: return exit_code::os_error;
  }
  return exit_code::software;
}

SegmentError segment_error(SegmentErrorKind kind, std::string message) {
  return {kind, std::move(message), segment_error_exit_code(kind)};
}

namespace {

// Opening races with creators and removers (a name can vanish between two calls); each attempt makes
// progress unless someone else does, so a few suffice.
constexpr int open_attempts_max = 8;

SegmentError from_errno(std::string_view name, int error_number, std::string_view doing) {
  if (error_number == ENOENT) {
    return segment_error(SegmentError::Kind::not_found, fmt::format("no segment named '{}'", name));
  }
  if (error_number == EACCES || error_number == EPERM) {
    return segment_error(SegmentError::Kind::permission,
                         fmt::format("permission denied to {} segment '{}'", doing, name));
  }
  return segment_error(SegmentError::Kind::os,
                       fmt::format("cannot {} segment '{}': {}", doing, name, std::strerror(error_number)));
}

int descriptor(const bip::shared_memory_object& object) { return object.get_mapping_handle().handle; }

// Where glibc's shm_open keeps the object.
std::string object_path(std::string_view name) { return "/dev/shm/" + segment_object_name(name).substr(1); }

// Segments are private to their user (mode 600): even root must ask as that user, and is told how.
SegmentError other_owner_error(std::string_view name, uid_t owner) {
  const passwd* account = getpwuid(owner);
  const std::string user = account != nullptr ? std::string(account->pw_name) : fmt::format("#{}", owner);
  return segment_error(SegmentError::Kind::permission,
                       fmt::format("segment '{}' belongs to {} (uid {}), not to us (uid {}); ask as its owner, for "
                                   "example with sudo -u {}",
                                   name, user, owner, geteuid(), user));
}

// What a path in /dev/shm is when it is not a shared-memory object (those are regular files there).
std::string_view file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link (never followed)";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "a device";
}

// Looks before opening for reading: shm_open without O_RDWR blocks on a FIFO until a writer comes, and
// /dev/shm is writable by every user, so anyone could plant one under a pair's name and hang `tether
// status`, `list` and `clean` for good. Only what is ours and no FIFO is opened; in a sticky directory
// nobody but its owner (we) can put something else in its place afterwards.
std::optional<SegmentError> check_before_opening(std::string_view name) {
  struct stat status {};
  if (lstat(object_path(name).c_str(), &status) != 0) return from_errno(name, errno, "inspect");
  if (status.st_uid != geteuid()) return other_owner_error(name, status.st_uid);
  if (!S_ISREG(status.st_mode)) {
    return segment_error(SegmentError::Kind::foreign, fmt::format("segment '{}' is {}, not a shared-memory object ({})",
                                                                  name, file_kind(status.st_mode), object_path(name)));
  }
  return std::nullopt;
}

// Refuses objects we must not trust before mapping them: another owner, group/other access, a size
// that is not our layout's (an empty object is allowed only to the controller, who sizes it).
std::optional<SegmentError> check_object(std::string_view name, int fd, bool allow_empty) {
  struct stat status {};
  if (fstat(fd, &status) != 0) return from_errno(name, errno, "inspect");
  if (status.st_uid != geteuid()) return other_owner_error(name, status.st_uid);
  if ((status.st_mode & 077) != 0) {
    return segment_error(
        SegmentError::Kind::permission,
        fmt::format("segment '{}' is accessible to other users (mode {:o}); refusing it", name, status.st_mode & 0777));
  }
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size == 0 && allow_empty) return std::nullopt;
  if (size == 0) {
    // Created but not sized yet: its controller is setting it up, or died doing so. Not foreign.
    return segment_error(SegmentError::Kind::uninitialised,
                         fmt::format("segment '{}' is empty (being created, or its creator died)", name));
  }
  if (size != segment_size_bytes) {
    return segment_error(
        SegmentError::Kind::foreign,
        fmt::format("segment '{}' has {} bytes, not the {} of a tether segment", name, size, segment_size_bytes));
  }
  return std::nullopt;
}

// Growing a file past RLIMIT_FSIZE raises SIGXFSZ, which ends the process (a controller under
// `ulimit -f 1` died with 153 and left an empty object): an empty object is not grown past the limit.
bool growth_allowed(int fd) {
  struct stat status {};
  rlimit limit{};
  if (fstat(fd, &status) == 0 && status.st_size != 0) return true;
  return getrlimit(RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur >= segment_size_bytes;
}

SegmentError fault_error(std::string_view name, SegmentFault fault) {
  const auto kind =
      fault == SegmentFault::uninitialised ? SegmentError::Kind::uninitialised : SegmentError::Kind::foreign;
  return segment_error(kind, fmt::format("segment '{}': {}", name, segment_fault_text(fault)));
}

// Takes the controller lock on the object, then checks that the name still refers to this object: a
// remover may have unlinked it between our open and our lock, and a lock on an unlinked object guards
// nothing.
std::optional<SegmentError> lock_and_confirm(std::string_view name, int fd, bool& stale) {
  stale = false;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return segment_error(SegmentError::Kind::locked,
                           fmt::format("name '{}' is held by another running controller", name));
    }
    return from_errno(name, errno, "lock");
  }
  struct stat held {};
  struct stat named {};
  const std::string path = object_path(name);
  if (fstat(fd, &held) != 0) return from_errno(name, errno, "inspect");
  if (stat(path.c_str(), &named) != 0 || named.st_ino != held.st_ino || named.st_dev != held.st_dev) {
    stale = true;
  }
  return std::nullopt;
}

}  // namespace

MappedSegment::MappedSegment(std::string name, bip::shared_memory_object object, bip::mapped_region region)
    : name_(std::move(name)), object_(std::move(object)), region_(std::move(region)) {
  // Only `tether clean` holds a segment too short to map (no region): it never reads its fields.
  TETHER_ASSERT(region_.get_address() == nullptr || region_.get_size() >= segment_size_bytes);
}

SegmentImage& MappedSegment::image() const {
  TETHER_ASSERT(region_.get_address() != nullptr);
  return *static_cast<SegmentImage*>(region_.get_address());
}

Result<MappedSegment, SegmentError> MappedSegment::open_existing(std::string_view name, Access access) {
  const std::string object_name = segment_object_name(name);
  const auto mode = access == Access::read_only ? bip::read_only : bip::read_write;
  if (auto problem = check_before_opening(name)) return fail(*problem);
  try {
    bip::shared_memory_object object(bip::open_only, object_name.c_str(), mode);
    if (auto problem = check_object(name, descriptor(object), false)) return fail(*problem);
    bip::mapped_region region(object, mode, 0, segment_size_bytes);
    const auto* bytes = static_cast<const std::byte*>(region.get_address());
    const SegmentFault fault = validate_segment_bytes({bytes, region.get_size()});
    if (fault != SegmentFault::none) return fail(fault_error(name, fault));
    return MappedSegment(std::string(name), std::move(object), std::move(region));
  } catch (const bip::interprocess_exception& exception) {
    return fail(from_errno(name, exception.get_native_error(), "open"));
  }
}

Result<MappedSegment, SegmentError> MappedSegment::open_for_controller(std::string_view name) {
  const std::string object_name = segment_object_name(name);
  for (int attempt = 0; attempt < open_attempts_max; ++attempt) {
    try {
      std::optional<bip::shared_memory_object> object;
      try {
        object.emplace(bip::create_only, object_name.c_str(), bip::read_write, bip::permissions(0600));
      } catch (const bip::interprocess_exception& exception) {
        if (exception.get_error_code() != bip::already_exists_error) throw;
        // Whatever holds the name must be a shared-memory object of ours before we open it.
        if (auto problem = check_before_opening(name)) {
          if (problem->kind == SegmentError::Kind::not_found) continue;  // removed meanwhile: retry
          return fail(*problem);
        }
        try {
          object.emplace(bip::open_only, object_name.c_str(), bip::read_write);
        } catch (const bip::interprocess_exception& open_exception) {
          if (open_exception.get_native_error() == ENOENT) continue;  // removed meanwhile: retry
          throw;
        }
      }
      const int fd = descriptor(*object);
      bool stale = false;
      if (auto problem = lock_and_confirm(name, fd, stale)) return fail(*problem);
      if (stale) continue;
      if (auto problem = check_object(name, fd, true)) return fail(*problem);
      // Only the lock holder sizes the object; an empty one was left by a creator that died first. The
      // page is allocated, not just sized: a sparse page on a full /dev/shm cannot be backed, and the
      // first write to it ended the controller with SIGBUS. (The check above admits 0 or the layout's
      // size, so this never changes the size of a segment in use; it returns an errno value.)
      if (!growth_allowed(fd)) return fail(from_errno(name, EFBIG, "allocate"));
      if (const int error_number = posix_fallocate(fd, 0, static_cast<off_t>(segment_size_bytes))) {
        return fail(from_errno(name, error_number, "allocate"));
      }
      bip::mapped_region region(*object, bip::read_write, 0, segment_size_bytes);
      const auto* bytes = static_cast<const std::byte*>(region.get_address());
      const SegmentFault fault = validate_segment_bytes({bytes, region.get_size()});
      if (fault != SegmentFault::none && fault != SegmentFault::uninitialised) {
        return fail(fault_error(name, fault));
      }
      return MappedSegment(std::string(name), std::move(*object), std::move(region));
    } catch (const bip::interprocess_exception& exception) {
      return fail(from_errno(name, exception.get_native_error(), "create"));
    }
  }
  return fail(
      segment_error(SegmentError::Kind::os, fmt::format("segment '{}' kept being replaced while we opened it", name)));
}

Result<MappedSegment, SegmentError> MappedSegment::open_for_cleaning(std::string_view name) {
  const std::string object_name = segment_object_name(name);
  if (auto problem = check_before_opening(name)) return fail(*problem);
  try {
    bip::shared_memory_object object(bip::open_only, object_name.c_str(), bip::read_only);
    bool stale = false;
    if (auto problem = lock_and_confirm(name, descriptor(object), stale)) return fail(*problem);
    if (stale) return fail(segment_error(SegmentError::Kind::not_found, fmt::format("no segment named '{}'", name)));
    struct stat status {};
    if (fstat(descriptor(object), &status) != 0) return fail(from_errno(name, errno, "inspect"));
    if (status.st_uid != geteuid()) {
      return fail(segment_error(SegmentError::Kind::permission,
                                fmt::format("segment '{}' is owned by uid {}, not by us", name, status.st_uid)));
    }
    // A truncated object cannot be mapped to its full size; map what it has, at least one byte.
    const auto size = static_cast<std::size_t>(status.st_size);
    if (size < segment_size_bytes) {
      return MappedSegment(std::string(name), std::move(object), bip::mapped_region());
    }
    bip::mapped_region region(object, bip::read_only, 0, segment_size_bytes);
    return MappedSegment(std::string(name), std::move(object), std::move(region));
  } catch (const bip::interprocess_exception& exception) {
    return fail(from_errno(name, exception.get_native_error(), "open"));
  }
}

bool MappedSegment::remove(std::string_view name) {
  return bip::shared_memory_object::remove(segment_object_name(name).c_str());
}

bool MappedSegment::controller_lock_held() const {
  // A description of our own, reopened through /proc: our descriptor's description may hold the lock
  // itself (a cleaner), and a lock probe on it would always succeed.
  const std::string path = "/proc/self/fd/" + std::to_string(descriptor(object_));
  const UniqueFd probe(open(path.c_str(), O_RDONLY | O_CLOEXEC));  // closing it releases a lock it took
  if (!probe) return false;  // no /proc: nothing in tether can see processes; do not wait forever
  return flock(probe.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

WorkerNoticeArea& MappedSegment::worker_notice_area() const { return image().worker_notice; }

ControllerReportArea& MappedSegment::controller_report_area() const { return image().controller_report; }

SegmentFault MappedSegment::fault() const {
  if (region_.get_address() == nullptr) return SegmentFault::truncated;
  const auto* bytes = static_cast<const std::byte*>(region_.get_address());
  return validate_segment_bytes({bytes, region_.get_size()});
}

namespace {
// Calls `visit` with the field's atomic word, whatever its width (the shutdown word is 32 bits).
template <typename Visit>
std::uint64_t visit_word(SegmentImage& image, Field field, const Visit& visit) {
  switch (field) {
#define TETHER_VISIT_WORD(name, word, initial) \
  case Field::name: return visit(image.name);
    TETHER_SEGMENT_FIELDS(TETHER_VISIT_WORD)
#undef TETHER_VISIT_WORD
    case Field::count_: break;
  }
  TETHER_ASSERT(false && "a field of the table");
  return 0;
}

// The value narrowed to the word's width; a value that does not fit is a caller's bug.
template <typename Atomic>
auto narrowed(std::uint64_t value) {
  using Word = typename Atomic::value_type;
  TETHER_ASSERT(value <= std::numeric_limits<Word>::max());
  return static_cast<Word>(value);
}
}  // namespace

std::uint64_t MappedSegment::load(Field field) {
  return visit_word(image(), field, [](auto& word) -> std::uint64_t { return word.load(); });
}

void MappedSegment::store(Field field, std::uint64_t value) {
  TETHER_ASSERT(field != Field::shutdown_request || value <= 1);
  visit_word(image(), field, [value](auto& word) -> std::uint64_t {
    word.store(narrowed<std::remove_reference_t<decltype(word)>>(value));
    return 0;
  });
}

bool MappedSegment::compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) {
  return visit_word(image(), field, [&expected, desired](auto& word) -> std::uint64_t {
           using Atomic = std::remove_reference_t<decltype(word)>;
           auto expected_word = static_cast<typename Atomic::value_type>(expected);
           if (expected_word != expected) {  // wider than the word, so not its value: fail as a CAS does
             expected = word.load();
             return 0;
           }
           const bool exchanged = word.compare_exchange_strong(expected_word, narrowed<Atomic>(desired));
           expected = expected_word;  // unchanged on success, the word's value on failure
           return exchanged ? 1 : 0;
         }) == 1;
}

std::uint64_t MappedSegment::fetch_add(Field field, std::uint64_t delta) {
  TETHER_ASSERT(field != Field::shutdown_request && "the shutdown word is set, never counted");
  return visit_word(image(), field, [delta](auto& word) -> std::uint64_t {
    return word.fetch_add(narrowed<std::remove_reference_t<decltype(word)>>(delta));
  });
}

void MappedSegment::wake_shutdown_waiters() { futex_wake_all(image().shutdown_request); }

const std::atomic<std::uint32_t>& MappedSegment::shutdown_word() const { return image().shutdown_request; }

}  // namespace tether
