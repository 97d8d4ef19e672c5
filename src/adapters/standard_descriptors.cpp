#include "adapters/standard_descriptors.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace tether {

bool open_standard_descriptors() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // open() takes the lowest free number, which is this one: the lower ones are open by now. Not
    // close-on-exec: a worker we launch gets /dev/null there too, rather than a closed stream.
    const int opened = open("/dev/null", O_RDWR);
    if (opened == fd) continue;
    if (opened >= 0) close(opened);
    return false;
  }
  return true;
}

}  // namespace tether
