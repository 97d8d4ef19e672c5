#include "adapters/notify_area.hpp"

#include <algorithm>
#include <cstring>

#include "adapters/seqlock.hpp"

namespace tether {

namespace {
constexpr std::size_t status_bytes = WorkerNoticeArea::status_words * sizeof(std::uint64_t);
}  // namespace

void publish_worker_notice(WorkerNoticeArea& area, const WorkerNoticeSnapshot& snapshot) {
  char text[status_bytes] = {};
  // One byte stays NUL, so a reader always finds the end.
  std::copy_n(snapshot.status_text.data(), std::min(snapshot.status_text.size(), status_bytes - 1), text);
  seqlock_write(area.sequence, [&] {
    area.identity.store(snapshot.worker.pack());
    area.flags.store((snapshot.ready ? worker_notice_ready : 0) | (snapshot.stopping ? worker_notice_stopping : 0));
    for (std::size_t index = 0; index < WorkerNoticeArea::status_words; ++index) {
      std::uint64_t word = 0;
      std::memcpy(&word, text + index * sizeof word, sizeof word);
      area.status_text[index].store(word);
    }
  });
}

std::optional<WorkerNoticeSnapshot> read_worker_notice(const WorkerNoticeArea& area) {
  WorkerNoticeSnapshot snapshot;
  std::uint64_t flags = 0;
  char text[status_bytes] = {};
  const auto sequence = seqlock_read(area.sequence, [&] {
    snapshot.worker = ProcessIdentity::unpack(area.identity.load());
    flags = area.flags.load();
    for (std::size_t index = 0; index < WorkerNoticeArea::status_words; ++index) {
      const std::uint64_t word = area.status_text[index].load();
      std::memcpy(text + index * sizeof word, &word, sizeof word);
    }
  });
  if (!sequence.has_value() || *sequence == 0 || !snapshot.worker.valid()) return std::nullopt;  // never published
  snapshot.ready = (flags & worker_notice_ready) != 0;
  snapshot.stopping = (flags & worker_notice_stopping) != 0;
  snapshot.status_text.assign(text, strnlen(text, status_bytes));
  return snapshot;
}

}  // namespace tether
