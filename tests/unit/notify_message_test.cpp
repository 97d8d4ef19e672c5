// Goal: the notify protocol's parser accepts what sd_notify(3) callers send and refuses whole any
// datagram that is malformed, so that garbage never changes the controller's state. Also the worker
// notice area's round trip (what `tether status` reads back). Method: literal datagrams, hostile ones
// byte by byte, and the area in a plain in-memory image.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "adapters/notify_area.hpp"
#include "adapters/notify_message.hpp"

namespace tether {
namespace {

NotifyMessage accepted(std::string_view datagram) {
  auto parsed = parse_notify_message(datagram);
  EXPECT_TRUE(parsed.ok()) << "refused: " << std::string(datagram);
  return parsed.ok() ? parsed.value() : NotifyMessage{};
}

std::string refused(std::string_view datagram) {
  auto parsed = parse_notify_message(datagram);
  EXPECT_FALSE(parsed.ok()) << "accepted: " << std::string(datagram);
  return parsed.ok() ? std::string() : parsed.error().message;
}

// The kind a caller branches on; every refusal is a data error (EX_DATAERR), the one error shape's code.
std::optional<NotifyErrorKind> refused_as(std::string_view datagram) {
  auto parsed = parse_notify_message(datagram);
  if (parsed.ok()) return std::nullopt;
  EXPECT_EQ(parsed.error().exit_code, 65) << std::string(datagram);
  return parsed.error().kind;
}

TEST(NotifyMessage, EachAssignmentIsRead) {
  EXPECT_TRUE(accepted("READY=1").ready);
  EXPECT_TRUE(accepted("STOPPING=1").stopping);
  EXPECT_TRUE(accepted("WATCHDOG=1").watchdog);
  EXPECT_EQ(accepted("STATUS=serving 3 clients").status, "serving 3 clients");
  EXPECT_EQ(accepted("STATUS=").status, "");
  EXPECT_EQ(accepted("EXTEND_TIMEOUT_USEC=5000000").extend_us, 5'000'000u);
  EXPECT_EQ(accepted("EXTEND_TIMEOUT_USEC=0").extend_us, 0u);
}

TEST(NotifyMessage, SeveralAssignmentsInOneDatagramAndATrailingNewline) {
  const NotifyMessage message = accepted("READY=1\nSTATUS=up\nMAINPID=42\n");
  EXPECT_TRUE(message.ready);
  EXPECT_FALSE(message.stopping);
  EXPECT_EQ(message.status, "up");
}

TEST(NotifyMessage, UnknownWellFormedKeysAreIgnored) {
  const NotifyMessage message = accepted("MAINPID=42\nERRNO=2");
  EXPECT_EQ(message, NotifyMessage{});
}

TEST(NotifyMessage, LongStatusIsCut) {
  const NotifyMessage message = accepted("STATUS=" + std::string(1000, 'x'));
  ASSERT_TRUE(message.status.has_value());
  EXPECT_EQ(message.status->size(), notify_status_bytes_max);
}

TEST(NotifyMessage, GarbageIsRefusedWhole) {
  EXPECT_EQ(refused(""), "empty message");
  EXPECT_EQ(refused("\n\n"), "message has no assignment");
  EXPECT_EQ(refused("hello"), "a line is not KEY=VALUE");
  EXPECT_EQ(refused("=1"), "a line is not KEY=VALUE");
  EXPECT_EQ(refused("ready=1"), "a key has characters other than A-Z, 0-9 and _");
  EXPECT_EQ(refused("READY=1\ngarbage"), "a line is not KEY=VALUE") << "no part of it counts";
  EXPECT_EQ(refused(std::string("READY=1\0", 8)), "message has a NUL byte");
  EXPECT_EQ(refused("READY=0"), "READY= takes only 1");
  EXPECT_EQ(refused("READY=11"), "READY= takes only 1");
  EXPECT_EQ(refused("STOPPING=yes"), "STOPPING= takes only 1");
  EXPECT_EQ(refused("WATCHDOG=trigger"), "WATCHDOG= takes only 1");
  EXPECT_EQ(refused("STATUS=a\x1b[2Jb"), "STATUS= has control characters");
  EXPECT_EQ(refused("STATUS=a\rb"), "STATUS= has control characters");
  for (const char* bad : {"", "-1", "1e6", " 5", "5 ", "0x10", "99999999999999999999999"}) {
    EXPECT_EQ(refused(std::string("EXTEND_TIMEOUT_USEC=") + bad),
              "EXTEND_TIMEOUT_USEC= is not a decimal number of microseconds")
        << bad;
  }
  EXPECT_EQ(refused(std::string(notify_datagram_bytes_max + 1, 'A')), "message too long");
  std::string many;
  for (std::size_t line = 0; line <= notify_assignments_max; ++line) many += "X=1\n";
  EXPECT_EQ(refused(many), "message has too many lines");
}

TEST(NotifyMessage, EachRefusalHasItsKind) {
  using Kind = NotifyErrorKind;
  EXPECT_EQ(refused_as(""), Kind::empty);
  EXPECT_EQ(refused_as(std::string(notify_datagram_bytes_max + 1, 'A')), Kind::too_long);
  EXPECT_EQ(refused_as(std::string("READY=1\0", 8)), Kind::nul_byte);
  std::string many;
  for (std::size_t line = 0; line <= notify_assignments_max; ++line) many += "X=1\n";
  EXPECT_EQ(refused_as(many), Kind::too_many_lines);
  EXPECT_EQ(refused_as("\n\n"), Kind::no_assignment);
  EXPECT_EQ(refused_as("hello"), Kind::not_assignment);
  EXPECT_EQ(refused_as("=1"), Kind::not_assignment);
  EXPECT_EQ(refused_as("ready=1"), Kind::bad_key);
  EXPECT_EQ(refused_as("READY=2"), Kind::bad_value);
  EXPECT_EQ(refused_as("STATUS=a\rb"), Kind::bad_value);
  EXPECT_EQ(refused_as("EXTEND_TIMEOUT_USEC=-1"), Kind::bad_value);
  EXPECT_EQ(refused_as("READY=1"), std::nullopt);
}

TEST(NotifyMessage, EveryByteOfAHostileDatagramIsSurvived) {
  // Each single byte as a whole message, and inside READY=1: parsed or refused, never a crash.
  for (int byte = 0; byte < 256; ++byte) {
    const std::string one(1, static_cast<char>(byte));
    static_cast<void>(parse_notify_message(one));
    const auto parsed = parse_notify_message("READY=" + one);
    EXPECT_EQ(parsed.ok(), byte == '1') << byte;
  }
}

TEST(WorkerNoticeArea, WhatIsPublishedReadsBack) {
  auto area = std::make_unique<WorkerNoticeArea>();
  EXPECT_FALSE(read_worker_notice(*area).has_value()) << "nothing published yet";
  WorkerNoticeSnapshot said;
  said.worker = ProcessIdentity{1234, 99};
  said.ready = true;
  said.status_text = "serving";
  publish_worker_notice(*area, said);
  auto read = read_worker_notice(*area);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->worker, said.worker);
  EXPECT_TRUE(read->ready);
  EXPECT_FALSE(read->stopping);
  EXPECT_EQ(read->status_text, "serving");
  EXPECT_EQ(area->sequence.load() % 2, 0u);

  // A shorter text replaces a longer one completely; a text longer than the area is cut, never
  // unterminated.
  said.stopping = true;
  said.status_text = std::string(400, 'y');
  publish_worker_notice(*area, said);
  said.status_text = "ok";
  publish_worker_notice(*area, said);
  read = read_worker_notice(*area);
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->stopping);
  EXPECT_EQ(read->status_text, "ok");
  said.status_text = std::string(400, 'z');
  publish_worker_notice(*area, said);
  EXPECT_EQ(read_worker_notice(*area)->status_text.size(), WorkerNoticeArea::status_words * 8 - 1);
}

TEST(WorkerNoticeArea, AReaderGivesUpOnAWriterThatNeverFinishes) {
  auto area = std::make_unique<WorkerNoticeArea>();
  WorkerNoticeSnapshot said;
  said.worker = ProcessIdentity{1234, 99};
  publish_worker_notice(*area, said);
  area->sequence.fetch_add(1);  // a writer that died mid-rewrite
  EXPECT_FALSE(read_worker_notice(*area).has_value());
}

}  // namespace
}  // namespace tether
