#pragma once
// The real shared segment: a POSIX shared-memory object (Boost.Interprocess) mapped into this process,
// validated before any field is trusted, implementing the core's SegmentPort with one atomic operation
// per call. Move-only; whoever holds the controller lock may remove the object.
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <string>
#include <string_view>

#include "adapters/segment_error.hpp"
#include "core/ports.hpp"
#include "core/result.hpp"
#include "core/segment_layout.hpp"

namespace tether {

class MappedSegment final : public SegmentPort {
 public:
  enum class Access : std::uint8_t { read_only, read_write };

  // Opens an existing, initialised segment of ours: refuses (without writing) a missing, foreign,
  // half-initialised or other user's object.
  static Result<MappedSegment, SegmentError> open_existing(std::string_view name, Access access);

  // For the controller: creates the object (mode 0600) or opens it, and takes the controller lock (an
  // flock(2) on the object, released by the kernel when we die). An empty or uninitialised object is
  // returned for the core to initialise; a foreign one is refused untouched.
  static Result<MappedSegment, SegmentError> open_for_controller(std::string_view name);

  // For `tether clean`: opens whatever object has the name, valid or not, and takes the controller lock
  // so that no controller can start on it meanwhile. `fault()` tells what is wrong with it.
  static Result<MappedSegment, SegmentError> open_for_cleaning(std::string_view name);

  // Removes the name; true when it existed.
  static bool remove(std::string_view name);

  MappedSegment(MappedSegment&&) noexcept = default;
  MappedSegment& operator=(MappedSegment&&) noexcept = default;
  MappedSegment(const MappedSegment&) = delete;
  MappedSegment& operator=(const MappedSegment&) = delete;
  ~MappedSegment() override = default;

  std::uint64_t load(Field field) override;
  void store(Field field, std::uint64_t value) override;
  bool compare_exchange(Field field, std::uint64_t& expected, std::uint64_t desired) override;
  std::uint64_t fetch_add(Field field, std::uint64_t delta) override;
  void wake_shutdown_waiters() override;

  // The shutdown word, for futex waits.
  [[nodiscard]] const std::atomic<std::uint32_t>& shutdown_word() const;
  // True while some process (a controller, or `tether clean`) holds the controller lock on this very
  // object, even after its name was removed. Probes through an open file description of its own (an
  // flock belongs to the description), taking the lock for an instant when it is free.
  [[nodiscard]] bool controller_lock_held() const;
  // What the worker said through the notify protocols (notify_area.hpp): not a Field, the cores never
  // touch it.
  [[nodiscard]] WorkerNoticeArea& worker_notice_area() const;
  [[nodiscard]] ControllerReportArea& controller_report_area() const;
  // What validation says about the mapped bytes now (`none` for a good segment).
  [[nodiscard]] SegmentFault fault() const;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  MappedSegment(std::string name, boost::interprocess::shared_memory_object object,
                boost::interprocess::mapped_region region);
  SegmentImage& image() const;

  std::string name_;
  boost::interprocess::shared_memory_object object_;
  boost::interprocess::mapped_region region_;
};

}  // namespace tether
