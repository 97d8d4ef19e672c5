#pragma once
// Typed errors of the segment adapter, in the one error shape (tether/error.hpp).
#include <cstdint>
#include <string>

#include "tether/error.hpp"

namespace tether {

enum class SegmentErrorKind : std::uint8_t {
  not_found,      // no segment by that name
  permission,     // owned by another user, or not readable/writable by us
  foreign,        // not a valid tether segment (magic, version, size); nothing was written to it
  uninitialised,  // magic 0: its creator is initialising it or died doing so
  locked,         // another live controller holds the name
  os,             // an unexpected system error
};
using SegmentError = Error<SegmentErrorKind>;

// The documented exit code of each kind (66, 77, 65, 75, 73, 71).
int segment_error_exit_code(SegmentErrorKind kind);

// An error of `kind` with its exit code.
SegmentError segment_error(SegmentErrorKind kind, std::string message);

}  // namespace tether
