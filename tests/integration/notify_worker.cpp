/* A worker that speaks the readiness protocols the way real programs do, for the notify tests: it sends
 * datagrams to $NOTIFY_SOCKET itself (so the kernel attaches its credentials) and writes to its
 * notification fd, following the steps given as arguments, then waits for SIGTERM or SIGKILL.
 *   send:TEXT        one datagram (\n in TEXT as written by the shell: the tests pass real newlines)
 *   oversize         one datagram of 5000 bytes
 *   flood:N          N datagrams "READY=1" without waiting (stops early when the socket is full)
 *   child-send:TEXT  a child in our process group sends TEXT, then waits to be killed with the group
 *   fd:N             writes "\n" to descriptor N      fd-text:N:TEXT  writes TEXT to descriptor N
 *   close:N          closes descriptor N
 *   watchdog:MS      sends WATCHDOG=1 every MS milliseconds until stopped (last step)
 *   sleep:MS         waits MS milliseconds
 *   wait-term        waits for SIGTERM, then goes on with the next step
 *   exit:CODE        exits
 * Compiled, not a script: no interpreter or shell between sends anything or holds the descriptors. */
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <ctime>
#include <unistd.h>

namespace {

volatile sig_atomic_t terminated = 0;
void on_term(int /*signal_number*/) { terminated = 1; }

void sleep_ms(long ms) {
  timespec duration{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&duration, &duration) != 0 && errno == EINTR && !terminated) {
  }
}

int send_text(const char* text, size_t length, int flags) {
  const char* address = getenv("NOTIFY_SOCKET");
  if (address == nullptr || address[0] == '\0') {
    fprintf(stderr, "notify_worker: no NOTIFY_SOCKET\n");
    exit(2);
  }
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  size_t address_length = strlen(address);
  if (address_length >= sizeof un.sun_path) exit(2);
  memcpy(un.sun_path, address, address_length);
  if (address[0] == '@') un.sun_path[0] = '\0';
  const auto size =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_length + (address[0] == '@' ? 0 : 1));
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) exit(2);
  const ssize_t sent = sendto(fd, text, length, flags, reinterpret_cast<const sockaddr*>(&un), size);
  const int error = errno;
  close(fd);
  errno = error;
  return sent == static_cast<ssize_t>(length) ? 0 : -1;
}

}  // namespace

int main(int argc, char** argv) {
  struct sigaction action {};
  action.sa_handler = on_term;
  sigaction(SIGTERM, &action, nullptr);
  for (int index = 1; index < argc; ++index) {
    const char* step = argv[index];
    if (strncmp(step, "send:", 5) == 0) {
      if (send_text(step + 5, std::strlen(step + 5), 0) != 0) fprintf(stderr, "notify_worker: send failed\n");
    } else if (strcmp(step, "oversize") == 0) {
      static char big[5000];
      memset(big, 'A', sizeof big);
      memcpy(big, "READY=1\nSTATUS=", 15);
      send_text(big, sizeof big, 0);
    } else if (strncmp(step, "flood:", 6) == 0) {
      long count = atol(step + 6);
      for (long sent = 0; sent < count && !terminated; ++sent) {
        if (send_text("STATUS=flood", 12, MSG_DONTWAIT) != 0 && errno == EAGAIN) sleep_ms(1);
      }
    } else if (strncmp(step, "child-send:", 11) == 0) {
      pid_t child = fork();
      if (child == 0) {
        send_text(step + 11, strlen(step + 11), 0);
        for (;;) pause();
      }
    } else if (strncmp(step, "fd:", 3) == 0) {
      if (write(std::atoi(step + 3), "\n", 1) != 1) fprintf(stderr, "notify_worker: fd write failed\n");
    } else if (strncmp(step, "fd-text:", 8) == 0) {
      char* text = nullptr;
      const int fd = static_cast<int>(std::strtol(step + 8, &text, 10));
      if (*text == ':') ++text;
      if (write(fd, text, strlen(text)) < 0) fprintf(stderr, "notify_worker: fd write failed\n");
    } else if (strncmp(step, "close:", 6) == 0) {
      close(std::atoi(step + 6));
    } else if (strncmp(step, "watchdog:", 9) == 0) {
      long interval = atol(step + 9);
      while (!terminated) {
        send_text("WATCHDOG=1", 10, 0);
        sleep_ms(interval);
      }
    } else if (strncmp(step, "sleep:", 6) == 0) {
      sleep_ms(atol(step + 6));
    } else if (strcmp(step, "wait-term") == 0) {
      while (!terminated) sleep_ms(10);
    } else if (strncmp(step, "exit:", 5) == 0) {
      return atoi(step + 5);
    } else {
      fprintf(stderr, "notify_worker: unknown step '%s'\n", step);
      return 64;
    }
  }
  while (!terminated) sleep_ms(10);
  return 0;
}
