#include "adapters/notify_socket.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

#include "adapters/notify_message.hpp"
#include "core/exit_codes.hpp"

namespace tether {

namespace {

// The address as sockaddr_un; abstract names start with a NUL byte and are not NUL-terminated.
std::optional<std::pair<sockaddr_un, socklen_t>> socket_address(const std::string& address) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  if (address.size() < 2 || address.size() >= sizeof un.sun_path) return std::nullopt;
  std::memcpy(un.sun_path, address.data(), address.size());
  if (address.front() == '@') un.sun_path[0] = '\0';
  const auto length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size() + (address.front() == '@' ? 0 : 1));
  return std::make_pair(un, length);
}

}  // namespace

Result<NotifySocket, NotifySocketError> NotifySocket::open(const std::string& address) {
  using Kind = NotifySocketErrorKind;
  const auto error = [](Kind kind, std::string message) {
    return fail(NotifySocketError{kind, std::move(message), exit_code::os_error});
  };
  const auto bound = socket_address(address);
  if (!bound.has_value())
    return error(Kind::bad_address, "notify socket address '" + address + "' is empty or too long");
  UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return error(Kind::socket, std::string("cannot create the notify socket: ") + std::strerror(errno));
  const int on = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0 ||
      bind(fd.get(), reinterpret_cast<const sockaddr*>(&bound->first), bound->second) != 0) {
    return error(Kind::bind, "cannot bind the notify socket '" + address + "': " + std::strerror(errno));
  }
  return NotifySocket(std::move(fd), address);
}

NotifySocket::NotifySocket(NotifySocket&& other) noexcept
    : fd_(std::move(other.fd_)), address_(std::exchange(other.address_, std::string())) {}

NotifySocket& NotifySocket::operator=(NotifySocket&& other) noexcept {
  // Ours goes to `other`, whose destructor closes it.
  std::swap(fd_, other.fd_);
  std::swap(address_, other.address_);
  return *this;
}

NotifySocket::~NotifySocket() {
  if (!fd_) return;
  fd_.reset();
  if (!address_.empty() && address_.front() != '@') unlink(address_.c_str());
}

std::optional<NotifyDatagram> NotifySocket::receive() {
  char buffer[notify_datagram_bytes_max + 1];
  iovec vector{buffer, sizeof buffer};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  msghdr header{};
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  header.msg_control = control;
  header.msg_controllen = sizeof control;
  ssize_t got = -1;
  do {
    // MSG_TRUNC: the real length even when it did not fit, so an oversized datagram is recognised.
    got = recvmsg(fd_.get(), &header, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return std::nullopt;
  NotifyDatagram datagram;
  const auto length = static_cast<std::size_t>(got);
  datagram.oversized = length > notify_datagram_bytes_max || (header.msg_flags & MSG_TRUNC) != 0;
  datagram.bytes.assign(buffer, std::min(length, notify_datagram_bytes_max));
  for (cmsghdr* message = CMSG_FIRSTHDR(&header); message != nullptr; message = CMSG_NXTHDR(&header, message)) {
    if (message->cmsg_level == SOL_SOCKET && message->cmsg_type == SCM_CREDENTIALS &&
        message->cmsg_len == CMSG_LEN(sizeof(ucred))) {
      ucred credentials{};
      std::memcpy(&credentials, CMSG_DATA(message), sizeof credentials);
      datagram.sender_pid = credentials.pid;
    } else if (message->cmsg_level == SOL_SOCKET && message->cmsg_type == SCM_RIGHTS) {
      // Descriptors passed along (FDSTORE=1) are not kept: close them, or they would pile up here.
      const std::size_t count = (message->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (std::size_t index = 0; index < count; ++index) {
        int passed = -1;
        std::memcpy(&passed, CMSG_DATA(message) + index * sizeof(int), sizeof passed);
        close(passed);
      }
    }
  }
  // Cut control data could have been descriptors we never saw; nothing more to do about them.
  return datagram;
}

bool sender_in_worker_group(pid_t sender, pid_t group_leader) {
  if (sender <= 0 || group_leader <= 0) return false;
  if (sender == group_leader) return true;
  const pid_t group = getpgid(sender);
  return group == group_leader;
}

}  // namespace tether
