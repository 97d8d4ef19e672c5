#pragma once
// The worker notice area of the segment (segment_layout.hpp, WorkerNoticeArea): written by the
// controller's driver, read by `tether status`. One writer; readers retry around a rewrite.
#include <optional>
#include <string>
#include <string_view>

#include "core/process_identity.hpp"
#include "core/segment_layout.hpp"

namespace tether {

struct WorkerNoticeSnapshot {
  ProcessIdentity worker{};
  bool ready = false;
  bool stopping = false;
  std::string status_text;
};

// Replaces what the area says. Only the controller holding the name calls this.
void publish_worker_notice(WorkerNoticeArea& area, const WorkerNoticeSnapshot& snapshot);

// A consistent copy, or nullopt when nothing was published or a rewrite kept overlapping the read
// (bounded: a reader never spins on a busy writer).
std::optional<WorkerNoticeSnapshot> read_worker_notice(const WorkerNoticeArea& area);

}  // namespace tether
