#pragma once
// The NOTIFY_SOCKET a controller hands its worker (systemd's notify protocol, sd_notify(3)): an
// AF_UNIX datagram socket of this controller's own, abstract ("@...") or in the file system, with
// SO_PASSCRED so that the kernel attaches each sender's pid, which the driver checks against the
// worker's process group before it believes a word.
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include "adapters/unique_fd.hpp"
#include "core/result.hpp"
#include "tether/error.hpp"

namespace tether {

struct NotifyDatagram {
  pid_t sender_pid = 0;    // from SCM_CREDENTIALS; 0 when the kernel attached none
  bool oversized = false;  // longer than notify_datagram_bytes_max: `bytes` holds only the start
  std::string bytes;
};

// Why the socket could not be opened; every kind ends the controller with EX_OSERR.
enum class NotifySocketErrorKind : std::uint8_t {
  bad_address,  // empty, or too long for sockaddr_un
  socket,       // socket() failed (descriptors or memory)
  bind,         // SO_PASSCRED or bind() failed (the address is in use, or not ours to take)
};
using NotifySocketError = Error<NotifySocketErrorKind>;

class NotifySocket {
 public:
  // Binds `address` ("@name" for the abstract namespace, else a path that must not exist yet).
  static Result<NotifySocket, NotifySocketError> open(const std::string& address);

  NotifySocket(NotifySocket&& other) noexcept;
  NotifySocket& operator=(NotifySocket&& other) noexcept;
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  ~NotifySocket();  // closes it, and unlinks a file-system address

  [[nodiscard]] int descriptor() const { return fd_.get(); }
  // The value of NOTIFY_SOCKET for the worker.
  [[nodiscard]] const std::string& address() const { return address_; }
  // The next queued datagram, or nullopt when none is queued (never blocks).
  std::optional<NotifyDatagram> receive();

 private:
  NotifySocket(UniqueFd fd, std::string address) : fd_(std::move(fd)), address_(std::move(address)) {}
  UniqueFd fd_;
  std::string address_;
};

// True when `sender` is the worker `group_leader` or a member of its process group (as systemd's
// NotifyAccess=all admits the service's processes). A sender that is gone cannot be checked: false.
bool sender_in_worker_group(pid_t sender, pid_t group_leader);

}  // namespace tether
