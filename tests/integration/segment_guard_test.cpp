// Goal: no binary trusts or writes into a segment it did not validate, and descriptors never leak into
// the listener. Method: plant corrupt, foreign, truncated and other-user segments in /dev/shm, run every
// binary against them and compare the bytes before and after; inspect /proc/PID/fd of a real listener.
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"

namespace tether::testing {
namespace {

std::string segment_path(const std::string& name) { return "/dev/shm/tether." + name; }

std::string read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void plant(const std::string& name, const std::string& bytes) {
  const auto path = segment_path(name);
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  chmod(path.c_str(), 0600);
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xff);
  return bytes;
}

// A valid header (magic "TETHER01", version, size) with the given version.
std::string header_with_version(std::uint64_t version) {
  std::string bytes(4096, '\0');
  const std::uint64_t words[] = {0x3130524548544554ull, version, 4096};
  std::memcpy(bytes.data(), words, sizeof words);
  return bytes;
}

// `tether clean` refuses what is not a tether segment (65), says why, and leaves its bytes alone: it
// used to report "foreign magic number (not a tether segment)" and remove the file all the same.
void expect_not_cleaned(const std::string& name, const std::string& reason) {
  const auto before = read_bytes(segment_path(name));
  const auto clean = run({binary("tether"), "clean", name});
  EXPECT_EQ(clean.exit_code, 65) << clean.output << clean.errors;
  EXPECT_NE(clean.errors.find(reason), std::string::npos) << clean.errors;
  EXPECT_NE(clean.errors.find("not removed"), std::string::npos) << clean.errors;
  EXPECT_EQ(clean.output.find("removed segment"), std::string::npos) << clean.output;
  EXPECT_TRUE(read_bytes(segment_path(name)) == before) << "clean removed or changed the file";
}

// Every binary refuses the planted segment with `expected_code` and leaves its bytes untouched.
void expect_refused_untouched(const std::string& name, int expected_code) {
  const std::string before = read_bytes(segment_path(name));
  const auto controller = run({binary("tether-controller"), "--name", name});
  EXPECT_EQ(controller.exit_code, expected_code) << controller.errors;
  EXPECT_NE(controller.errors.find("segment"), std::string::npos) << controller.errors;
  const auto listener = run({binary("tether-listener"), "--name", name, "--units", "1"});
  EXPECT_EQ(listener.exit_code, expected_code) << listener.errors;
  EXPECT_EQ(run({binary("tether"), "status", name}).exit_code, expected_code);
  EXPECT_EQ(run({binary("tether"), "shutdown", name}).exit_code, expected_code);
  EXPECT_EQ(read_bytes(segment_path(name)), before) << "a refused segment was written to";
}

TEST(SegmentGuard, RandomBytesAreRefusedAndNeverWritten) {
  Cleanup cleanup;
  const auto name = cleanup.name("random");
  plant(name, random_bytes(4096, 7));
  expect_refused_untouched(name, 65);
  expect_not_cleaned(name, "segment has a foreign magic number (not a tether segment)");
}

TEST(SegmentGuard, WrongVersionIsRefused) {
  Cleanup cleanup;
  const auto name = cleanup.name("version");
  plant(name, header_with_version(99));
  expect_refused_untouched(name, 65);
  expect_not_cleaned(name, "segment has an unsupported layout version");
}

TEST(SegmentGuard, TruncatedSegmentIsRefused) {
  Cleanup cleanup;
  const auto name = cleanup.name("truncated");
  plant(name, header_with_version(1).substr(0, 100));
  expect_refused_untouched(name, 65);
  expect_not_cleaned(name, "has 100 bytes, not the 4096 of a tether segment");
}

TEST(SegmentGuard, SegmentOfAnotherUserIsRefusedWithPermissionError) {
  Cleanup cleanup;
  const auto name = cleanup.name("foreign-owner");
  plant(name, header_with_version(1));
  if (chown(segment_path(name).c_str(), 65534, 65534) != 0) {
    GTEST_SKIP() << "cannot chown a file here (not root): the other-user case needs root";
  }
  expect_refused_untouched(name, 77);
}

TEST(SegmentGuard, ListenerInheritsNoDescriptorOfTheController) {
  Cleanup cleanup;
  const auto name = cleanup.name("cloexec");
  Process pair({binary("tether-controller"), "--name", name, "--", binary("tether-listener"), "--work-ms", "50"});
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  const pid_t listener = listener_pid(name);
  int segment_links = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(listener) + "/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    EXPECT_EQ(target.find("pidfd"), std::string::npos) << "leaked " << target;
    EXPECT_EQ(target.find("signalfd"), std::string::npos) << "leaked " << target;
    if (target.find("tether." + name) != std::string::npos) ++segment_links;
  }
  EXPECT_LE(segment_links, 1) << "only the listener's own mapping may refer to the segment";
  // The proof that matters: with the controller gone, its lock must be free although the listener lives.
  pair.signal(SIGKILL);
  pair.wait_exit();
  Process second({binary("tether-controller"), "--name", name, "--", binary("tether-listener")});
  EXPECT_TRUE(wait_until([&] { return second.log_contains("adopted"); })) << second.log();
}

TEST(SegmentGuard, SegmentIsCreatedPrivate) {
  Cleanup cleanup;
  const auto name = cleanup.name("mode");
  Process pair({binary("tether-controller"), "--name", name, "--", binary("tether-listener"), "--work-ms", "50"});
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << pair.log();
  struct stat status {};
  ASSERT_EQ(stat(segment_path(name).c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_EQ(status.st_size, 4096);
}

TEST(SegmentGuard, IdleListenerWakesOnShutdownWithoutWaitingOutItsIdleTime) {
  Cleanup cleanup;
  const auto name = cleanup.name("futex");
  Process pair({binary("tether-controller"), "--name", name, "--", binary("tether-listener"), "--work-ms", "1",
                "--idle-ms", "600000"});
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("unit_finished unit=1"); })) << pair.log();
  const auto shutdown = run({binary("tether"), "shutdown", name, "--wait"});
  EXPECT_EQ(shutdown.exit_code, 0) << shutdown.errors;
  // Only a wake-up can end a ten-minute idle wait within the harness's bounded wait.
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_EQ(pair.log_count("unit_started"), 1) << pair.log();
}

TEST(SegmentGuard, JsonLogsAreOneObjectPerLine) {
  Cleanup cleanup;
  const auto name = cleanup.name("json");
  Process pair({binary("tether-controller"), "--name", name, "--log-format", "json", "--", binary("tether-listener"),
                "--work-ms", "20", "--log-format", "json"});
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("\"event\":\"registered\""); })) << pair.log();
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0);
  std::istringstream lines(pair.log());
  int objects = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << line;
    EXPECT_TRUE(parsed.contains("time") && parsed.contains("event") && parsed.contains("pid")) << line;
    EXPECT_EQ(parsed["name"], name);
    ++objects;
  }
  EXPECT_GE(objects, 4);
}

}  // namespace
}  // namespace tether::testing
