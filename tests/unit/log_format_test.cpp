// Goal: the names the controller's logs give signals are single words (text logs are key=value
// lines), named as the user knows them. Method: signal_name over standard, real-time and unknown
// numbers.
#include <csignal>
#include <gtest/gtest.h>
#include <string>

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

}  // namespace
}  // namespace tether
