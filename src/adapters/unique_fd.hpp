#pragma once
// An owned file descriptor: closed exactly once, when its owner goes, on every path out of a function.
// Raw `int` descriptors closed by hand leaked on early returns and were closed twice after moves.
#include <unistd.h>

#include <utility>

namespace tether {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives the descriptor up without closing it (for example to a child's descriptor table).
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }

  // Closes what is held (errors of close(2) cannot be acted on here: the descriptor is gone either
  // way on Linux) and holds `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace tether
