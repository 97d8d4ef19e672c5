// Goal: `tether-sim validate` accepts what the real binaries write and rejects a log with a reordered,
// dropped or forged event, naming the first offending line. Method: one real run (controller and
// listeners as separate processes, JSON lines, a listener killed and restarted, then `tether shutdown`),
// edited line by line; and small hand-written histories for each rule, each of which must fail.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "harness.hpp"
#include "validate.hpp"

namespace tether::sim {
namespace {

using nlohmann::json;
using testing::Cleanup;

// A log as lines; JSON ones parsed (the others kept as text), written back in order.
struct EditableLog {
  std::vector<json> lines;

  static EditableLog parse(const std::string& text) {
    EditableLog log;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
      log.lines.push_back(json::parse(line, nullptr, false));
      if (log.lines.back().is_discarded()) log.lines.back() = line;  // a non-JSON line stays as it was
    }
    return log;
  }
  // Index of the `nth` (from 0) line of `program` with `event`; -1 when there is none.
  [[nodiscard]] long find(const std::string& program, const std::string& event, int nth = 0) const {
    for (std::size_t index = 0; index < lines.size(); ++index) {
      const json& line = lines[index];
      if (line.is_object() && line.value("program", "") == program && line.value("event", "") == event && nth-- == 0) {
        return static_cast<long>(index);
      }
    }
    return -1;
  }
  // The index of the first line at or after `from` written by process `pid`.
  [[nodiscard]] long next_of(int pid, long from) const {
    for (auto index = static_cast<std::size_t>(from); index < lines.size(); ++index) {
      if (lines[index].is_object() && lines[index].value("pid", 0) == pid) return static_cast<long>(index);
    }
    return -1;
  }
  [[nodiscard]] std::string text() const {
    std::string out;
    for (const json& line : lines) out += (line.is_string() ? line.get<std::string>() : line.dump()) + "\n";
    return out;
  }
};

class Validate : public ::testing::Test {
 protected:
  // One real run for the whole suite: a controller (its log: file A, where its listeners write too), a
  // SIGKILLed listener restarted, the controller SIGKILLed and a second one (file B) adopting the
  // listener, then `tether shutdown --wait`. Validating needs both files merged by their clocks.
  static void SetUpTestSuite() {
    Cleanup cleanup;
    const std::string name = cleanup.name("validate");
    const std::vector<std::string> argv = {testing::binary("tether-controller"),
                                           "--name",
                                           name,
                                           "--log-format",
                                           "json",
                                           "--restart-delay-ms",
                                           "10",
                                           "--",
                                           testing::binary("tether-listener"),
                                           "--log-format",
                                           "json",
                                           "--work-ms",
                                           "20",
                                           "--idle-ms",
                                           "5"};
    testing::Process first(argv);
    const auto units_of = [&](int count) {
      return testing::wait_until([&] { return first.log_count("\"unit_finished\"") >= count; });
    };
    ASSERT_TRUE(units_of(2)) << first.log();
    const pid_t killed = testing::listener_pid(name);
    ASSERT_GT(killed, 0);
    ASSERT_EQ(kill(killed, SIGKILL), 0);
    ASSERT_TRUE(testing::wait_until([&] { return first.log_count("\"registered\"") >= 2; })) << first.log();
    ASSERT_TRUE(units_of(4)) << first.log();
    first.signal(SIGKILL);
    ASSERT_TRUE(first.wait_exit().has_value());
    testing::Process second(argv);
    ASSERT_TRUE(testing::wait_until([&] { return second.log_contains("\"adopted\""); })) << second.log();
    ASSERT_TRUE(units_of(6)) << first.log();
    ASSERT_EQ(testing::run({testing::binary("tether"), "shutdown", name, "--wait"}).exit_code, 0) << second.log();
    ASSERT_EQ(second.wait_exit(), 0) << second.log();
    real_log_ = first.log();
    adopter_log_ = second.log();
  }

  // Writes `text` to a file of this test and validates it.
  // Writes `text` to a file of this test and validates it, with the adopter's log beside it.
  ValidationReport validate(const std::string& text) {
    std::ofstream(path_) << text;
    std::ofstream(adopter_path_) << adopter_log_;
    return validate_logs({path_, adopter_path_});
  }
  // The report must reject `rule` at line `index` (from 0) of the file.
  void expect_rejected(const ValidationReport& report, const std::string& rule, long index) {
    EXPECT_EQ(report.exit_code, 65) << report.message;
    EXPECT_NE(report.message.find(path_ + ":" + std::to_string(index + 1) + ": " + rule + ":"), std::string::npos)
        << "expected " << rule << " at line " << index + 1 << ": " << report.message;
  }

  void SetUp() override { ASSERT_FALSE(real_log_.empty()) << "the real run failed"; }
  void TearDown() override {
    std::filesystem::remove(path_);
    std::filesystem::remove(adopter_path_);
  }

  static std::string real_log_;
  static std::string adopter_log_;
  const std::string path_ = std::filesystem::temp_directory_path() / testing::unique_name("validate-log");
  const std::string adopter_path_ = path_ + ".adopter";
};
std::string Validate::real_log_;
std::string Validate::adopter_log_;

TEST_F(Validate, RealRunIsValid) {
  const auto report = validate(real_log_);
  EXPECT_EQ(report.exit_code, 0) << report.message << "\n" << real_log_;
  EXPECT_NE(report.message.find("2 controller(s), 2 listener(s)"), std::string::npos) << report.message;
  EXPECT_NE(adopter_log_.find("\"adopted\""), std::string::npos);
}

TEST_F(Validate, TheAdoptersLogAloneIsNotEnough) {
  // Without file A the adopted listener's lines are missing: its exit is reported, its lines are not.
  std::ofstream(adopter_path_) << adopter_log_;
  EXPECT_EQ(validate_logs({adopter_path_}).exit_code, 0) << "the adopter's own history is consistent";
  std::ofstream(path_) << real_log_;
  const auto both_swapped = validate_logs({adopter_path_, path_});
  EXPECT_EQ(both_swapped.exit_code, 0) << "the merge is by the clocks, not by the order of the files: "
                                       << both_swapped.message;
}

TEST_F(Validate, TextLinesOfOneFileAreCheckedInFileOrder) {
  const std::string pair =
      "2026-12-06T00:00:00.001Z tether-controller[10] p: segment_initialised\n"
      "2026-12-06T00:00:00.002Z tether-controller[10] p: launched listener_pid=20 generation=1\n"
      "2026-12-06T00:00:00.003Z tether-listener[20] p: registered\n"
      "2026-12-06T00:00:00.004Z tether-listener[20] p: unit_started unit=1\n"
      "worker output between event lines\n";
  std::ofstream(path_) << pair;
  EXPECT_EQ(validate_logs({path_}).exit_code, 0) << validate_logs({path_}).message;
  std::ofstream(path_) << pair << "2026-12-06T00:00:00.005Z tether-listener[21] p: registered\n";
  const auto report = validate_logs({path_});
  EXPECT_EQ(report.exit_code, 65);
  EXPECT_NE(report.message.find(path_ + ":6: duplicate_listener:"), std::string::npos) << report.message;
  std::ofstream(adopter_path_) << pair;
  EXPECT_EQ(validate_logs({path_, adopter_path_}).exit_code, 65) << "text lines of two files cannot be merged";
}

TEST_F(Validate, EveryEventLineCarriesIdentityTimeAndSequence) {
  const auto log = EditableLog::parse(real_log_);
  int events = 0;
  for (const json& line : log.lines) {
    if (!line.is_object()) continue;
    ++events;
    EXPECT_GT(line.value("start", 0ull), 0u) << line;
    EXPECT_GT(line.value("mono_ns", 0ull), 0u) << line;
    EXPECT_GT(line.value("seq", 0ull), 0u) << line;
    if (line.contains("listener_pid")) {
      EXPECT_GT(line.value("listener_start", 0ull), 0u) << line;
    }
  }
  EXPECT_GT(events, 10);
}

TEST_F(Validate, ReorderedLinesAreRejectedWhereTheOrderBreaks) {
  auto log = EditableLog::parse(real_log_);
  const long started = log.find("tether-listener", "unit_started", 1);
  const long finished = log.find("tether-listener", "unit_finished", 1);
  ASSERT_GE(started, 0);
  ASSERT_GT(finished, started);
  std::swap(log.lines[static_cast<std::size_t>(started)], log.lines[static_cast<std::size_t>(finished)]);
  expect_rejected(validate(log.text()), "line_order", finished);
}

TEST_F(Validate, ReorderedEventsWithTheirStampsKeptInPlaceAreRejected) {
  // The events swapped but seq and mono_ns left where they were: the order is consistent, the events not.
  auto log = EditableLog::parse(real_log_);
  const auto started = static_cast<std::size_t>(log.find("tether-listener", "unit_started", 1));
  const auto finished = static_cast<std::size_t>(log.find("tether-listener", "unit_finished", 1));
  std::swap(log.lines[started]["event"], log.lines[finished]["event"]);
  expect_rejected(validate(log.text()), "grammar", static_cast<long>(started));
}

TEST_F(Validate, DroppedLinesAreRejectedAtTheNextLineOfThatProcess) {
  auto log = EditableLog::parse(real_log_);
  const long exited = log.find("tether-controller", "exited");
  ASSERT_GE(exited, 0);
  const json dropped = log.lines[static_cast<std::size_t>(exited)];
  log.lines.erase(log.lines.begin() + exited);
  expect_rejected(validate(log.text()), "lines_dropped", log.next_of(dropped["pid"].get<int>(), exited));
}

TEST_F(Validate, DroppedFirstLineIsRejected) {
  auto log = EditableLog::parse(real_log_);
  const long registered = log.find("tether-listener", "registered");
  const int pid = log.lines[static_cast<std::size_t>(registered)]["pid"].get<int>();
  log.lines.erase(log.lines.begin() + registered);
  expect_rejected(validate(log.text()), "lines_dropped", log.next_of(pid, registered));
}

TEST_F(Validate, ForgedExitOfAnotherProcessIsRejected) {
  auto log = EditableLog::parse(real_log_);
  const auto exited = static_cast<std::size_t>(log.find("tether-controller", "exited"));
  log.lines[exited]["listener_pid"] = log.lines[exited]["listener_pid"].get<int>() + 1;
  expect_rejected(validate(log.text()), "grammar", static_cast<long>(exited));
}

TEST_F(Validate, ForgedUnitCountIsRejected) {
  auto log = EditableLog::parse(real_log_);
  const auto left = static_cast<std::size_t>(log.find("tether-listener", "left"));
  log.lines[left]["units"] = log.lines[left]["units"].get<int>() + 1;
  expect_rejected(validate(log.text()), "grammar", static_cast<long>(left));
}

TEST_F(Validate, ForgedSecondListenerIsRejected) {
  // A stranger's `registered` while the second listener is registered: two live listeners.
  auto log = EditableLog::parse(real_log_);
  const auto registered = static_cast<std::size_t>(log.find("tether-listener", "registered", 1));
  json forged = log.lines[registered];
  forged["pid"] = forged["pid"].get<int>() + 1000;
  forged["seq"] = 1;
  forged["mono_ns"] = forged["mono_ns"].get<std::uint64_t>() + 1;
  log.lines.insert(log.lines.begin() + static_cast<long>(registered) + 1, forged);
  expect_rejected(validate(log.text()), "duplicate_listener", static_cast<long>(registered) + 1);
}

// Small histories written by hand, one rule each.
json event(const std::string& program, int pid, std::uint64_t seq, std::uint64_t mono_ns, const std::string& name,
           json fields = json::object()) {
  fields["program"] = program;
  fields["pid"] = pid;
  fields["start"] = 1000 + pid;
  fields["seq"] = seq;
  fields["mono_ns"] = mono_ns;
  fields["name"] = "pair";
  fields["event"] = name;
  fields["time"] = "2026-12-06T00:00:00.000Z";
  return fields;
}
json listener_field(int pid) { return {{"listener_pid", pid}, {"listener_start", 1000 + pid}}; }
json with(json fields, const json& more) {
  fields.update(more);
  return fields;
}
std::string lines(const std::vector<json>& events) {
  std::string out;
  for (const json& line : events) out += line.dump() + "\n";
  return out;
}

// A controller (pid 10) that launched listener 20, which registered and is in unit 1.
std::vector<json> running_pair() {
  return {event("tether-controller", 10, 1, 100, "segment_initialised"),
          event("tether-controller", 10, 2, 110, "launched", with(listener_field(20), {{"generation", 1}})),
          event("tether-listener", 20, 1, 120, "registered"),
          event("tether-listener", 20, 2, 130, "unit_started", {{"unit", 1}})};
}

TEST_F(Validate, HandWrittenPairIsValid) {
  auto history = running_pair();
  history.push_back(event("tether-listener", 20, 3, 140, "unit_finished", {{"unit", 1}}));
  history.push_back(event("tether-controller", 10, 3, 150, "shutdown_requested", listener_field(20)));
  history.push_back(event("tether-listener", 20, 4, 160, "left", {{"units", 1}, {"reason", "shutdown requested"}}));
  history.push_back(event("tether-controller", 10, 4, 170, "exited", with(listener_field(20), {{"code", 0}})));
  history.push_back(event("tether-controller", 10, 5, 180, "finished", {{"exit_code", 0}}));
  const auto report = validate(lines(history));
  EXPECT_EQ(report.exit_code, 0) << report.message;
}

TEST_F(Validate, ExitWithACodeInsideAUnitIsATornUnit) {
  auto history = running_pair();
  history.push_back(event("tether-controller", 10, 3, 150, "exited", with(listener_field(20), {{"code", 0}})));
  expect_rejected(validate(lines(history)), "torn_unit", 4);
  history.back() = event("tether-controller", 10, 3, 150, "exited", with(listener_field(20), {{"signal", "SIGKILL"}}));
  EXPECT_EQ(validate(lines(history)).exit_code, 0) << "a kill may end a unit";
}

TEST_F(Validate, LaunchAfterShutdownIsRejected) {
  auto history = running_pair();
  history.push_back(event("tether-controller", 10, 3, 140, "signal_received", {{"signal", "SIGTERM"}}));
  history.push_back(
      event("tether-controller", 10, 4, 150, "exited", with(listener_field(20), {{"signal", "SIGKILL"}})));
  history.push_back(event("tether-controller", 10, 5, 160, "restarting", {{"delay_ms", 10}}));
  expect_rejected(validate(lines(history)), "relaunch_after_shutdown", 6);
}

TEST_F(Validate, ANewControllerLaunchingOverAStandingRequestLosesTheShutdown) {
  auto history = running_pair();
  history.push_back(event("tether-controller", 10, 3, 140, "shutdown_requested", listener_field(20)));
  // Controller 10 is killed (no line); controller 11 finds the listener gone and launches anew.
  history.push_back(event("tether-controller", 11, 1, 150, "stale_listener_cleared", listener_field(20)));
  history.push_back(event("tether-controller", 11, 2, 160, "launched", with(listener_field(21), {{"generation", 2}})));
  expect_rejected(validate(lines(history)), "shutdown_lost", 6);
}

TEST_F(Validate, ALineFromAProcessWhoseExitWasReportedIsRejected) {
  auto history = running_pair();
  history.push_back(
      event("tether-controller", 10, 3, 140, "exited", with(listener_field(20), {{"signal", "SIGKILL"}})));
  history.push_back(event("tether-listener", 20, 3, 150, "unit_finished", {{"unit", 1}}));
  expect_rejected(validate(lines(history)), "exit_misreported", 5);
}

// What the controller says of its worker (the worker's own notices, its registration seen in the
// segment) is valid about the worker it watches, and about no other.
TEST_F(Validate, TheControllersWorkerEventsNameTheWorkerItWatches) {
  for (const std::string name : {"registered", "worker_ready", "worker_stopping"}) {
    auto history = running_pair();
    history.push_back(event("tether-controller", 10, 3, 140, name, listener_field(20)));
    EXPECT_EQ(validate(lines(history)).exit_code, 0) << name;
    history.back() = event("tether-controller", 10, 3, 140, name, listener_field(21));
    expect_rejected(validate(lines(history)), "grammar", 4);
  }
}

// What the controller logs about its log file and about refused readiness messages is no step of the
// protocol: valid in any state, and it changes nothing that follows.
TEST_F(Validate, BookkeepingEventsAreValidAnywhere) {
  for (const std::string name : {"log_file_reopened", "log_file_reopen_failed", "notify_refused", "notify_refused_more",
                                 "notification_fd_closed"}) {
    auto history = running_pair();
    history.insert(history.begin() + 1, event("tether-controller", 10, 2, 105, name));
    history[2]["seq"] = 3;
    EXPECT_EQ(validate(lines(history)).exit_code, 0) << name;
  }
}

TEST_F(Validate, UnknownEventsAreRejected) {
  auto history = running_pair();
  history.push_back(event("tether-listener", 20, 3, 140, "teleported"));
  expect_rejected(validate(lines(history)), "grammar", 4);
}

TEST_F(Validate, HostileLinesAreRejectedWithTheLineNamed) {
  auto history = running_pair();
  std::string text = lines(history);
  for (const std::string bad :
       {R"({"program":"tether-listener","pid":20,"name":"pair","event":"x"})",
        R"({"program":"tether-listener","pid":-3,"start":1,"seq":1,"mono_ns":1,"name":"p","event":"x"})",
        R"({"program":"tether-listener","pid":20,"start":1,"seq":"1","mono_ns":1,"name":"p","event":"x"})",
        R"({"program":"tether-listener","pid":20,"start":1,"seq":1,"mono_ns":1,"name":7,"event":"x"})",
        "2026-12-06T00:00:00.000Z tether-listener[abc] pair: registered"}) {
    const auto report = validate(text + bad + "\n");
    EXPECT_EQ(report.exit_code, 65) << bad << ": " << report.message;
    EXPECT_NE(report.message.find(path_ + ":5:"), std::string::npos) << report.message;
  }
  const auto long_line = validate(text + std::string(2 << 20, 'x') + "\n");
  EXPECT_EQ(long_line.exit_code, 65) << long_line.message;
  std::ofstream(path_) << "worker output only\n{\"not\":\"tether\"}\n";
  EXPECT_EQ(validate_logs({path_}).exit_code, 65) << "no event lines at all";
  EXPECT_EQ(validate_logs({path_ + ".missing"}).exit_code, 66);
}

TEST_F(Validate, MangledLinesNeverCrashTheValidator) {
  // Hostile bytes anywhere in a real log: a verdict (valid, or rejected naming a line), never a crash.
  std::mt19937 random(14);
  for (int round = 0; round < 300; ++round) {
    std::string text = real_log_;
    const std::size_t edits = 1 + random() % 4;
    for (std::size_t edit = 0; edit < edits; ++edit) {
      const std::size_t at = random() % text.size();
      switch (random() % 3) {
        case 0: text[at] = static_cast<char>(random() % 256); break;
        case 1: text.erase(at, 1 + random() % 8); break;
        default: text.insert(at, 1 + random() % 8, "{}\":,0-9x\n"[random() % 10]); break;
      }
    }
    const auto report = validate(text);
    ASSERT_TRUE(report.exit_code == 0 || report.exit_code == 65) << report.exit_code << ": " << report.message;
    if (report.exit_code == 65) {
      EXPECT_NE(report.message.find("REJECTED"), std::string::npos) << report.message;
    }
  }
}

TEST_F(Validate, CommandLineExitCodes) {
  std::ofstream(path_) << real_log_;
  const std::string sim = TETHER_SIM_BINARY;
  EXPECT_EQ(testing::run({sim, "validate", path_}).exit_code, 0);
  EXPECT_EQ(testing::run({sim, "validate"}).exit_code, 64);
  EXPECT_EQ(testing::run({sim, "validate", path_ + ".missing"}).exit_code, 66);
  std::ofstream(path_) << lines({event("tether-listener", 20, 2, 1, "registered")});
  const auto rejected = testing::run({sim, "validate", path_});
  EXPECT_EQ(rejected.exit_code, 65);
  EXPECT_NE(rejected.errors.find(path_ + ":1: lines_dropped"), std::string::npos) << rejected.errors;
}

}  // namespace
}  // namespace tether::sim
