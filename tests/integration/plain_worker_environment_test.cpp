// Goal: the worker's surroundings (issue 8): --cwd, --env (repeatable, wins over the file), --env-file,
// TETHER_NAME and the launch ticket (TETHER_INCARNATION, TETHER_GENERATION) reach the worker; bad entries and files are
// refused before anything starts; --log-file receives the worker's stdout and stderr, appended, and SIGHUP reopens it
// so that after a rotation the next start writes into the new file while a running worker keeps its own. Method: worker
// scripts that report their environment or write tagged lines, read back from files and from /proc/PID/environ and
// /proc/PID/cwd.
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "adapters/proc_identity.hpp"
#include "harness.hpp"
#include "harness_extras.hpp"

namespace tether::testing {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(PlainWorkerEnvironment, CwdEnvAndEnvFileReachTheWorker) {
  Cleanup cleanup;
  const auto name = cleanup.name("environment");
  const TempDir work("env-cwd");
  const TempDir files("env-files");
  const std::string env_file = files.file("worker.env");
  write_text(env_file,
             "# settings for the worker\n"
             "\n"
             "FROM_FILE=file value\n"
             "   INDENTED=yes\n"
             "SHARED=from the file\n"
             "  # an indented comment\n");
  const std::string report = files.file("report");
  Process pair(controller_argv(
      name,
      {"--ready-timeout-ms", "200", "--restart-delay-ms", "10", "--cwd", work.path(), "--env-file", env_file, "--env",
       "SHARED=from the command line", "--env", "WITH_EQUALS=a=b", "--env", "EMPTY="},
      {"/bin/sh", worker_script("report_environment.sh"), report}));
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(report + ".1"); })) << pair.log();
  const std::string first_report = read_text(report + ".1");
  const std::string directory = std::filesystem::canonical(work.path()).string();
  EXPECT_TRUE(has_line(first_report, "cwd=" + directory)) << first_report;
  EXPECT_TRUE(has_line(first_report, "FROM_FILE=file value")) << first_report;
  EXPECT_TRUE(has_line(first_report, "INDENTED=yes")) << first_report;
  EXPECT_TRUE(has_line(first_report, "SHARED=from the command line")) << "--env wins over the file\n" << first_report;
  EXPECT_FALSE(has_line(first_report, "SHARED=from the file")) << first_report;
  EXPECT_TRUE(has_line(first_report, "WITH_EQUALS=a=b")) << first_report;
  EXPECT_TRUE(has_line(first_report, "EMPTY=")) << first_report;
  EXPECT_TRUE(has_line(first_report, "TETHER_NAME=" + name)) << first_report;
  EXPECT_TRUE(has_line(first_report, "TETHER_GENERATION=1")) << first_report;
  EXPECT_EQ(first_report.find("settings for the worker"), std::string::npos) << "comments are not variables";
  // The controller's own environment is passed on.
  ASSERT_NE(getenv("PATH"), nullptr);
  EXPECT_TRUE(has_line(first_report, std::string("PATH=") + getenv("PATH"))) << first_report;

  // The same seen from /proc, without trusting the script; then a restart is generation 2.
  ASSERT_TRUE(wait_until([&] { return pid_after(pair.log(), "launched listener_pid=") != 0; })) << pair.log();
  const pid_t first = pid_after(pair.log(), "launched listener_pid=");
  EXPECT_EQ(working_directory_of(first), directory);
  // The script ends in `exec sleep`: while the exec installs the new image, /proc shows no environment,
  // so all three are read together until one reading has them all.
  EXPECT_TRUE(wait_until([&] {
    return environment_value(first, "SHARED") == "from the command line" &&
           environment_value(first, "TETHER_GENERATION") == "1" && environment_value(first, "TETHER_NAME") == name;
  })) << environment_value(first, "SHARED").value_or("(unset)")
      << " / " << environment_value(first, "TETHER_GENERATION").value_or("(unset)") << " / "
      << environment_value(first, "TETHER_NAME").value_or("(unset)");
  ASSERT_EQ(kill(first, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(report + ".2"); })) << pair.log();
  const std::string second_report = read_text(report + ".2");
  EXPECT_TRUE(has_line(second_report, "TETHER_GENERATION=2")) << second_report;
  // Both launches name the segment by its incarnation: the identity of the controller that created it.
  const auto controller = read_proc_stat(pair.pid());
  ASSERT_TRUE(controller.has_value());
  const std::string incarnation = "TETHER_INCARNATION=" + std::to_string(controller->identity.pack());
  EXPECT_TRUE(has_line(first_report, incarnation)) << incarnation << "\n" << first_report;
  EXPECT_TRUE(has_line(second_report, incarnation)) << incarnation << "\n" << second_report;
  EXPECT_TRUE(has_line(second_report, "cwd=" + directory)) << second_report;
  EXPECT_TRUE(has_line(second_report, "FROM_FILE=file value")) << second_report;

  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind";
}

TEST(PlainWorkerEnvironment, BadEnvEntriesAreUsageErrors) {
  for (const std::string entry : {"NO_EQUALS", "=value", "1STARTS_WITH_DIGIT=x", "HAS-DASH=x", "HAS SPACE=x"}) {
    Cleanup cleanup;
    const auto name = cleanup.name("bad-env");
    const auto result = run(controller_argv(name, {"--env", entry}, {"sleep", "infinity"}));
    EXPECT_EQ(result.exit_code, 64) << entry << ": " << result.errors;
    EXPECT_NE(result.errors.find("--env"), std::string::npos) << result.errors;
    EXPECT_FALSE(segment_exists(name)) << "refused before anything starts";
    EXPECT_TRUE(nothing_left_behind());
  }
}

// A file that exists but has a bad line is a usage error (64) naming file and line; only an unreadable
// file is 66.
TEST(PlainWorkerEnvironment, EnvFileWithABadLineIsRefusedNamingFileAndLine) {
  Cleanup cleanup;
  const auto name = cleanup.name("bad-env-file");
  const TempDir files("bad-env-file");
  const std::string env_file = files.file("worker.env");
  write_text(env_file, "# comment\nGOOD=1\nnot an assignment\n");
  const auto result = run(controller_argv(name, {"--env-file", env_file}, {"sleep", "infinity"}));
  EXPECT_EQ(result.exit_code, 64) << result.errors;
  EXPECT_NE(result.errors.find(env_file), std::string::npos) << result.errors;
  EXPECT_NE(result.errors.find("line 3"), std::string::npos) << result.errors;
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerEnvironment, EnvFileWithABadLineIsRefusedBeforeAnythingStarts) {
  for (const std::string bad_line : {"not an assignment", "BAD-KEY=1", "=1"}) {
    Cleanup cleanup;
    const auto name = cleanup.name("bad-env-line");
    const TempDir files("bad-env-line");
    const std::string env_file = files.file("worker.env");
    write_text(env_file, "# comment\nGOOD=1\n" + bad_line + "\nLATER=2\n");
    const auto result = run(controller_argv(name, {"--env-file", env_file}, {"sleep", "infinity"}));
    EXPECT_NE(result.exit_code, 0) << bad_line;
    EXPECT_NE(result.errors.find(env_file), std::string::npos) << result.errors;
    EXPECT_NE(result.errors.find("line 3"), std::string::npos) << result.errors;
    EXPECT_FALSE(segment_exists(name));
    EXPECT_TRUE(nothing_left_behind());
  }
}

// The file systemd would read for EnvironmentFile= reaches the worker as systemd would pass it: written
// on Windows (byte-order mark, CRLF), with quotes, escapes, `export` and a value that spans lines.
TEST(PlainWorkerEnvironment, EnvFileFollowsSystemdsRules) {
  Cleanup cleanup;
  const auto name = cleanup.name("env-rules");
  const TempDir files("env-rules");
  const std::string env_file = files.file("worker.env");
  write_text(env_file,
             "\xEF\xBB\xBF"
             "FIRST=1\r\n"
             "; a semicolon comment\r\n"
             "export EXPORTED=yes\r\n"
             "DOUBLE=\"two  words \\\"quoted\\\"\"\r\n"
             "SINGLE='$HOME stays'\r\n"
             "LINES=\"one\ntwo\"\n"
             "ESCAPED=a\\ b\\\\c\n");
  Process pair(controller_argv(name, {"--env-file", env_file}, {"sleep", "infinity"}));
  ASSERT_TRUE(wait_until([&] { return pid_after(pair.log(), "launched listener_pid=") != 0; })) << pair.log();
  const pid_t worker = pid_after(pair.log(), "launched listener_pid=");
  ASSERT_TRUE(wait_until([&] { return environment_value(worker, "FIRST").has_value(); })) << pair.log();
  EXPECT_EQ(environment_value(worker, "FIRST"), "1");
  EXPECT_EQ(environment_value(worker, "EXPORTED"), "yes");
  EXPECT_EQ(environment_value(worker, "DOUBLE"), "two  words \"quoted\"");
  EXPECT_EQ(environment_value(worker, "SINGLE"), "$HOME stays");
  EXPECT_EQ(environment_value(worker, "LINES"), "one\ntwo");
  EXPECT_EQ(environment_value(worker, "ESCAPED"), "a b\\c");
}

// A NUL byte used to cut the rest of its line silently; now the file is refused, naming the line.
TEST(PlainWorkerEnvironment, EnvFileWithANulByteIsRefused) {
  Cleanup cleanup;
  const auto name = cleanup.name("env-nul");
  const TempDir files("env-nul");
  const std::string env_file = files.file("worker.env");
  write_text(env_file, std::string("A=1\nB=before\0after\n", 19));
  const auto result = run(controller_argv(name, {"--env-file", env_file}, {"sleep", "infinity"}));
  EXPECT_EQ(result.exit_code, 64) << result.errors;
  EXPECT_TRUE(contains(result.errors, "line 2: contains a NUL byte")) << result.errors;
  EXPECT_FALSE(segment_exists(name));
}

// A FIFO nobody writes hung the controller for ever in open(2); now it waits a bounded time, then
// refuses the file (66), before anything starts.
TEST(PlainWorkerEnvironment, EnvFileFifoWithoutWriterIsRefusedAfterABound) {
  Cleanup cleanup;
  const auto name = cleanup.name("env-fifo");
  const TempDir files("env-fifo");
  const std::string fifo = files.file("worker.env");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const auto result = run(controller_argv(name, {"--env-file", fifo}, {"sleep", "infinity"}), 20s);
  EXPECT_EQ(result.exit_code, 66) << result.errors;
  EXPECT_TRUE(contains(result.errors, "nothing was written to it within 5000 ms")) << result.errors;
  EXPECT_FALSE(segment_exists(name));
}

// A FIFO with a writer (as `--env-file <(command)` gives) is read as it is written.
TEST(PlainWorkerEnvironment, EnvFileFifoWithWriterIsRead) {
  Cleanup cleanup;
  const auto name = cleanup.name("env-fifo-writer");
  const TempDir files("env-fifo-writer");
  const std::string fifo = files.file("worker.env");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // The writer blocks in open(2) until the controller opens the FIFO for reading, as a shell's would.
  std::thread writer([&fifo] {
    const int fd = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    const std::string text = "FROM_PIPE=piped\n";
    [[maybe_unused]] const auto written = write(fd, text.data(), text.size());
    close(fd);
  });
  Process pair(controller_argv(name, {"--env-file", fifo}, {"sleep", "infinity"}));
  const bool launched = wait_until([&] { return pid_after(pair.log(), "launched listener_pid=") != 0; });
  if (!launched) {
    // Unblock the writer (it waits for a reader) before failing, so the test cannot hang in join().
    const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    writer.join();
    if (reader >= 0) close(reader);
    FAIL() << pair.log();
  }
  writer.join();
  const pid_t worker = pid_after(pair.log(), "launched listener_pid=");
  EXPECT_TRUE(wait_until([&] { return environment_value(worker, "FROM_PIPE") == "piped"; })) << pair.log();
}

// Starts a controller with `--env-file path`; it must refuse with `exit_code`, say `text`, create nothing.
void expect_env_file_refused(const std::string& tag, const std::string& path, int exit_code, const std::string& text) {
  Cleanup cleanup;
  const auto name = cleanup.name(tag);
  const auto result = run(controller_argv(name, {"--env-file", path}, {"sleep", "infinity"}));
  EXPECT_EQ(result.exit_code, exit_code) << result.errors;
  EXPECT_NE(result.errors.find(text), std::string::npos) << result.errors;
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerEnvironment, MissingEnvFileIsNoInput) {
  const TempDir files("missing-env-file");
  expect_env_file_refused("missing-env-file", files.file("absent.env"), 66, files.file("absent.env"));
}

// A directory opens but cannot be read: refused as unreadable (66), not taken for an empty file.
TEST(PlainWorkerEnvironment, DirectoryAsEnvFileIsNoInput) {
  const TempDir files("dir-env-file");
  expect_env_file_refused("dir-env-file", files.file(""), 66, "Is a directory");
}

// An endless file (one line that never ends) is cut off at the byte limit, not read into memory.
TEST(PlainWorkerEnvironment, EndlessEnvFileIsRefusedAtTheByteLimit) {
  expect_env_file_refused("endless-env-file", "/dev/zero", 64, "larger than");
}

TEST(PlainWorkerEnvironment, MissingCwdIsAUsageError) {
  Cleanup cleanup;
  const auto name = cleanup.name("missing-cwd");
  const TempDir files("missing-cwd");
  const auto result = run(controller_argv(name, {"--cwd", files.file("absent")}, {"sleep", "infinity"}));
  EXPECT_EQ(result.exit_code, 64) << result.errors;
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerEnvironment, UnopenableLogFileIsRefused) {
  Cleanup cleanup;
  const auto name = cleanup.name("bad-log-file");
  const TempDir files("bad-log-file");
  const std::string log_file = files.file("absent-directory/worker.log");
  const auto result = run(controller_argv(name, {"--log-file", log_file}, {"sleep", "infinity"}));
  EXPECT_EQ(result.exit_code, 73) << result.errors;
  EXPECT_NE(result.errors.find(log_file), std::string::npos) << result.errors;
  EXPECT_FALSE(segment_exists(name));
}

TEST(PlainWorkerEnvironment, LogFileIsAppendedAndReopenedOnSighup) {
  Cleanup cleanup;
  const auto name = cleanup.name("log-file");
  const TempDir files("log-file");
  const std::string log_file = files.file("worker.log");
  const std::string rotated = files.file("worker.log.1");
  write_text(log_file, "written before the controller\n");
  Process pair(controller_argv(name, {"--ready-timeout-ms", "200", "--restart-delay-ms", "10", "--log-file", log_file},
                               {"/bin/sh", worker_script("chatty.sh")}));
  ASSERT_TRUE(wait_until([&] {
    const std::string text = read_text(log_file);
    return text.find("stdout generation=1 line=2") != std::string::npos &&
           text.find("stderr generation=1 line=2") != std::string::npos;
  })) << pair.log();
  EXPECT_TRUE(read_text(log_file).starts_with("written before the controller\n")) << "appended, not truncated";
  EXPECT_EQ(pair.log().find("generation=1 line="), std::string::npos) << "the worker's output goes to the file only";

  std::filesystem::rename(log_file, rotated);
  pair.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("log_file_reopened"); })) << pair.log();
  // The running worker keeps its descriptor: it goes on writing into the renamed file.
  const auto rotated_size = std::filesystem::file_size(rotated);
  ASSERT_TRUE(wait_until([&] { return std::filesystem::file_size(rotated) > rotated_size; })) << pair.log();

  const pid_t first = pid_after(pair.log(), "launched listener_pid=");
  ASSERT_GT(first, 0);
  ASSERT_EQ(kill(first, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] {
    const std::string text = read_text(log_file);
    return text.find("stdout generation=2 line=2") != std::string::npos &&
           text.find("stderr generation=2 line=2") != std::string::npos;
  })) << pair.log();
  EXPECT_EQ(read_text(log_file).find("generation=1"), std::string::npos) << "the new file is the new start's alone";
  EXPECT_EQ(read_text(rotated).find("generation=2"), std::string::npos) << "the restart writes into the new file";

  EXPECT_EQ(run({binary("tether"), "shutdown", name, "--wait"}).exit_code, 0);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
  EXPECT_TRUE(nothing_left_behind()) << "nothing left behind (the worker's sleep included)";
}

}  // namespace
}  // namespace tether::testing
