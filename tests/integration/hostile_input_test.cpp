// Goal: what a user or the environment hands the binaries (closed standard streams, an output that
// refuses writes, a reader that went away, a full /dev/shm, a FIFO planted in it, a file size limit, an
// ignored SIGCHLD, a time zone, a huge API timeout) ends them with a sysexits code and a message, never
// with an abort, a signal, a hang, a spin or damage to a pair. Method: the real binaries started with
// exactly those descriptors, objects, limits or environment, or in a private mount namespace; exit
// codes, stderr and the pair's state checked from outside.
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "adapters/mapped_segment.hpp"
#include "harness.hpp"
#include "harness_extras.hpp"
#include "tether/listener.hpp"

extern char** environ;

namespace tether::testing {
namespace {

// Starts argv with `output_fd` as its stdout (-1: stdout closed) and stderr in a file, with SIGPIPE at
// its default action as a shell would give it; waits (bounded) and returns its code and stderr.
CommandResult run_with_output(const std::vector<std::string>& argv, int output_fd) {
  const TempDir directory("tether-hostile");
  const std::string errors_path = directory.file("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (output_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addclose(&actions, STDOUT_FILENO);
  }
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errors_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> copy = argv;
  std::vector<char*> pointers;
  for (auto& argument : copy) pointers.push_back(argument.data());
  pointers.push_back(nullptr);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, pointers[0], &actions, &attributes, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  CommandResult result;
  if (error != 0) return result;
  int status = 0;
  const bool ended = wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; });
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.errors = read_text(errors_path);
  return result;
}

// Runs argv through a shell that closes descriptors first: `redirections` is "<&- 2>&-", say.
std::vector<std::string> with_closed(const std::string& redirections, const std::vector<std::string>& argv) {
  std::vector<std::string> wrapped = {"/bin/sh", "-c", "exec \"$@\" " + redirections, "sh"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

// A controller started with stdin and stderr closed used to open its segment on descriptor 2 and write
// its first log line over the segment's magic: it read a shutdown request out of the log text and
// exited 0 without ever launching. Now it runs its pair as usual.
TEST(HostileInput, ControllerWithClosedStreamsKeepsItsSegmentIntact) {
  Cleanup cleanup;
  const auto name = cleanup.name("closed-streams");
  Process pair(with_closed(
      "<&- 2>&-", {binary("tether-controller"), "--name", name, "--", binary("tether-listener"), "--work-ms", "20"}));
  ASSERT_TRUE(wait_until([&] { return listener_pid(name) != 0; })) << "exit " << pair.wait_exit(0ms).value_or(-1);
  const auto status = status_json(name);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ((*status)["shutdown_requested"], false) << status->dump();
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0);
  EXPECT_FALSE(segment_exists(name));
}

// A listener started by hand with stderr closed must not log into the segment it registers in either:
// the pair's segment stays valid for `tether status` (65 meant "foreign segment").
TEST(HostileInput, ListenerWithClosedStreamsKeepsTheSegmentValid) {
  Cleanup cleanup;
  const auto name = cleanup.name("closed-listener");
  Process pair({binary("tether-controller"), "--name", name, "--stop-timeout-ms", "100", "--", "sleep", "infinity"});
  ASSERT_TRUE(wait_until([&] {
    const auto status = status_json(name);
    return status.has_value() && status->value("generation", 0) == 1;
  })) << pair.log();
  const auto listener =
      run(with_closed("2>&-", {binary("tether-listener"), "--name", name, "--units", "1", "--work-ms", "0"}));
  EXPECT_EQ(listener.exit_code, 0);
  const auto status = run({binary("tether"), "status", name});
  EXPECT_EQ(status.exit_code, 0) << status.output << status.errors;
  EXPECT_TRUE(contains(status.output, name + ": state ")) << status.output << status.errors;
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

// Output to a full device: `tether status` used to exit as if it had printed (the buffered line was
// lost at exit), and `tether list` with more than a buffer of output aborted (fmt::print threw
// std::system_error: "terminate called ..."). Both now say so and exit EX_IOERR (74).
TEST(HostileInput, OutputToAFullDeviceIsAnIoError) {
  Cleanup cleanup;
  const auto name = cleanup.name("full-status");
  const int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0);
  const auto status = run_with_output({binary("tether"), "status", name}, full);
  EXPECT_EQ(status.exit_code, 74) << status.errors;
  EXPECT_TRUE(contains(status.errors, "tether: cannot write output: No space left on device")) << status.errors;

  // Empty objects that `list` reports as broken, one line each: more than stdout's buffer in all.
  constexpr int broken_objects = 100;
  for (int index = 0; index < broken_objects; ++index) {
    const int fd = open(("/dev/shm/tether." + cleanup.name("full-list")).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    close(fd);
  }
  const auto list = run_with_output({binary("tether"), "list"}, full);
  close(full);
  EXPECT_EQ(list.exit_code, 74) << list.errors;
  EXPECT_FALSE(contains(list.errors, "terminate called")) << list.errors;
  EXPECT_TRUE(contains(list.errors, "tether: cannot write output: No space left on device")) << list.errors;
}

// `--help` or `--version` into a full device: every binary exited 0 as if the text had been printed.
TEST(HostileInput, HelpToAFullDeviceIsAnIoError) {
  const int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0);
  for (const std::string program : {"tether", "tether-controller", "tether-listener"}) {
    for (const std::string flag : {"--help", "--version"}) {
      const auto result = run_with_output({binary(program), flag}, full);
      EXPECT_EQ(result.exit_code, 74) << program << " " << flag << ": " << result.errors;
      EXPECT_TRUE(contains(result.errors, program + ": cannot write output: No space left on device"))
          << program << " " << flag << ": " << result.errors;
    }
  }
  close(full);
}

// A reader that went away (`tether status NAME | head -0`): SIGPIPE used to end the tool (141); now it
// ends with EX_IOERR, quietly (the reader asked for no more), not by a signal.
TEST(HostileInput, OutputToAClosedPipeIsAnIoError) {
  Cleanup cleanup;
  const auto name = cleanup.name("closed-pipe");
  int pipe_fds[2] = {-1, -1};
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  close(pipe_fds[0]);
  const auto status = run_with_output({binary("tether"), "status", name}, pipe_fds[1]);
  close(pipe_fds[1]);
  EXPECT_EQ(status.exit_code, 74) << status.errors;
  EXPECT_FALSE(contains(status.errors, "cannot write output")) << status.errors;
}

// With stdout closed there is nothing to write to and nothing to fail (it reads as /dev/null, rather than
// as whatever the tool opens next): the answer is in the exit code.
TEST(HostileInput, ClosedStdoutStillAnswersWithTheExitCode) {
  Cleanup cleanup;
  const auto name = cleanup.name("closed-stdout");
  const auto status = run_with_output({binary("tether"), "status", name}, -1);
  EXPECT_EQ(status.exit_code, 3) << status.errors;
  EXPECT_EQ(status.errors, "");
}

// A full /dev/shm (a private tmpfs of one page, already filled, in a mount namespace of its own): the
// controller used to size its segment sparsely and die of SIGBUS (135) on its first write to it. Now
// it refuses with EX_OSERR (71) and says why.
TEST(HostileInput, FullSharedMemoryIsRefusedWithAMessage) {
  if (run({"/usr/bin/unshare", "--mount", "mount", "-t", "tmpfs", "tmpfs", "/dev/shm"}).exit_code != 0) {
    GTEST_SKIP() << "needs mount namespaces (root)";
  }
  Cleanup cleanup;
  const auto name = cleanup.name("full-shm");
  const std::string script =
      "mount -t tmpfs -o size=4k tmpfs /dev/shm && head -c 4096 /dev/zero > /dev/shm/filler && exec \"$@\"";
  const auto controller = run({"/usr/bin/unshare", "--mount", "/bin/sh", "-c", script, "sh",
                               binary("tether-controller"), "--name", name, "--", "sleep", "infinity"});
  EXPECT_EQ(controller.exit_code, 71) << controller.errors;
  EXPECT_TRUE(contains(controller.errors, "cannot allocate segment '" + name + "': No space left on device"))
      << controller.errors;
}

// A file size limit below one page (`ulimit -f 1`): growing the new segment raised SIGXFSZ and ended
// the controller (153). Now it refuses with EX_OSERR (71) and the reason.
TEST(HostileInput, FileSizeLimitBelowAPageIsRefusedWithAMessage) {
#ifdef TETHER_COVERAGE
  GTEST_SKIP() << "under coverage, gcov writes its counters at exit past the limit and raises SIGXFSZ itself";
#endif
  Cleanup cleanup;
  const auto name = cleanup.name("file-size-limit");
  const auto controller = run({"/bin/sh", "-c", "ulimit -f 1 && exec \"$@\"", "sh", binary("tether-controller"),
                               "--name", name, "--", "sleep", "infinity"});
  EXPECT_EQ(controller.exit_code, 71) << controller.errors;
  EXPECT_TRUE(contains(controller.errors, "cannot allocate segment '" + name + "': File too large"))
      << controller.errors;
}

// A parent that ignores SIGCHLD passes that on through exec: the kernel then reaped the workers itself,
// so the controller logged their exits as code=unknown (and their pids were free for strangers while it
// still meant to signal their groups). Now it takes SIGCHLD back and sees the worker's real code.
TEST(HostileInput, InheritedIgnoredSigchldKeepsExitCodes) {
  Cleanup cleanup;
  const auto name = cleanup.name("ignored-sigchld");
  const std::string ignore_and_exec =
      "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])";
  const auto controller = run({python3(), "-c", ignore_and_exec, binary("tether-controller"), "--name", name,
                               "--restart", "never", "--", "/bin/sh", "-c", "exit 3"});
  EXPECT_TRUE(contains(controller.errors, "exited listener_pid=")) << controller.errors;
  EXPECT_TRUE(contains(controller.errors, " code=3")) << controller.errors;
}

// /dev/shm is writable by every user: a FIFO planted under a pair's name used to hang `tether status`,
// `list` and `clean` for good (shm_open for reading waits for a writer). Now it is refused at once as
// not a segment, and listed as such.
TEST(HostileInput, FifoUnderAPairsNameIsRefusedWithoutHanging) {
  Cleanup cleanup;
  const auto name = cleanup.name("fifo");
  ASSERT_EQ(mkfifo(("/dev/shm/tether." + name).c_str(), 0600), 0);
  constexpr auto hang_limit = 5s;  // the old behaviour never ended: run() kills it then (exit -1)
  const auto status = run({binary("tether"), "status", name}, hang_limit);
  EXPECT_EQ(status.exit_code, 65) << status.output << status.errors;
  EXPECT_TRUE(contains(status.errors, "segment '" + name + "' is a FIFO")) << status.errors;
  const auto list = run({binary("tether"), "list"}, hang_limit);
  EXPECT_EQ(list.exit_code, 0) << list.errors;
  EXPECT_TRUE(contains(list.output, name + ": segment '" + name + "' is a FIFO")) << list.output;
  const auto clean = run({binary("tether"), "clean", name}, hang_limit);
  EXPECT_EQ(clean.exit_code, 65) << clean.output << clean.errors;
  EXPECT_TRUE(segment_exists(name)) << "clean removed something that is not a segment";
}

// A directory or a symbolic link under a pair's name is named for what it is (a directory was reported
// as "accessible to other users (mode 755)", a link as "Too many levels of symbolic links").
TEST(HostileInput, DirectoryOrLinkUnderAPairsNameIsNamedForWhatItIs) {
  Cleanup cleanup;
  const auto directory_name = cleanup.name("dir-segment");
  const std::string directory_path = "/dev/shm/tether." + directory_name;
  ASSERT_EQ(mkdir(directory_path.c_str(), 0700), 0);
  const auto link_name = cleanup.name("link-segment");
  const std::string link_path = "/dev/shm/tether." + link_name;
  ASSERT_EQ(symlink("/etc/hostname", link_path.c_str()), 0);
  const auto directory_status = run({binary("tether"), "status", directory_name});
  const auto link_status = run({binary("tether"), "status", link_name});
  const auto link_clean = run({binary("tether"), "clean", link_name});
  rmdir(directory_path.c_str());
  unlink(link_path.c_str());
  EXPECT_EQ(directory_status.exit_code, 65) << directory_status.errors;
  EXPECT_TRUE(contains(directory_status.errors, "segment '" + directory_name + "' is a directory, not a shared"))
      << directory_status.errors;
  EXPECT_EQ(link_status.exit_code, 65) << link_status.errors;
  EXPECT_TRUE(contains(link_status.errors, "segment '" + link_name + "' is a symbolic link (never followed)"))
      << link_status.errors;
  EXPECT_EQ(link_clean.exit_code, 65) << link_clean.errors;
}

// Log lines mark their time with Z, so it must be UTC whatever TZ says (fmt 9 formatted a time point
// in local time: nine hours ahead under TZ=XYZ-9, a zone that needs no tzdata).
TEST(HostileInput, LogTimesAreUtcWhateverTheTimeZone) {
  Cleanup cleanup;
  const auto name = cleanup.name("time-zone");
  const auto before = std::chrono::system_clock::now();
  const auto listener = run({"/usr/bin/env", "TZ=XYZ-9", binary("tether-listener"), "--name", name});
  EXPECT_EQ(listener.exit_code, 66) << listener.errors;
  std::tm logged{};
  ASSERT_NE(strptime(listener.errors.c_str(), "%Y-%m-%dT%H:%M:%S", &logged), nullptr) << listener.errors;
  const auto logged_time = std::chrono::system_clock::from_time_t(timegm(&logged));
  EXPECT_LE(std::chrono::abs(logged_time - before), std::chrono::minutes(5)) << listener.errors;
}

// Plays the controller: a segment of `name` set up through the adapter, for this process's own
// listener session (which then needs no launch ticket: the TETHER_* variables are cleared).
Result<MappedSegment, SegmentError> set_up_segment(const std::string& name) {
  for (const char* variable : {"TETHER_NAME", "TETHER_INCARNATION", "TETHER_GENERATION"}) unsetenv(variable);
  auto segment = MappedSegment::open_for_controller(name);
  if (!segment.ok()) return segment;
  segment.value().store(Field::layout_version, segment_layout_version);
  segment.value().store(Field::size_bytes, segment_size_bytes);
  segment.value().store(Field::magic, segment_magic);
  return segment;
}

// A timeout of milliseconds::max() (INT64_MAX through the C API) means "until a request comes": in
// nanoseconds it used to wrap around to a deadline already past, so the wait returned false at once and
// a worker looping on it spun. Method: this process plays the controller (a segment set up through the
// adapter) and the listener (the public API), and a second thread posts the request after a delay.
TEST(HostileInput, HugeShutdownWaitLastsUntilTheRequest) {
  Cleanup cleanup;
  const auto name = cleanup.name("huge-wait");
  auto controller = set_up_segment(name);
  ASSERT_TRUE(controller.ok()) << controller.error().message;
  auto session = ListenerSession::open(name);
  ASSERT_TRUE(session.ok()) << session.error().message;
  constexpr auto request_delay = 300ms;  // deliberate: the wait must last at least this long
  // Taken before the poster starts its delay: the request is then posted at least request_delay after it.
  const auto start = std::chrono::steady_clock::now();
  std::thread poster([&] {
    std::this_thread::sleep_for(request_delay);
    controller.value().store(Field::shutdown_request, 1);
    controller.value().wake_shutdown_waiters();
  });
  const bool requested = session.value().wait_for_shutdown(std::chrono::milliseconds::max());
  const auto waited = std::chrono::steady_clock::now() - start;
  poster.join();
  EXPECT_TRUE(requested);
  EXPECT_GE(waited, request_delay);
}

// A worker that embeds the API and was started with stderr closed: the segment must not become its
// descriptor 2, or its next message "to stderr" is written over the segment's header. Method: this
// process sets a segment up through the adapter; a forked child closes stderr, opens a session and
// writes to descriptor 2; the segment must still validate afterwards.
TEST(HostileInput, SessionOpenedWithStderrClosedKeepsTheSegmentIntact) {
  Cleanup cleanup;
  const auto name = cleanup.name("session-closed-stderr");
  auto controller = set_up_segment(name);
  ASSERT_TRUE(controller.ok()) << controller.error().message;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(STDERR_FILENO);
    auto session = ListenerSession::open(name);
    const char message[] = "a message meant for stderr\n";
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, message, sizeof message - 1);
    _exit(session.ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const auto reopened = MappedSegment::open_existing(name, MappedSegment::Access::read_only);
  EXPECT_TRUE(reopened.ok()) << reopened.error().message;
}

// A named pipe that a controller's stderr goes to, held open for reading but read only on request: a
// log collector that stopped reading.
class StalledReader {
 public:
  explicit StalledReader(const std::string& tag) : directory_(tag), path_(directory_.file("log")) {
    if (mkfifo(path_.c_str(), 0600) == 0) fd_ = open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  ~StalledReader() {
    if (fd_ >= 0) close(fd_);
  }
  StalledReader(const StalledReader&) = delete;
  StalledReader& operator=(const StalledReader&) = delete;

  [[nodiscard]] bool ready() const { return fd_ >= 0; }
  [[nodiscard]] const std::string& path() const { return path_; }
  // Full: less than a page left (a pipe fills page by page).
  [[nodiscard]] bool full() const {
    int bytes = 0;
    return ioctl(fd_, FIONREAD, &bytes) == 0 && bytes > fcntl(fd_, F_GETPIPE_SZ) - 4096;
  }
  // Reads what is there now, appending it to `text`.
  void read_into(std::string& text) const {
    char chunk[4096];
    for (ssize_t got = 0; (got = read(fd_, chunk, sizeof chunk)) > 0;)
      text.append(chunk, static_cast<std::size_t>(got));
  }

 private:
  TempDir directory_;
  std::string path_;
  int fd_ = -1;
};

// A controller whose worker fails at once, relaunched every millisecond without end, writing its log
// to `log_path`: a log line or three per millisecond.
std::vector<std::string> failing_worker_pair(const std::string& name, const std::string& log_path) {
  return with_closed("2>" + log_path, controller_argv(name,
                                                      {"--restart-delay-ms", "1", "--restart-delay-max-ms", "1",
                                                       "--start-limit", "1000", "--start-limit-interval-ms", "1"},
                                                      {"/bin/sh", "-c", "exit 1"}));
}

// A log collector that stops reading must not stop supervision: the controller's stderr is a pipe
// nobody reads, a worker that fails at once fills it within a second, and the controller goes on
// relaunching it (a blocking write(2) on the full pipe used to hold it there for good). Once the reader
// reads again, the controller says how many lines it had to drop, and stops the pair on request.
TEST(HostileInput, StalledLogReaderDoesNotStallTheController) {
  Cleanup cleanup;
  const auto name = cleanup.name("stalled-log");
  const StalledReader log("stalled-log");
  ASSERT_TRUE(log.ready());
  Process pair(failing_worker_pair(name, log.path()));
  ASSERT_TRUE(wait_until([&] { return log.full(); }));
  // A hundred more launches log some 300 lines: far more than the page left, so lines were dropped.
  const auto generation = [&] {
    const auto status = status_json(name);
    return status.has_value() ? (*status)["generation"].get<long long>() : 0;
  };
  const long long full_at = generation();
  EXPECT_TRUE(wait_until([&] { return generation() > full_at + 100; })) << "stalled at generation " << generation();
  std::string logged;
  EXPECT_TRUE(wait_until([&] {
    log.read_into(logged);
    return contains(logged, ": log_lines_dropped count=");
  })) << logged.substr(logged.size() > 2000 ? logged.size() - 2000 : 0);
  const auto stopped = run({binary("tether"), "shutdown", name, "--wait", "--timeout-ms", "20000"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.output << stopped.errors;
  EXPECT_EQ(pair.wait_exit(), 0);
  EXPECT_FALSE(segment_exists(name));
}

// A FIFO that nobody reads as --log-file: open(2) blocked the controller before it had even created its
// segment (and on SIGHUP it would have frozen the running loop). Now it is refused at once, with why.
TEST(HostileInput, LogFileFifoWithoutReaderIsRefused) {
  Cleanup cleanup;
  const auto name = cleanup.name("fifo-log");
  const TempDir directory("fifo-log");
  const std::string path = directory.file("log");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const auto controller = run(controller_argv(name, {"--log-file", path}, {"sleep", "infinity"}));
  EXPECT_EQ(controller.exit_code, 73) << controller.errors;
  EXPECT_TRUE(contains(controller.errors,
                       "cannot open log file '" + path + "': No such device or address (a FIFO that nobody reads)"))
      << controller.errors;
  EXPECT_FALSE(segment_exists(name));
}

// With a reader, the FIFO works as a log file, and the worker writes to it blocking as to any pipe (the
// open is non-blocking only to detect a missing reader): a non-blocking stdout would fail its writes
// with EAGAIN whenever the reader lags.
TEST(HostileInput, LogFileFifoWithReaderReachesTheWorkerBlocking) {
  Cleanup cleanup;
  const auto name = cleanup.name("fifo-log-read");
  const StalledReader log("fifo-log-read");
  ASSERT_TRUE(log.ready());
  Process pair(controller_argv(name, {"--log-file", log.path(), "--ready-timeout-ms", "200"},
                               {"/bin/sh", "-c", "echo worker-says-hello; exec sleep infinity"}));
  std::string logged;
  EXPECT_TRUE(wait_until([&] {
    log.read_into(logged);
    return contains(logged, "worker-says-hello");
  })) << logged
      << pair.log();
  ASSERT_TRUE(wait_until([&] { return pair.log_contains("launched listener_pid="); })) << pair.log();
  const pid_t worker = pid_after(pair.log(), "launched listener_pid=");
  ASSERT_GT(worker, 0) << pair.log();
  std::ifstream fdinfo("/proc/" + std::to_string(worker) + "/fdinfo/1");
  std::string key;
  std::string flags;
  while (fdinfo >> key && key != "flags:") {
  }
  ASSERT_TRUE(fdinfo >> flags) << "no flags in fdinfo of pid " << worker;
  EXPECT_EQ(std::stoul(flags, nullptr, 8) & O_NONBLOCK, 0u) << "worker's stdout flags " << flags;
  pair.signal(SIGTERM);
  EXPECT_EQ(pair.wait_exit(), 0) << pair.log();
}

}  // namespace
}  // namespace tether::testing
