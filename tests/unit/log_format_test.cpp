// Goal: the names the controller's logs give signals are single words (text logs are key=value
// lines), named as the user knows them; one event is one line, whatever bytes its fields hold. Method:
// signal_name over standard, real-time and unknown numbers; LogSink's output captured through a pipe.
#include <csignal>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

#include "adapters/log_sink.hpp"

namespace tether {
namespace {

TEST(SignalName, StandardSignalsByTheirNames) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGUSR1), "SIGUSR1");
}

TEST(SignalName, RealTimeSignalsCountFromSigrtmin) {
  EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN+0");
  EXPECT_EQ(signal_name(SIGRTMIN + 6), "SIGRTMIN+6");
  EXPECT_EQ(signal_name(SIGRTMAX), "SIGRTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN));
}

TEST(SignalName, AnythingElseIsOneWordWithItsNumber) {
  EXPECT_EQ(signal_name(SIGRTMAX + 1), "signal-" + std::to_string(SIGRTMAX + 1));
  EXPECT_EQ(signal_name(0), "signal-0");
  for (const int number : {0, SIGHUP, SIGRTMIN + 3, SIGRTMAX + 5}) {
    EXPECT_EQ(signal_name(number).find(' '), std::string::npos) << number;
  }
}

// What one event writes to stderr (captured through a pipe standing in for it).
std::string logged_line(LogFormat format, const std::string& value) {
  int fds[2] = {-1, -1};
  EXPECT_EQ(pipe(fds), 0);
  const int saved = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  LogSink(format, "tether-controller", "pair").event("refused", {{"error", value}});
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fds[1]);
  std::string text;
  char chunk[512];
  for (ssize_t got = 0; (got = read(fds[0], chunk, sizeof chunk)) > 0;)
    text.append(chunk, static_cast<std::size_t>(got));
  close(fds[0]);
  return text;
}

TEST(LogSink, ControlCharactersInAFieldStayOnOneTextLine) {
  const std::string line = logged_line(LogFormat::text,
                                       "cannot read '/tmp/a\nb\tc\x01"
                                       "d'");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_NE(line.find("error=cannot read '/tmp/a\\nb\\tc\\x01d'"), std::string::npos) << line;
}

TEST(LogSink, JsonLinesEscapeControlCharactersAndReplaceBadUtf8) {
  const std::string line = logged_line(LogFormat::json, "a\nb \xff");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_NE(line.find(R"("error":"a\nb )"
                      "\xef\xbf\xbd\""),
            std::string::npos)
      << line;  // U+FFFD
}

}  // namespace
}  // namespace tether
