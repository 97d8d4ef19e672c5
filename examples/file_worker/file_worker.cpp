// file_worker: a realistic tether worker. It takes the files of an inbox folder one at a time (one unit of
// work per file, in name order), writes a report for each into done/ and moves the file there, and
// checks for a shutdown request only between files, so that a shutdown never leaves a half-processed
// file behind. Run it under a controller:
//
//   tether-controller --name files -- file_worker --inbox /srv/inbox
//   tether shutdown files --wait      # the file in progress is finished, then the worker leaves
//
// Crash safety without the protocol's help: a file leaves the inbox only after its report is complete
// (written to a temporary name, then renamed), so a worker killed mid-file simply redoes that file
// after its restart. Producers should drop files in atomically too (write ".name", rename to "name"):
// names starting with a dot are ignored.
#include <tether/listener.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "file_report.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

namespace {

constexpr int exit_usage = 64;        // EX_USAGE
constexpr int exit_cant_create = 73;  // EX_CANTCREAT
// One scan looks at this many files at most, so a flooded inbox cannot stall a shutdown check.
constexpr std::size_t batch_files_max = 64;

struct Options {
  std::string name;  // empty: TETHER_NAME from the controller
  fs::path inbox;
  fs::path done;
  fs::path failed;
  std::uint64_t line_delay_ms = 0;  // pretend each line is expensive (demos and tests)
  std::uint64_t idle_ms = 500;      // rescan period of an empty inbox
  std::uint64_t heartbeat_ms = 200;
};

void usage(std::ostream& out) {
  out << "usage: file_worker --inbox DIR [--done DIR] [--failed DIR] [--name NAME]\n"
         "                   [--line-delay-ms N] [--idle-ms N] [--heartbeat-ms N]\n"
         "Processes the files of DIR one at a time under a tether controller; reports and the\n"
         "processed files go to DIR/done (unreadable files to DIR/failed).\n";
}

std::optional<std::uint64_t> parse_ms(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value > 24ull * 60 * 60 * 1000) return std::nullopt;  // a day bounds every duration
  return value;
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "file_worker: " << flag << " needs a value\n";
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    if (flag == "--inbox") {
      options.inbox = value;
    } else if (flag == "--done") {
      options.done = value;
    } else if (flag == "--failed") {
      options.failed = value;
    } else if (flag == "--name") {
      options.name = value;
    } else if (flag == "--line-delay-ms" || flag == "--idle-ms" || flag == "--heartbeat-ms") {
      const auto parsed = parse_ms(value);
      if (!parsed.has_value()) {
        std::cerr << "file_worker: " << flag << " '" << value << "' is not a duration in ms\n";
        return std::nullopt;
      }
      std::uint64_t& target = flag == "--line-delay-ms" ? options.line_delay_ms
                              : flag == "--idle-ms"     ? options.idle_ms
                                                        : options.heartbeat_ms;
      target = *parsed;
    } else {
      std::cerr << "file_worker: unknown option " << flag << "\n";
      return std::nullopt;
    }
  }
  if (options.inbox.empty()) {
    std::cerr << "file_worker: --inbox is required\n";
    return std::nullopt;
  }
  if (options.done.empty()) options.done = options.inbox / "done";
  if (options.failed.empty()) options.failed = options.inbox / "failed";
  if (options.heartbeat_ms == 0) options.heartbeat_ms = 1;
  return options;
}

// The inbox's regular files, oldest name first; dot files are still being written by a producer.
std::vector<fs::path> pending_files(const fs::path& inbox) {
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::directory_iterator it(inbox, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.' || !it->is_regular_file(error)) continue;
    files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.size() > batch_files_max) files.resize(batch_files_max);
  return files;
}

// Writes `text` to `target` atomically: a reader sees the whole report or none.
bool write_atomically(const fs::path& target, const std::string& text) {
  const fs::path temporary = target.parent_path() / ("." + target.filename().string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return false;
  }
  std::error_code error;
  fs::rename(temporary, target, error);
  return !error;
}

enum class Outcome { done, failed };

// One unit of work: read the file line by line (heartbeating), report, move it out of the inbox.
Outcome process_file(tether::ListenerSession& session, const Options& options, const fs::path& file) {
  std::ifstream in(file);
  if (!in) return Outcome::failed;
  file_worker::FileReport report;
  auto next_heartbeat = Clock::now() + Milliseconds(options.heartbeat_ms);
  std::string line;
  // Bounded by the file's length; a shutdown request does not cut a file short (it is checked between
  // files), but the heartbeats tell the controller that the long file is progressing.
  while (std::getline(in, line)) {
    report.add_line(line);
    if (options.line_delay_ms > 0) std::this_thread::sleep_for(Milliseconds(options.line_delay_ms));
    if (Clock::now() >= next_heartbeat) {
      session.heartbeat();
      next_heartbeat = Clock::now() + Milliseconds(options.heartbeat_ms);
    }
  }
  if (in.bad()) return Outcome::failed;
  const std::string name = file.filename().string();
  if (!write_atomically(options.done / (name + ".report"), report.to_text(name))) return Outcome::failed;
  std::error_code error;
  fs::rename(file, options.done / name, error);
  if (error) return Outcome::failed;
  std::cout << "file_worker: done " << name << " (" << report.lines << " lines)" << std::endl;
  return Outcome::done;
}

void set_aside(const Options& options, const fs::path& file) {
  std::error_code error;
  fs::rename(file, options.failed / file.filename(), error);
  std::cout << "file_worker: failed " << file.filename().string()
            << (error ? " (and could not move it: " + error.message() + ")" : std::string()) << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    usage(std::cout);
    return 0;
  }
  const auto options = parse_options(argc, argv);
  if (!options.has_value()) {
    usage(std::cerr);
    return exit_usage;
  }
  std::error_code error;
  for (const auto& folder : {options->done, options->failed}) {
    fs::create_directories(folder, error);
    if (error) {
      std::cerr << "file_worker: cannot create " << folder << ": " << error.message() << "\n";
      return exit_cant_create;
    }
  }

  auto opened = tether::ListenerSession::open(options->name);
  if (!opened) {
    std::cerr << "file_worker: " << opened.error().message << "\n";
    return opened.error().exit_code;
  }
  tether::ListenerSession& session = opened.value();
  std::cout << "file_worker: registered as the listener of '" << session.name() << "'" << std::endl;

  std::uint64_t files_done = 0;
  // Ends on a shutdown request: each iteration processes at most one batch, checking between files.
  while (!session.should_stop()) {
    const auto files = pending_files(options->inbox);
    for (const auto& file : files) {
      if (session.should_stop()) break;
      session.begin_unit();
      std::cout << "file_worker: processing " << file.filename().string() << std::endl;
      const Outcome outcome = process_file(session, *options, file);
      session.end_unit();
      if (outcome == Outcome::done) {
        ++files_done;
      } else {
        set_aside(*options, file);
      }
    }
    // Idle until new files may have arrived; a shutdown request wakes us at once.
    if (files.empty()) session.wait_for_shutdown(Milliseconds(options->idle_ms));
  }
  session.leave();
  std::cout << "file_worker: shutdown requested; left after " << files_done << " files" << std::endl;
  return 0;
}
