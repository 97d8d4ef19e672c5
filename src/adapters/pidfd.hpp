#pragma once
// pidfd system calls. <sys/pidfd.h> lacks extern "C" for C++, so go through syscall(2).
#include <csignal>
#include <sys/types.h>

namespace tether {

// A close-on-exec descriptor that refers to the process, not to its (reusable) pid; -1 with errno.
int pidfd_open_process(pid_t pid);
// 0, or -1 with errno (ESRCH once the process has ended).
int pidfd_signal(int pidfd, int signal_number);

}  // namespace tether
