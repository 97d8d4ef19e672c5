// The bounded file reader the adapters use for /proc and env files, over real files and processes.
#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/file_text.hpp"
#include "adapters/proc_identity.hpp"
#include "harness_extras.hpp"

namespace tether {
namespace {

using tether::testing::TempDir;
using tether::testing::write_text;

TEST(FileText, ReadsAWholeFileAcrossChunks) {
  const TempDir files("file-text");
  const std::string path = files.file("big");
  std::string content;
  for (int line = 0; line < 2000; ++line) content += "line " + std::to_string(line) + "\n";
  ASSERT_GT(content.size(), 4096u * 3);
  write_text(path, content);
  const auto text = read_file_text(path, content.size());
  ASSERT_TRUE(text.ok()) << text.error().error_number;
  EXPECT_EQ(text.value(), content);
}

TEST(FileText, OneByteOverTheLimitIsEfbig) {
  const TempDir files("file-text-limit");
  const std::string path = files.file("eleven");
  write_text(path, "0123456789\n");
  EXPECT_TRUE(read_file_text(path, 11).ok());
  const auto text = read_file_text(path, 10);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().error_number, EFBIG);
}

TEST(FileText, EndlessFileStopsAtTheLimit) {
  const auto text = read_file_text("/dev/zero", 100'000);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().error_number, EFBIG);
}

TEST(FileText, FailuresAreValuesNotExceptions) {
  const TempDir files("file-text-errors");
  const auto missing = read_file_text(files.file("absent"), 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().error_number, ENOENT);
  const auto directory = read_file_text(files.file(""), 100);  // opens, but read() fails
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().error_number, EISDIR);
}

// The race a controller met in chaos testing: /proc/PID/stat opened while the process lived, read
// after it was reaped. The read fails with ESRCH; it used to throw out of an istreambuf_iterator and
// abort the controller (exit 134).
TEST(FileText, StatOfAProcessReapedAfterTheOpenIsAnError) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  const int fd = open(("/proc/" + std::to_string(child) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  const auto text = read_descriptor_text(fd, 4096);
  close(fd);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().error_number, ESRCH);
  EXPECT_FALSE(read_proc_stat(child).has_value());
}

TEST(FileText, StatOfALiveProcessParses) {
  const auto stat = read_proc_stat(getpid());
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->identity.pid, getpid());
  EXPECT_NE(stat->identity.start_time_ticks, 0u);
  EXPECT_EQ(stat->state, 'R');
}

}  // namespace
}  // namespace tether
