// Fuzz target: the notify protocol's parser (src/adapters/notify_message.cpp) over arbitrary datagrams.
// Never crashes; what it accepts is within the limits (size, no NUL, printable STATUS of at most 255
// bytes) and parses again to the same message when written back; a refusal always says why.
#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/notify_message.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string datagram(reinterpret_cast<const char*>(data), size);
  const auto parsed = tether::parse_notify_message(datagram);
  if (!parsed.ok()) {
    TETHER_FUZZ_CHECK(!parsed.error().message.empty(), "a refusal says why");
    TETHER_FUZZ_CHECK(parsed.error().exit_code == 65, "a refusal is a data error (EX_DATAERR)");
    return 0;
  }
  const tether::NotifyMessage& message = parsed.value();
  TETHER_FUZZ_CHECK(size > 0 && size <= tether::notify_datagram_bytes_max, "accepted datagrams are within the size");
  TETHER_FUZZ_CHECK(datagram.find('\0') == std::string::npos, "accepted datagrams hold no NUL");
  if (message.status.has_value()) {
    TETHER_FUZZ_CHECK(message.status->size() <= tether::notify_status_bytes_max, "STATUS is cut");
    for (const char c : *message.status) {
      const auto byte = static_cast<unsigned char>(c);
      TETHER_FUZZ_CHECK(c == '\t' || (byte >= 0x20 && byte != 0x7f), "STATUS has no control characters");
    }
  }
  // Written back as a client would send it, it means the same.
  std::string again;
  if (message.ready) again += "READY=1\n";
  if (message.stopping) again += "STOPPING=1\n";
  if (message.watchdog) again += "WATCHDOG=1\n";
  if (message.status.has_value()) again += "STATUS=" + *message.status + "\n";
  if (message.extend_us.has_value()) again += "EXTEND_TIMEOUT_USEC=" + std::to_string(*message.extend_us) + "\n";
  if (!again.empty()) {
    const auto reparsed = tether::parse_notify_message(again);
    TETHER_FUZZ_CHECK(reparsed.ok() && reparsed.value() == message, "the message written back parses the same");
  }
  return 0;
}
