#include "adapters/verified_signal.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

#include "adapters/pidfd.hpp"
#include "adapters/proc_identity.hpp"
#include "adapters/unique_fd.hpp"

namespace tether {

SignalOutcome send_pidfd_signal(int pidfd, int signal_number) {
  if (pidfd_signal(pidfd, signal_number) == 0) return SignalOutcome::delivered;
  return errno == EPERM ? SignalOutcome::not_permitted : SignalOutcome::gone;
}

SignalOutcome send_verified_signal(ProcessIdentity identity, int signal_number) {
  if (!identity.valid()) return SignalOutcome::gone;
  const UniqueFd pidfd(pidfd_open_process(identity.pid));
  if (!pidfd) return errno == EPERM ? SignalOutcome::not_permitted : SignalOutcome::gone;
  // Checked after opening: the pidfd pins whichever process had the pid; the start time proves it is ours.
  if (!identity_alive(identity)) return SignalOutcome::gone;
  return send_pidfd_signal(pidfd.get(), signal_number);
}

bool VerifiedNotices::notify_controller(ProcessIdentity controller) {
  return send_verified_signal(controller, SIGUSR1) == SignalOutcome::delivered;
}

}  // namespace tether
