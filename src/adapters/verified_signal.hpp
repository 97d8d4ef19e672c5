#pragma once
// Sends a signal to exactly one process identity: opens a pidfd, proves that the process it pins has
// the expected start time, and signals through the pidfd. A recycled pid is never signalled.
#include "core/ports.hpp"

namespace tether {

SignalOutcome send_verified_signal(ProcessIdentity identity, int signal_number);

// Signals through a pidfd that was verified when it was opened.
SignalOutcome send_pidfd_signal(int pidfd, int signal_number);

// The real NoticePort: SIGUSR1 to the verified identity only.
class VerifiedNotices final : public NoticePort {
 public:
  bool notify_controller(ProcessIdentity controller) override;
};

}  // namespace tether
