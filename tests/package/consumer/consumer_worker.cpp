// A worker that does UNITS units (argv[1]) and leaves, built against an installed tether.
#include <tether/listener.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const long units = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1;
  auto opened = tether::ListenerSession::open();
  if (!opened) {
    std::fprintf(stderr, "consumer_worker: %s\n", opened.error().message.c_str());
    return opened.error().exit_code;
  }
  auto& session = opened.value();
  long done = 0;
  while (done < units && !session.should_stop()) {
    session.begin_unit();
    session.wait_for_shutdown(std::chrono::milliseconds(20));  // stands in for the work
    session.end_unit();
    ++done;
  }
  session.leave();
  std::printf("consumer_worker: %ld units as listener of %s\n", done, session.name().c_str());
  return 0;
}
