#include "adapters/notify_area.hpp"

#include <cstring>

namespace tether {

namespace {
constexpr std::size_t status_bytes = WorkerNoticeArea::status_words * sizeof(std::uint64_t);
// A rewrite takes a few dozen stores; this many overlapping ones means a writer gone mad.
constexpr int read_attempts_max = 64;
}  // namespace

void publish_worker_notice(WorkerNoticeArea& area, const WorkerNoticeSnapshot& snapshot) {
  char text[status_bytes] = {};
  // One byte stays NUL, so a reader always finds the end.
  std::memcpy(text, snapshot.status_text.data(), std::min(snapshot.status_text.size(), status_bytes - 1));
  area.sequence.fetch_add(1);  // odd: rewriting
  area.identity.store(snapshot.worker.pack());
  area.flags.store((snapshot.ready ? worker_notice_ready : 0) | (snapshot.stopping ? worker_notice_stopping : 0));
  for (std::size_t index = 0; index < WorkerNoticeArea::status_words; ++index) {
    std::uint64_t word = 0;
    std::memcpy(&word, text + index * sizeof word, sizeof word);
    area.status_text[index].store(word);
  }
  area.sequence.fetch_add(1);  // even: consistent again
}

std::optional<WorkerNoticeSnapshot> read_worker_notice(const WorkerNoticeArea& area) {
  for (int attempt = 0; attempt < read_attempts_max; ++attempt) {
    const std::uint64_t before = area.sequence.load();
    if (before % 2 != 0) continue;
    WorkerNoticeSnapshot snapshot;
    snapshot.worker = ProcessIdentity::unpack(area.identity.load());
    const std::uint64_t flags = area.flags.load();
    char text[status_bytes] = {};
    for (std::size_t index = 0; index < WorkerNoticeArea::status_words; ++index) {
      const std::uint64_t word = area.status_text[index].load();
      std::memcpy(text + index * sizeof word, &word, sizeof word);
    }
    if (area.sequence.load() != before) continue;
    if (before == 0 || !snapshot.worker.valid()) return std::nullopt;  // never published
    snapshot.ready = (flags & worker_notice_ready) != 0;
    snapshot.stopping = (flags & worker_notice_stopping) != 0;
    snapshot.status_text.assign(text, strnlen(text, status_bytes));
    return snapshot;
  }
  return std::nullopt;
}

}  // namespace tether
