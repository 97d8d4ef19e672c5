#pragma once
// The controller's ears for its worker's readiness: the notify socket (NOTIFY_SOCKET) and the
// readiness pipes (--notification-fd), read by the controller loop when poll says so. What is accepted
// goes to the core as WorkerNotices and into the segment's worker notice area for `tether status`;
// what is refused (a stranger's datagram, an oversized or malformed one, a pipe that is not a pipe)
// becomes a log line and changes nothing.
#include <cstdint>
#include <optional>

#include "adapters/log_sink.hpp"
#include "adapters/notify_area.hpp"
#include "adapters/notify_message.hpp"
#include "adapters/notify_socket.hpp"
#include "adapters/posix_processes.hpp"
#include "core/controller_core.hpp"

namespace tether {

class WorkerNotices {
 public:
  // A flood cannot hold the loop: at most this many datagrams are read per wake-up, and the rest wait
  // for the next turn (after the core has stepped and the signals were read).
  static constexpr int datagrams_per_wakeup_max = 32;
  // Refusals logged one by one per wake-up; the rest of that wake-up's are counted in one line.
  static constexpr int refusals_logged_per_wakeup_max = 4;

  // `socket`: none when the worker gets no NOTIFY_SOCKET. `area`: where `tether status` reads.
  WorkerNotices(std::optional<NotifySocket> socket, WorkerNoticeArea& area);

  // The socket's descriptor for poll, or -1.
  [[nodiscard]] int socket_descriptor() const { return socket_.has_value() ? socket_->descriptor() : -1; }

  void read_socket(ControllerCore& core, std::uint64_t now_ns, const LogSink& log);
  void read_pipe(ProcessIdentity worker, PosixProcesses& processes, ControllerCore& core, std::uint64_t now_ns,
                 const LogSink& log);

 private:
  // One accepted datagram from the worker's group.
  void take(const NotifyMessage& message, ProcessIdentity worker, ControllerCore& core, std::uint64_t now_ns);
  // Makes `worker` the one the published notice is about (a new launch starts with a clean slate).
  WorkerNoticeSnapshot& snapshot_for(ProcessIdentity worker);

  std::optional<NotifySocket> socket_;
  WorkerNoticeArea& area_;
  WorkerNoticeSnapshot published_;
};

}  // namespace tether
