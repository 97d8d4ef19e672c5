// Goal: the real segment adapter keeps the SegmentPort contract that the core's unit and property tests
// assume of their fake: every field is a word of its own (a write to one never shows in another),
// compare-exchange hands back the current value when it fails (the 32-bit shutdown word too), fetch_add
// returns the previous value; the controller lock admits one holder per name; each error kind has its
// documented exit code; a futex wait on the shutdown word never outlives a stored request. Method: a
// real shared-memory object, written through one mapping and read back through a second, independent one.
#include <chrono>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <optional>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "adapters/futex.hpp"
#include "adapters/mapped_segment.hpp"
#include "core/exit_codes.hpp"
#include "core/names.hpp"
#include "harness.hpp"

namespace tether::testing {
namespace {

class MappedSegmentPort : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = MappedSegment::open_for_controller(name_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    writer_.emplace(std::move(opened.value()));
    EXPECT_EQ(writer_->fault(), SegmentFault::uninitialised) << "a new object starts uninitialised";
    writer_->store(Field::layout_version, segment_layout_version);
    writer_->store(Field::size_bytes, segment_size_bytes);
    writer_->store(Field::magic, segment_magic);
    ASSERT_EQ(writer_->fault(), SegmentFault::none);
    auto second = MappedSegment::open_existing(name_, MappedSegment::Access::read_write);
    ASSERT_TRUE(second.ok()) << second.error().message;
    reader_.emplace(std::move(second.value()));
  }

  static bool is_header(Field field) {
    return field == Field::magic || field == Field::layout_version || field == Field::size_bytes;
  }

  Cleanup cleanup_;  // first member: destroyed last
  const std::string name_ = cleanup_.name("port");
  std::optional<MappedSegment> writer_;
  std::optional<MappedSegment> reader_;
};

TEST_F(MappedSegmentPort, EveryFieldIsAWordOfItsOwn) {
  for (std::size_t index = 0; index < field_count; ++index) {
    const auto field = static_cast<Field>(index);
    if (is_header(field)) continue;
    // Distinct values with high bits set: an overlap or a 32-bit truncation of a 64-bit field shows.
    const std::uint64_t value = field == Field::shutdown_request ? 1 : 0xA5A5'0000'0000'0000ull + index;
    writer_->store(field, value);
    for (std::size_t other = 0; other < field_count; ++other) {
      const auto seen = static_cast<Field>(other);
      if (is_header(seen)) continue;
      const std::uint64_t expected =
          other > index ? 0 : (seen == Field::shutdown_request ? 1 : 0xA5A5'0000'0000'0000ull + other);
      EXPECT_EQ(reader_->load(seen), expected)
          << "after writing " << field_name(field) << ", field " << field_name(seen);
    }
  }
  EXPECT_EQ(reader_->fault(), SegmentFault::none) << "a field write reached the header";
}

TEST_F(MappedSegmentPort, CompareExchangeHandsBackTheCurrentValue) {
  std::uint64_t expected = 0;
  EXPECT_TRUE(writer_->compare_exchange(Field::shutdown_request, expected, 1));
  EXPECT_EQ(reader_->shutdown_word().load(), 1u);
  expected = 0;
  EXPECT_FALSE(reader_->compare_exchange(Field::shutdown_request, expected, 1));
  EXPECT_EQ(expected, 1u) << "a failed exchange reports what it found";

  writer_->store(Field::listener_identity, 0x1234'5678'9abc'def0ull);
  expected = 7;
  EXPECT_FALSE(reader_->compare_exchange(Field::listener_identity, expected, 9));
  EXPECT_EQ(expected, 0x1234'5678'9abc'def0ull);
  EXPECT_TRUE(reader_->compare_exchange(Field::listener_identity, expected, 9));
  EXPECT_EQ(expected, 0x1234'5678'9abc'def0ull) << "a successful exchange leaves `expected` as it was";
  EXPECT_EQ(writer_->load(Field::listener_identity), 9u);

  // The shutdown word is 32 bits: an expected value wider than that is not its value, however its low
  // half reads (a truncating comparison would take 1 << 32 for 0 and post a shutdown).
  std::uint64_t wide = std::uint64_t{1} << 32;
  auto fresh = MappedSegment::open_for_controller(cleanup_.name("port-wide"));
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_FALSE(fresh.value().compare_exchange(Field::shutdown_request, wide, 1));
  EXPECT_EQ(wide, 0u) << "the failed exchange reports the word's value";
  EXPECT_EQ(fresh.value().load(Field::shutdown_request), 0u);
}

TEST_F(MappedSegmentPort, FetchAddReturnsThePreviousValue) {
  EXPECT_EQ(writer_->fetch_add(Field::restarts, 1), 0u);
  EXPECT_EQ(reader_->fetch_add(Field::restarts, 5), 1u);
  EXPECT_EQ(writer_->load(Field::restarts), 6u);
}

TEST_F(MappedSegmentPort, TheControllerLockHasOneHolder) {
  auto second = MappedSegment::open_for_controller(name_);
  ASSERT_FALSE(second.ok()) << "two controllers hold one name";
  EXPECT_EQ(second.error().kind, SegmentError::Kind::locked);
  EXPECT_EQ(second.error().exit_code, exit_code::cant_create);
  EXPECT_NE(second.error().message.find("another running controller"), std::string::npos);
  writer_.reset();  // the holder goes away: the kernel releases its lock
  auto third = MappedSegment::open_for_controller(name_);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third.value().fault(), SegmentFault::none) << "a reopened segment keeps its contents";
}

// The idle listener's wait on the shutdown word: it must never sleep through a request already stored
// (the value check and the sleep are one step in the kernel), and it sleeps no longer than asked.
TEST_F(MappedSegmentPort, FutexWaitNeverSleepsThroughAStoredRequest) {
  const auto& word = reader_->shutdown_word();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(futex_wait(word, 0, 20'000'000), FutexWait::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));

  writer_->store(Field::shutdown_request, 1);  // stored before the wait: the wait returns at once
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(futex_wait(word, 0, 60'000'000'000), FutexWait::value_changed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

// An object created but not yet sized is a segment being set up (or whose creator died before sizing
// it): readers are told "uninitialised" (try again), not "foreign" (not ours).
TEST(MappedSegmentOpen, EmptyObjectIsUninitialisedNotForeign) {
  Cleanup cleanup;
  const std::string name = cleanup.name("empty");
  const int fd = shm_open(segment_object_name(name).c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  const auto opened = MappedSegment::open_existing(name, MappedSegment::Access::read_only);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, SegmentError::Kind::uninitialised) << opened.error().message;
  EXPECT_NE(opened.error().message.find("empty"), std::string::npos) << opened.error().message;
}

// The exit codes every binary documents in its --help footer (sysexits.h).
// An unexpected system error is EX_OSERR with the system's reason, on every way into a segment. Made
// real here by the descriptor limit: lowered to the lowest free descriptor, every open fails EMFILE.
TEST(SegmentOpen, SystemErrorsAreOsErrors) {
  TETHER_REQUIRE_NO_SANITIZER();
  Cleanup cleanup;  // removes the segment even when an assertion ends the test early
  const std::string name = cleanup.name("os-error");
  auto creator = MappedSegment::open_for_controller(name);
  ASSERT_TRUE(creator.ok()) << creator.error().message;
  creator.value().store(Field::layout_version, segment_layout_version);
  creator.value().store(Field::size_bytes, segment_size_bytes);
  creator.value().store(Field::magic, segment_magic);
  DescriptorsTaken descriptors;
  ASSERT_TRUE(descriptors.taken());
  auto existing = MappedSegment::open_existing(name, MappedSegment::Access::read_only);
  auto cleaning = MappedSegment::open_for_cleaning(name);
  auto second_controller = MappedSegment::open_for_controller(name);
  ASSERT_TRUE(descriptors.restore());
  for (auto* result : {&existing, &cleaning, &second_controller}) {
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().kind, SegmentError::Kind::os) << result->error().message;
    EXPECT_EQ(result->error().exit_code, exit_code::os_error);
    EXPECT_NE(result->error().message.find("Too many open files"), std::string::npos) << result->error().message;
  }
}

TEST(SegmentErrorCodes, EachKindHasItsDocumentedExitCode) {
  const auto code = [](SegmentError::Kind kind) { return segment_error(kind, "").exit_code; };
  EXPECT_EQ(code(SegmentError::Kind::not_found), 66);
  EXPECT_EQ(code(SegmentError::Kind::permission), 77);
  EXPECT_EQ(code(SegmentError::Kind::foreign), 65);
  EXPECT_EQ(code(SegmentError::Kind::uninitialised), 75);
  EXPECT_EQ(code(SegmentError::Kind::locked), 73);
  EXPECT_EQ(code(SegmentError::Kind::os), 71);
}

}  // namespace
}  // namespace tether::testing
