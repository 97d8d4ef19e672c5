#include "adapters/notify_channels.hpp"

#include <string>

#include "adapters/notify_message.hpp"

namespace tether {

WorkerNotices::WorkerNotices(std::optional<NotifySocket> socket, WorkerNoticeArea& area)
    : socket_(std::move(socket)), area_(area) {}

WorkerNoticeSnapshot& WorkerNotices::snapshot_for(ProcessIdentity worker) {
  if (published_.worker != worker) {
    published_ = WorkerNoticeSnapshot{};
    published_.worker = worker;
  }
  return published_;
}

void WorkerNotices::read_socket(ControllerCore& core, std::uint64_t now_ns, const LogSink& log) {
  if (!socket_.has_value()) return;
  int refused = 0;
  const auto refuse = [&](const std::string& problem, pid_t sender) {
    // A line for each of the first few per wake-up, then one count: a flood cannot flood the log.
    if (++refused <= refusals_logged_per_wakeup_max) {
      log.event("notify_refused", {{"reason", problem}, {"sender_pid", std::int64_t{sender}}});
    }
  };
  for (int read_count = 0; read_count < datagrams_per_wakeup_max; ++read_count) {
    const auto datagram = socket_->receive();
    if (!datagram.has_value()) break;
    // The worker is the process we watch now; before it runs (or between runs) nobody may speak.
    const ProcessIdentity worker = core.listener();
    if (datagram->oversized) {
      refuse("message longer than " + std::to_string(notify_datagram_bytes_max) + " bytes", datagram->sender_pid);
    } else if (datagram->sender_pid == 0) {
      refuse("message without sender credentials", 0);
    } else if (!worker.valid() || !sender_in_worker_group(datagram->sender_pid, worker.pid)) {
      refuse("sender is not in the worker's process group", datagram->sender_pid);
    } else if (auto message = parse_notify_message(datagram->bytes); !message.ok()) {
      refuse(message.error().message, datagram->sender_pid);
    } else {
      take(message.value(), worker, core, now_ns);
    }
  }
  if (refused > refusals_logged_per_wakeup_max) {
    log.event("notify_refused_more", {{"count", std::int64_t{refused - refusals_logged_per_wakeup_max}}});
  }
}

void WorkerNotices::take(const NotifyMessage& message, ProcessIdentity worker, ControllerCore& core,
                         std::uint64_t now_ns) {
  using Kind = WorkerNotice::Kind;
  WorkerNoticeSnapshot& said = snapshot_for(worker);
  const bool changes_status = message.ready || message.stopping || message.status.has_value();
  if (message.ready) {
    core.handle_worker_notice({Kind::ready, worker, now_ns});
    said.ready = true;
  }
  if (message.stopping) {
    core.handle_worker_notice({Kind::stopping, worker, now_ns});
    said.stopping = true;
  }
  if (message.watchdog) core.handle_worker_notice({Kind::watchdog, worker, now_ns});
  if (message.extend_us.has_value())
    core.handle_worker_notice({Kind::extend_timeout, worker, now_ns, *message.extend_us});
  if (message.status.has_value()) said.status_text = *message.status;
  if (changes_status) publish_worker_notice(area_, said);
}

void WorkerNotices::read_pipe(ProcessIdentity worker, PosixProcesses& processes, ControllerCore& core,
                              std::uint64_t now_ns, const LogSink& log) {
  const NotificationRead read = processes.read_notification(worker);
  switch (read.outcome) {
    case NotificationRead::Outcome::pending: return;
    case NotificationRead::Outcome::ready: {
      if (worker != core.listener()) return;  // an earlier worker's late word
      core.handle_worker_notice({WorkerNotice::Kind::ready, worker, now_ns});
      WorkerNoticeSnapshot& said = snapshot_for(worker);
      said.ready = true;
      publish_worker_notice(area_, said);
      return;
    }
    case NotificationRead::Outcome::closed:
      log.event("notification_fd_closed", {{"listener_pid", std::int64_t{worker.pid}}});
      return;
    case NotificationRead::Outcome::refused:
      log.event("notify_refused", {{"reason", read.problem}, {"listener_pid", std::int64_t{worker.pid}}});
      return;
  }
}

}  // namespace tether
