// Goal: the C ABI (include/tether/listener.h, libtether_c) keeps its contract: every status code and
// sysexits code it documents, the NUL-terminated (truncated) message, and the effect of every call on the
// shared segment. Method: this process plays the controller, creating and initialising a real segment
// through the segment adapter and holding the controller lock, then calls the C functions as a worker
// linked against libtether_c would, and reads the segment's fields back after each call.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <optional>
#include <random>
#include <signal.h>
#include <spawn.h>
#include <string>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>

#include "adapters/mapped_segment.hpp"
#include "adapters/proc_identity.hpp"
#include "harness.hpp"
#include "tether/listener.h"

extern char** environ;

namespace tether::testing {
namespace {

// The variables a controller passes to the worker it launches; a test sets them only on purpose.
void clear_launch_environment() {
  unsetenv("TETHER_NAME");
  unsetenv("TETHER_GENERATION");
  unsetenv("TETHER_INCARNATION");
}

std::string segment_path(const std::string& name) { return "/dev/shm/tether." + name; }

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// A failed open: its status and exit code, its message, and whether the out-pointer was cleared.
struct Refusal {
  int status = TETHER_OK;
  int exit_code = 0;
  std::string message;
  bool session_cleared = false;
};

Refusal open_refused(const char* name) {
  tether_error error{};
  // A stale pointer: open must overwrite it even when it fails.
  auto* session = reinterpret_cast<tether_session*>(&error);
  Refusal refusal;
  refusal.status = tether_session_open(name, &session, &error);
  refusal.session_cleared = session == nullptr;
  if (refusal.status == TETHER_OK) {
    tether_session_close(session);
    return refusal;
  }
  EXPECT_EQ(error.status, refusal.status) << "the returned status and error.status disagree";
  refusal.exit_code = error.exit_code;
  refusal.message = error.message;
  return refusal;
}

// A child process that lives until killed (a stand-in for another live listener); killed and reaped
// when the test ends, whatever happens.
class LiveProcess {
 public:
  LiveProcess() {
    char program[] = "sleep";
    char seconds[] = "600";
    char* argv[] = {program, seconds, nullptr};
    if (posix_spawnp(&pid_, "sleep", nullptr, nullptr, argv, environ) != 0) pid_ = -1;
  }
  ~LiveProcess() { end(); }
  LiveProcess(const LiveProcess&) = delete;
  LiveProcess& operator=(const LiveProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void end() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Plays the controller: the segment is created and initialised here, as tether-controller does before
// it launches a listener, and the controller lock stays held for the whole test.
class CApi : public ::testing::Test {
 protected:
  void SetUp() override {
    clear_launch_environment();
    auto opened = MappedSegment::open_for_controller(name_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    segment_.emplace(std::move(opened.value()));
    segment_->store(Field::layout_version, segment_layout_version);
    segment_->store(Field::size_bytes, segment_size_bytes);
    segment_->store(Field::incarnation, incarnation_);
    segment_->store(Field::controller_identity, self_identity().pack());
    segment_->store(Field::generation, 1);
    segment_->store(Field::magic, segment_magic);  // last: publishes the initialised header
  }
  void TearDown() override { clear_launch_environment(); }

  std::uint64_t field(Field which) { return segment_->load(which); }
  ListenerState state() { return static_cast<ListenerState>(field(Field::listener_state)); }

  tether_session* open_ok(const char* name) {
    tether_error error{};
    tether_session* session = nullptr;
    const int status = tether_session_open(name, &session, &error);
    EXPECT_EQ(status, TETHER_OK) << error.message;
    EXPECT_EQ(error.status, TETHER_OK);
    EXPECT_EQ(error.exit_code, 0);
    EXPECT_STREQ(error.message, "") << "success clears the message";
    EXPECT_NE(session, nullptr);
    return session;
  }

  void set_launch(std::uint64_t incarnation, std::uint64_t generation) {
    setenv("TETHER_INCARNATION", std::to_string(incarnation).c_str(), 1);
    setenv("TETHER_GENERATION", std::to_string(generation).c_str(), 1);
  }

  Cleanup cleanup_;  // first member: destroyed last, after the segment is unmapped
  const std::string name_ = cleanup_.name("capi");
  const std::uint64_t incarnation_ = self_identity().pack();
  std::optional<MappedSegment> segment_;
};

TEST_F(CApi, OpenRegistersThisProcessAndCloseLeavesGracefully) {
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  EXPECT_STREQ(tether_session_name(session), name_.c_str());
  EXPECT_EQ(field(Field::listener_identity), self_identity().pack());
  EXPECT_EQ(state(), ListenerState::starting);
  EXPECT_NE(field(Field::heartbeat_ns), 0u) << "registration is a first sign of life";

  tether_session_close(session);
  EXPECT_EQ(field(Field::listener_identity), 0u) << "close released the registration";
  EXPECT_EQ(state(), ListenerState::exited);
  EXPECT_EQ(field(Field::departed_identity), self_identity().pack()) << "the graceful exit is recorded";
  EXPECT_EQ(field(Field::shutdown_request), 0u) << "a listener never posts a request";
}

TEST_F(CApi, UnitsAndHeartbeatsAreRecorded) {
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  tether_session_begin_unit(session);
  EXPECT_EQ(state(), ListenerState::working);
  tether_session_begin_unit(session);  // misuse is forgiven, not asserted against
  EXPECT_EQ(state(), ListenerState::working);

  segment_->store(Field::heartbeat_ns, 1);
  tether_session_heartbeat(session);
  EXPECT_GT(field(Field::heartbeat_ns), 1u);
  EXPECT_EQ(state(), ListenerState::working) << "a heartbeat does not end the unit";

  segment_->store(Field::heartbeat_ns, 1);
  tether_session_end_unit(session);
  EXPECT_EQ(state(), ListenerState::idle);
  EXPECT_GT(field(Field::heartbeat_ns), 1u) << "end_unit is also a heartbeat";

  segment_->store(Field::heartbeat_ns, 1);
  tether_session_end_unit(session);  // no unit open: nothing happens
  EXPECT_EQ(field(Field::heartbeat_ns), 1u);
  EXPECT_EQ(state(), ListenerState::idle);
  tether_session_close(session);
}

TEST_F(CApi, LeaveIsIdempotentAndTheHandleStaysValid) {
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  tether_session_leave(session);
  EXPECT_EQ(field(Field::listener_identity), 0u);
  EXPECT_EQ(state(), ListenerState::exited);
  segment_->store(Field::departed_identity, 0);
  tether_session_leave(session);
  EXPECT_EQ(field(Field::departed_identity), 0u) << "a second leave wrote to the segment";
  // After leaving, work calls change nothing in the segment: another listener may hold it by now.
  tether_session_begin_unit(session);
  tether_session_heartbeat(session);
  EXPECT_EQ(state(), ListenerState::exited);
  EXPECT_STREQ(tether_session_name(session), name_.c_str());
  tether_session_close(session);
  EXPECT_EQ(field(Field::departed_identity), 0u) << "close after leave left a second time";
}

TEST_F(CApi, ShouldStopSeesAPostedRequest) {
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(tether_session_should_stop(session), 0);
  EXPECT_EQ(state(), ListenerState::starting) << "a check without a request writes nothing";

  segment_->store(Field::shutdown_request, 1);  // as `tether shutdown` posts it
  segment_->wake_shutdown_waiters();
  EXPECT_EQ(tether_session_should_stop(session), 1);
  EXPECT_EQ(state(), ListenerState::stopping) << "the first sighting is published";
  EXPECT_EQ(tether_session_should_stop(session), 1) << "the request is never withdrawn";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(tether_session_wait_for_shutdown(session, 600000), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "waited despite the request";
  tether_session_close(session);
  EXPECT_EQ(field(Field::shutdown_request), 1u) << "leaving must not clear the request";
}

TEST_F(CApi, WaitForShutdownTimesOutWithoutARequest) {
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(tether_session_wait_for_shutdown(session, 50), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50)) << "returned early";
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(tether_session_wait_for_shutdown(session, -5), 0) << "a negative timeout counts as zero";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  tether_session_close(session);
}

// The request comes from another mapping of the segment, as from `tether shutdown` in another process.
TEST_F(CApi, WaitForShutdownReturnsWhenARequestIsPosted) {
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  std::thread poster([this] {
    auto other = MappedSegment::open_existing(name_, MappedSegment::Access::read_write);
    if (!other.ok()) return;  // the wait below then times out and fails the test
    other.value().store(Field::shutdown_request, 1);
    other.value().wake_shutdown_waiters();
  });
  const auto start = std::chrono::steady_clock::now();
  const int requested = tether_session_wait_for_shutdown(session, 60000);
  const auto waited = std::chrono::steady_clock::now() - start;
  poster.join();
  EXPECT_EQ(requested, 1);
  EXPECT_LT(waited, std::chrono::seconds(30)) << "the wait was not cut short by the request";
  tether_session_close(session);
}

TEST_F(CApi, NameComesFromTetherNameWhenNoneIsGiven) {
  const auto unset = open_refused(nullptr);
  EXPECT_EQ(unset.status, TETHER_ERROR_BAD_NAME);
  EXPECT_EQ(unset.exit_code, 64);
  EXPECT_NE(unset.message.find("TETHER_NAME"), std::string::npos) << unset.message;
  EXPECT_TRUE(unset.session_cleared);
  EXPECT_EQ(field(Field::listener_identity), 0u);

  setenv("TETHER_NAME", name_.c_str(), 1);
  tether_session* from_null = open_ok(nullptr);
  ASSERT_NE(from_null, nullptr);
  EXPECT_STREQ(tether_session_name(from_null), name_.c_str());
  tether_session_close(from_null);
  tether_session* from_empty = open_ok("");
  ASSERT_NE(from_empty, nullptr);
  EXPECT_STREQ(tether_session_name(from_empty), name_.c_str());
  tether_session_close(from_empty);
}

TEST_F(CApi, InvalidNamesAreRefusedWithATruncatedMessage) {
  const auto slash = open_refused("bad/name");
  EXPECT_EQ(slash.status, TETHER_ERROR_BAD_NAME);
  EXPECT_EQ(slash.exit_code, 64);
  EXPECT_NE(slash.message.find("invalid name 'bad/name'"), std::string::npos) << slash.message;
  EXPECT_TRUE(slash.session_cleared);

  // The message quotes the name: a long one does not fit and is cut, still NUL-terminated.
  const std::string long_name(400, 'x');
  const auto too_long = open_refused(long_name.c_str());
  EXPECT_EQ(too_long.status, TETHER_ERROR_BAD_NAME);
  EXPECT_EQ(too_long.message.size(), std::size_t{TETHER_ERROR_MESSAGE_MAX - 1});
  EXPECT_EQ(too_long.message.rfind("invalid name 'xxx", 0), 0u) << too_long.message;

  // Without an error structure the status is still returned.
  tether_session* session = nullptr;
  EXPECT_EQ(tether_session_open("bad/name", &session, nullptr), TETHER_ERROR_BAD_NAME);
  EXPECT_EQ(session, nullptr);
}

TEST_F(CApi, MalformedLaunchTicketIsRefusedBeforeRegistering) {
  setenv("TETHER_INCARNATION", std::to_string(incarnation_).c_str(), 1);
  setenv("TETHER_GENERATION", "12x", 1);
  const auto generation = open_refused(name_.c_str());
  EXPECT_EQ(generation.status, TETHER_ERROR_BAD_NAME);
  EXPECT_EQ(generation.exit_code, 64);
  EXPECT_NE(generation.message.find("TETHER_GENERATION '12x' is not a number"), std::string::npos)
      << generation.message;

  setenv("TETHER_INCARNATION", "-1", 1);
  setenv("TETHER_GENERATION", "1", 1);
  const auto incarnation = open_refused(name_.c_str());
  EXPECT_EQ(incarnation.status, TETHER_ERROR_BAD_NAME);
  EXPECT_NE(incarnation.message.find("TETHER_INCARNATION '-1' is not a number"), std::string::npos)
      << incarnation.message;

  unsetenv("TETHER_INCARNATION");
  const auto half = open_refused(name_.c_str());
  EXPECT_EQ(half.status, TETHER_ERROR_BAD_NAME);
  EXPECT_EQ(half.exit_code, 64);
  EXPECT_NE(half.message.find("set together"), std::string::npos) << half.message;
  EXPECT_EQ(field(Field::listener_identity), 0u) << "a refused ticket touched the registration";
}

TEST_F(CApi, LaunchOfAnOlderGenerationIsSuperseded) {
  segment_->store(Field::generation, 2);  // the controller has launched again since
  set_launch(incarnation_, 1);
  const auto old = open_refused(name_.c_str());
  EXPECT_EQ(old.status, TETHER_ERROR_SUPERSEDED);
  EXPECT_EQ(old.exit_code, 75);
  EXPECT_TRUE(old.session_cleared);
  EXPECT_EQ(field(Field::listener_identity), 0u) << "the superseded listener withdrew its claim";

  set_launch(incarnation_, 2);
  tether_session* current = open_ok(name_.c_str());
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(field(Field::listener_identity), self_identity().pack());
  tether_session_close(current);
}

TEST_F(CApi, LaunchForAnotherSegmentOfTheNameIsSuperseded) {
  set_launch(incarnation_ + 1, 1);  // the generation matches by coincidence; the segment does not
  const auto replaced = open_refused(name_.c_str());
  EXPECT_EQ(replaced.status, TETHER_ERROR_SUPERSEDED);
  EXPECT_EQ(replaced.exit_code, 75);
  EXPECT_NE(replaced.message.find("was removed"), std::string::npos) << replaced.message;
  EXPECT_EQ(field(Field::listener_identity), 0u) << "a listener of another segment touched this one";
}

TEST_F(CApi, AnotherLiveListenerKeepsTheRegistrationUntilItDies) {
  LiveProcess other;
  ASSERT_GT(other.pid(), 0);
  const auto stat = read_proc_stat(other.pid());
  ASSERT_TRUE(stat.has_value());
  segment_->store(Field::listener_identity, stat->identity.pack());

  const auto taken = open_refused(name_.c_str());
  EXPECT_EQ(taken.status, TETHER_ERROR_TAKEN);
  EXPECT_EQ(taken.exit_code, 75);
  EXPECT_NE(taken.message.find("another live listener"), std::string::npos) << taken.message;
  EXPECT_EQ(field(Field::listener_identity), stat->identity.pack()) << "the live holder lost its registration";

  other.end();  // killed and reaped: its registration is stale now
  tether_session* session = open_ok(name_.c_str());
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(field(Field::listener_identity), self_identity().pack());
  tether_session_close(session);
}

// Without a segment set up by a controller: missing, foreign, half-initialised and unsafe objects.
class CApiSegments : public ::testing::Test {
 protected:
  void SetUp() override { clear_launch_environment(); }

  void plant(const std::string& name, const std::string& bytes, mode_t mode) {
    {
      std::ofstream file(segment_path(name), std::ios::binary | std::ios::trunc);
      file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    chmod(segment_path(name).c_str(), mode);
  }

  Cleanup cleanup_;
};

TEST_F(CApiSegments, MissingSegmentAsksForAController) {
  const auto name = cleanup_.name("capi-missing");
  const auto missing = open_refused(name.c_str());
  EXPECT_EQ(missing.status, TETHER_ERROR_NO_SEGMENT);
  EXPECT_EQ(missing.exit_code, 66);
  EXPECT_NE(missing.message.find("'" + name + "'"), std::string::npos) << missing.message;
  EXPECT_NE(missing.message.find("tether-controller"), std::string::npos) << missing.message;
  EXPECT_FALSE(segment_exists(name)) << "a listener created the segment";
}

TEST_F(CApiSegments, ForeignBytesAreABadSegmentAndStayUntouched) {
  const auto name = cleanup_.name("capi-foreign");
  std::mt19937 generator(11);
  std::string bytes(segment_size_bytes, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xff);
  plant(name, bytes, 0600);
  const auto foreign = open_refused(name.c_str());
  EXPECT_EQ(foreign.status, TETHER_ERROR_BAD_SEGMENT);
  EXPECT_EQ(foreign.exit_code, 65);
  EXPECT_EQ(read_bytes(segment_path(name)), bytes);
}

TEST_F(CApiSegments, HalfInitialisedSegmentIsABadSegmentForNow) {
  const auto name = cleanup_.name("capi-zero");
  plant(name, std::string(segment_size_bytes, '\0'), 0600);  // magic 0: its creator is not done
  const auto zero = open_refused(name.c_str());
  EXPECT_EQ(zero.status, TETHER_ERROR_BAD_SEGMENT);
  EXPECT_EQ(zero.exit_code, 75) << "worth retrying: " << zero.message;
  EXPECT_EQ(read_bytes(segment_path(name)), std::string(segment_size_bytes, '\0'));
}

TEST_F(CApiSegments, SegmentOpenToOtherUsersIsRefused) {
  const auto name = cleanup_.name("capi-mode");
  plant(name, std::string(segment_size_bytes, '\0'), 0644);
  const auto open_to_others = open_refused(name.c_str());
  EXPECT_EQ(open_to_others.status, TETHER_ERROR_PERMISSION);
  EXPECT_EQ(open_to_others.exit_code, 77);
  EXPECT_NE(open_to_others.message.find("accessible to other users"), std::string::npos) << open_to_others.message;
}

// A directory where the segment should be is not a segment, and is named as what it is.
TEST_F(CApiSegments, DirectoryInPlaceOfTheSegmentIsABadSegment) {
  const auto name = cleanup_.name("capi-dir");
  ASSERT_TRUE(std::filesystem::create_directory(segment_path(name)));
  std::filesystem::permissions(segment_path(name), std::filesystem::perms::owner_all);
  const auto refused = open_refused(name.c_str());
  EXPECT_EQ(refused.status, TETHER_ERROR_BAD_SEGMENT);
  EXPECT_EQ(refused.exit_code, 65);
  EXPECT_NE(refused.message.find("is a directory"), std::string::npos) << refused.message;
}

// An unexpected system error is TETHER_ERROR_OS (71) with the system's reason: here every descriptor
// is taken (the limit lowered to the lowest free one), so opening the segment fails EMFILE.
TEST_F(CApiSegments, SystemErrorIsAnOsError) {
  TETHER_REQUIRE_NO_SANITIZER();
  const auto name = cleanup_.name("capi-os");
  auto creator = MappedSegment::open_for_controller(name);
  ASSERT_TRUE(creator.ok()) << creator.error().message;
  creator.value().store(Field::layout_version, segment_layout_version);
  creator.value().store(Field::size_bytes, segment_size_bytes);
  creator.value().store(Field::magic, segment_magic);
  DescriptorsTaken descriptors;
  ASSERT_TRUE(descriptors.taken());
  const auto refused = open_refused(name.c_str());
  ASSERT_TRUE(descriptors.restore());
  EXPECT_EQ(refused.status, TETHER_ERROR_OS);
  EXPECT_EQ(refused.exit_code, 71);
  EXPECT_NE(refused.message.find("cannot open segment '" + name + "': Too many open files"), std::string::npos)
      << refused.message;
}

TEST(CApiArguments, NullArgumentsAreRefusedOrIgnored) {
  tether_error error{};
  EXPECT_EQ(tether_session_open("any", nullptr, &error), TETHER_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(error.status, TETHER_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(error.exit_code, 64);
  EXPECT_STREQ(error.message, "out_session is NULL");
  EXPECT_EQ(tether_session_open("any", nullptr, nullptr), TETHER_ERROR_INVALID_ARGUMENT);
  // A NULL session: the documented neutral answers, and no crash from the calls that return nothing.
  EXPECT_EQ(tether_session_should_stop(nullptr), 0);
  EXPECT_EQ(tether_session_wait_for_shutdown(nullptr, 10), 0);
  EXPECT_STREQ(tether_session_name(nullptr), "");
  tether_session_begin_unit(nullptr);
  tether_session_end_unit(nullptr);
  tether_session_heartbeat(nullptr);
  tether_session_leave(nullptr);
  tether_session_close(nullptr);
}

TEST(CApiArguments, VersionsAreThoseTheLibraryWasBuiltWith) {
  EXPECT_STREQ(tether_library_version(), TETHER_TEST_VERSION);
  EXPECT_EQ(tether_abi_version(), TETHER_C_ABI_VERSION) << "libtether_c and listener.h disagree";
}

}  // namespace
}  // namespace tether::testing
