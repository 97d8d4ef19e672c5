#pragma once
// The one error shape of Tether: what failed, as a kind a caller can branch on; a message naming the
// problem for a person; and the sysexits code a program ends with. Every layer that fails in front of a
// user (the listener session, the segment, the command line) returns one of these in a Result, so that
// a binary's main has one way to report and exit. The cores' port errors (SpawnError) stay bare kinds:
// the core decides on them and never shows them to anybody.
#include <string>

namespace tether {

template <typename KindType>
struct Error {
  using Kind = KindType;
  Kind kind;
  std::string message;
  int exit_code;  // sysexits code matching `kind`
};

}  // namespace tether
