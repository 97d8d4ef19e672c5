#include "adapters/pidfd.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace tether {

int pidfd_open_process(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

int pidfd_signal(int pidfd, int signal_number) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, signal_number, nullptr, 0));
}

}  // namespace tether
