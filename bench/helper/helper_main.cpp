// tether-bench-helper: the processes the latency benchmarks wake or kill, one mode per run.
//   idle NAME      a listener (public API) idling in wait_for_shutdown; prints "woke <ns>" on waking
//   poll NAME      a listener that checks should_stop() every 1 ms instead (the poll_1ms baseline)
//   futex OBJECT   a bare futex waiter on the first word of a shared-memory object (the futex floor)
//   register NAME  maps the segment and registers, prints "registered", then idles (the spawn floor)
//   watch -        for each pid read from stdin, polls a pidfd of it and prints "died PID" when it
//                  fires (the death-detection floor)
// Every line is one write(2) to stdout, so that lines of concurrent processes never interleave. Wake
// times are CLOCK_MONOTONIC, the clock the benchmark reads before it wakes us.
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include "adapters/pidfd.hpp"
#include "tether/listener.hpp"

namespace {

// Long enough for any benchmark; short enough that a helper the benchmark forgot cannot live on.
constexpr auto lifetime_max = std::chrono::minutes(10);
constexpr int exit_usage = 64;
constexpr int exit_failed = 69;

std::uint64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(now.tv_nsec);
}

void say(const std::string& line) {
  const std::string text = line + "\n";
  [[maybe_unused]] const ssize_t written = write(STDOUT_FILENO, text.data(), text.size());
}

std::string prefix() { return "tether-bench-helper[" + std::to_string(getpid()) + "] "; }

int failed(const std::string& what) {
  say(prefix() + "failed: " + what);
  return exit_failed;
}

int run_idle(const std::string& name) {
  auto session = tether::ListenerSession::open(name);
  if (!session.ok()) return failed(session.error().message);
  say(prefix() + "ready");
  const bool woken =
      session.value().wait_for_shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_max));
  const std::uint64_t woke_ns = monotonic_ns();
  if (!woken) return failed("no shutdown request");
  say(prefix() + "woke " + std::to_string(woke_ns));
  return 0;
}

int run_poll(const std::string& name) {
  auto session = tether::ListenerSession::open(name);
  if (!session.ok()) return failed(session.error().message);
  say(prefix() + "ready");
  constexpr auto poll_interval = std::chrono::milliseconds(1);
  const auto deadline = std::chrono::steady_clock::now() + lifetime_max;
  while (!session.value().should_stop()) {
    if (std::chrono::steady_clock::now() >= deadline) return failed("no shutdown request");
    std::this_thread::sleep_for(poll_interval);
  }
  const std::uint64_t woke_ns = monotonic_ns();
  say(prefix() + "woke " + std::to_string(woke_ns));
  return 0;
}

int run_futex(const std::string& object) {
  const int fd = shm_open(object.c_str(), O_RDWR, 0);
  if (fd < 0) return failed("cannot open " + object);
  void* address = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (address == MAP_FAILED) return failed("cannot map " + object);
  auto* word = static_cast<std::atomic<std::uint32_t>*>(address);
  say(prefix() + "ready");
  const auto deadline = std::chrono::steady_clock::now() + lifetime_max;
  // A wake-up may be spurious or a signal's; the deadline bounds the retries.
  while (word->load() == 0) {
    if (std::chrono::steady_clock::now() >= deadline) return failed("no wake-up");
    const timespec timeout{1, 0};
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT, 0u, &timeout, nullptr, 0);
  }
  const std::uint64_t woke_ns = monotonic_ns();
  say(prefix() + "woke " + std::to_string(woke_ns));
  munmap(address, 4096);
  return 0;
}

int run_register(const std::string& name) {
  auto session = tether::ListenerSession::open(name);
  if (!session.ok()) return failed(session.error().message);
  say(prefix() + "registered");
  session.value().wait_for_shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_max));
  return 0;
}

// Watches one process after another, for as long as the benchmark runs: a long-lived watcher blocked in
// poll, as a controller is. Each line on stdin is a pid; EOF ends the watch.
int run_watch() {
  constexpr int watches_max = 100'000;
  std::string pending;
  for (int watches = 0; watches < watches_max; ++watches) {
    std::size_t end = pending.find('\n');
    // Reads until a whole line is there; each read returns data or ends the watch (EOF, error).
    while (end == std::string::npos) {
      char buffer[64];
      const ssize_t count = read(STDIN_FILENO, buffer, sizeof(buffer));
      if (count <= 0) return 0;
      pending.append(buffer, static_cast<std::size_t>(count));
      end = pending.find('\n');
    }
    const std::string pid_text = pending.substr(0, end);
    pending.erase(0, end + 1);
    pid_t pid = 0;
    const auto [last, error] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
    if (error != std::errc{} || last != pid_text.data() + pid_text.size() || pid <= 0) {
      return failed("bad pid " + pid_text);
    }
    const int pidfd = tether::pidfd_open_process(pid);
    if (pidfd < 0) return failed("cannot open a pidfd of " + pid_text);
    say(prefix() + "watching " + pid_text);
    pollfd descriptor{pidfd, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + lifetime_max;
    // A poll ends on the death, a timeout or a signal; the deadline bounds the retries.
    while (poll(&descriptor, 1, 1000) <= 0) {
      if (std::chrono::steady_clock::now() >= deadline) return failed("no death");
    }
    say(prefix() + "died " + pid_text);
    close(pidfd);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tether-bench-helper idle|poll|futex|register NAME | watch -\n");
    return exit_usage;
  }
  const std::string_view mode = argv[1];
  const std::string target = argv[2];
  if (mode == "idle") return run_idle(target);
  if (mode == "poll") return run_poll(target);
  if (mode == "futex") return run_futex(target);
  if (mode == "register") return run_register(target);
  if (mode == "watch" && target == "-") return run_watch();
  std::fprintf(stderr, "tether-bench-helper: unknown mode '%s'\n", argv[1]);
  return exit_usage;
}
