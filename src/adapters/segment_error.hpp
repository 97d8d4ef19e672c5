#pragma once
// Typed errors of the segment adapter; the apps turn them into messages and sysexits codes.
#include <cstdint>
#include <string>

namespace tether {

struct SegmentError {
  enum class Kind : std::uint8_t {
    not_found,      // no segment by that name
    permission,     // owned by another user, or not readable/writable by us
    foreign,        // not a valid tether segment (magic, version, size); nothing was written to it
    uninitialised,  // magic 0: its creator is initialising it or died doing so
    locked,         // another live controller holds the name
    os,             // an unexpected system error
  };
  Kind kind;
  std::string message;

  [[nodiscard]] int exit_code() const;
};

}  // namespace tether
