#pragma once
// FNV-1a over the values of a core's state (never its bytes: padding must not count), shared by the
// cores' hash_value functions.
#include <cstdint>
#include <optional>

#include "core/exit_status.hpp"
#include "core/process_identity.hpp"

namespace tether {

class Fnv1a {
 public:
  void add(std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      hash_ = (hash_ ^ ((value >> (8 * byte)) & 0xff)) * 0x100000001b3ull;
    }
  }
  void add(const std::optional<std::uint64_t>& value) {
    add(value.has_value() ? 1 : 0);
    if (value.has_value()) add(*value);
  }
  void add(ProcessIdentity identity) { add(identity.pack()); }
  void add(ExitStatus status) {
    add(static_cast<std::uint64_t>(status.kind));
    add(static_cast<std::uint64_t>(status.value));
  }
  // A queue of values: its length, then each value's own hash_value (found by argument lookup).
  template <class Queue>
  void add_each(const Queue& queue) {
    add(static_cast<std::uint64_t>(queue.size()));
    for (const auto& item : queue) add(hash_value(item));
  }
  [[nodiscard]] std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace tether
