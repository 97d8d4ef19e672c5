// Fuzz target: the controller core against any sequence of what its world can do. The input bytes
// choose a config, the segment the controller finds, then events (listener exits, registrations,
// strangers, shutdown by signal or posted, spawn failures, time advances, timers, tampering with any
// segment word) and how far to step between them: to quiescence, or only a few steps, so that events
// land inside the protocol's multi-step sequences. After every single step the invariants are checked
// (controller_driver.hpp): at most one segment operation, a wake only with the shutdown store, never a
// spawn while a shutdown request is posted, signals only to the live listener it watches. Here too:
// once finished, the core never touches a port again, no settle takes unbounded steps, a foreign
// segment is never written, and exit 0 without a shutdown follows only a clean end of the listener.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "controller_driver.hpp"
#include "core/controller_core.hpp"
#include "core/units.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace tether;
using namespace tether::testing;
using namespace tether::fakes;

// Every configured duration is at most a day; a deadline further away than two days can only come from
// a scribbled heartbeat (the core saturates those), and a timer that far never fires. Keeping the clock
// within this horizon of its start also keeps it far from wrapping, as a monotonic clock is.
constexpr std::uint64_t timer_horizon_ns = 2ull * 24 * 60 * 60 * 1000 * ns_per_ms;
constexpr std::size_t commands_max = 256;  // longer inputs are cut: keeps each run fast
constexpr std::size_t live_max = 4;        // live processes at once: the fake's pid pool has 5

// Reads the input front to back; past the end every read is 0, so any input is a complete scenario.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return offset_ < size_ ? data_[offset_++] : 0; }
  std::uint64_t word() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = (value << 8) | byte();
    return value;
  }
  std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : (std::uint64_t{byte()} << 8 | byte()) % bound; }
  [[nodiscard]] bool done() const { return offset_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

ControllerConfig read_config(ByteReader& in) {
  ControllerConfig config;
  config.restart = static_cast<RestartMode>(in.byte() % 3);
  config.restart_delay_ms = in.below(500);
  config.restart_delay_ms_max = config.restart_delay_ms + in.below(5000);
  config.start_limit = static_cast<std::uint32_t>(1 + in.below(8));
  config.start_limit_interval_ms = 1 + in.below(10000);
  config.stop_timeout_ms = in.below(3000);
  config.kill_timeout_ms = in.below(3000);
  config.stop_timeout_ms_max = in.below(6000);
  const std::uint8_t watchdog = in.byte();
  config.watchdog_ms = watchdog % 2 == 0 ? 0 : watchdog * 20u;  // off half the time
  config.ready_timeout_ms = in.below(6000);
  return config;
}

struct World {
  FakeSegment segment;
  PooledProcesses processes{segment};
  std::uint64_t now_ns = 1'000'000'000;
  // Whether the end of the last listener that exited may be judged clean: its wait status was 0, or
  // (not our child) it left its own identity in departed_identity. And whether a scribbler wrote that
  // word, which makes any judgement possible.
  bool last_end_clean = false;
  bool departed_forged = false;
  // Deaths not yet reported: delivered at any point, mid-sequence or together with a shutdown, as the
  // simulator (or an impatient driver) may.
  std::vector<std::pair<ProcessIdentity, ExitStatus>> unreported;
  StepOutcome last_outcome = StepOutcome::waiting;
};

void read_segment(ByteReader& in, World& world) {
  const std::uint8_t kind = in.byte();
  if (kind % 4 == 0) return;  // a fresh segment: all zero
  if (kind % 4 == 1) {
    // Anything at all, including a foreign magic or a half-initialised header.
    for (std::size_t i = 0; i < field_count; ++i) world.segment.poke(static_cast<Field>(i), in.word());
    return;
  }
  world.segment.poke(Field::magic, segment_magic);
  world.segment.poke(Field::layout_version, segment_layout_version);
  world.segment.poke(Field::size_bytes, segment_size_bytes);
  world.segment.poke(Field::generation, in.below(100));
  world.segment.poke(Field::restarts, in.below(100));
  world.segment.poke(Field::listener_state, in.below(7));
  world.segment.poke(Field::shutdown_request, in.byte() % 4 == 0 ? 1 : 0);
  // Registered and launched: nobody, a live stranger, a dead one.
  for (const Field field : {Field::listener_identity, Field::launched_identity}) {
    const std::uint8_t who = in.byte() % 3;
    if (who == 0) continue;
    const ProcessIdentity stranger = world.processes.start(false);
    world.segment.poke(field, stranger.pack());
    if (who == 2) world.processes.end(stranger);
  }
}

bool alive(const World& world, ProcessIdentity identity) {
  for (const PooledProcess& process : world.processes.table()) {
    if (process.alive && process.identity == identity) return true;
  }
  return false;
}

// Steps to quiescence, or only `steps_max` steps, checking the per-step invariants.
void advance(ControllerCore& core, World& world, std::uint32_t steps_max) {
  const bool was_finished = core.finished();
  const std::uint64_t operations = world.segment.operations();
  const std::uint64_t spawns = world.processes.spawn_calls();
  const std::size_t signals = world.processes.signals().size();
  ControllerEvent event{};
  for (std::uint32_t step = 0; step < steps_max; ++step) {
    const std::uint64_t operations_before = world.segment.operations();
    const std::uint64_t wakes_before = world.segment.wakes();
    const std::uint64_t signals_before = world.processes.signals().size();
    const StepOutcome outcome = core.step(world.now_ns);
    world.last_outcome = outcome;
    const std::string violation =
        check_step(world.segment, world.processes, core, operations_before, wakes_before, signals_before);
    if (!violation.empty()) {
      std::fprintf(stderr, "fuzz invariant violated: %s\n", violation.c_str());
      std::abort();
    }
    while (core.pop_event(event)) {
    }
    if (outcome != StepOutcome::progressed) break;
    TETHER_FUZZ_CHECK(step + 1 < settle_steps_max, "the core settles in bounded steps");
  }
  if (was_finished) {
    TETHER_FUZZ_CHECK(world.segment.operations() == operations, "no segment operation after finishing");
    TETHER_FUZZ_CHECK(world.processes.spawn_calls() == spawns, "no spawn after finishing");
    TETHER_FUZZ_CHECK(world.processes.signals().size() == signals, "no signal after finishing");
  }
}

void run_command(ByteReader& in, ControllerCore& core, World& world) {
  const std::uint8_t command = in.byte();
  const ProcessIdentity listener = core.listener();
  switch (command % 11) {
    case 0:  // the watched listener ends (graceful ones say goodbye first); reported once the core waits
      if (listener.valid() && alive(world, listener)) {
        const std::uint8_t how = in.byte();
        const bool child = [&] {
          for (const PooledProcess& process : world.processes.table()) {
            if (process.identity == listener) return process.child;
          }
          return false;
        }();
        const bool goodbye = how % 2 == 0 && world.segment.peek(Field::listener_identity) == listener.pack();
        if (goodbye) {
          world.segment.poke(Field::listener_state, static_cast<std::uint64_t>(ListenerState::exited));
          world.segment.poke(Field::departed_identity, listener.pack());
          world.segment.poke(Field::listener_identity, 0);
        }
        world.processes.end(listener);
        const ExitStatus status = !child    ? ExitStatus::unknown_status()
                                  : how & 4 ? ExitStatus::signal(how & 8 ? 9 : 15)
                                            : ExitStatus::code((how >> 4) % 4);
        world.last_end_clean = child ? status.clean() : goodbye;
        world.unreported.emplace_back(listener, status);
      }
      break;
    case 1:  // the listener registers
      if (listener.valid() && alive(world, listener) &&
          !alive(world, ProcessIdentity::unpack(world.segment.peek(Field::listener_identity)))) {
        world.segment.poke(Field::listener_identity, listener.pack());
        world.segment.poke(Field::listener_state, static_cast<std::uint64_t>(ListenerState::starting));
      }
      break;
    case 2:  // a stranger takes a free or stale registration
      if (world.processes.live_count() < live_max &&
          !alive(world, ProcessIdentity::unpack(world.segment.peek(Field::listener_identity)))) {
        world.segment.poke(Field::listener_identity, world.processes.start(false).pack());
      }
      break;
    case 3: {  // whoever is registered dies unwatched (unless it is the listener: that is case 0)
      const auto registered = ProcessIdentity::unpack(world.segment.peek(Field::listener_identity));
      if (registered != listener) world.processes.end(registered);
      break;
    }
    case 4: core.handle_shutdown_signal(); break;
    case 5:
      world.segment.poke(Field::shutdown_request, 1);
      if (in.byte() % 2 == 0) core.handle_shutdown_notice();
      break;
    case 6:
      if (world.processes.pending_spawn_failures() < 8) {
        world.processes.fail_next_spawn(static_cast<SpawnError>(in.byte() % 3));
      }
      break;
    case 7: world.now_ns += in.below(20000) * ns_per_ms; break;
    case 8:
      if (const auto deadline = core.deadline_ns();
          deadline.has_value() && *deadline > world.now_ns && *deadline - world.now_ns <= timer_horizon_ns) {
        world.now_ns = *deadline;
      }
      break;
    case 9: {  // another process scribbles on a segment word (never on the header: the adapters
               // validate that before a core runs, and it is written only at initialisation)
      const auto field = static_cast<Field>(3 + in.byte() % (field_count - 3));
      std::uint64_t value = in.word();
      if (field == Field::shutdown_request) value &= 0xffff'ffffu;  // a 32-bit word in the image
      if (field == Field::departed_identity) world.departed_forged = true;
      world.segment.poke(field, value);
      break;
    }
    default: break;  // no event: only steps
  }
  // Either to quiescence, or a few steps so that the next event arrives mid-sequence; a death is
  // reported before those steps or after them.
  const std::uint8_t pace = in.byte();
  const auto report_exits = [&] {
    for (const auto& [identity, status] : world.unreported) {
      world.processes.note_exit_reported(identity);
      core.handle_listener_exit(identity, status);
    }
    world.unreported.clear();
  };
  if (pace % 2 == 1) report_exits();
  advance(core, world, pace % 4 == 0 ? 1 + pace / 64u : settle_steps_max);
  if (!world.unreported.empty()) {
    report_exits();
    advance(core, world, settle_steps_max);
  }
  // Success without a shutdown means the listener ended well (restart never or on-failure); a crash
  // must never be reported as success, whatever an earlier listener left in the segment.
  if (core.finished() && core.exit_code() == 0 && !core.shutdown_requested()) {
    TETHER_FUZZ_CHECK(world.last_end_clean || world.departed_forged, "exit 0 only after a clean end");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  const ControllerConfig config = read_config(in);
  World world;
  read_segment(in, world);
  ControllerCore core(config, world.segment, world.processes, ProcessIdentity{50, 7});
  const bool foreign = world.segment.peek(Field::magic) != 0 && world.segment.peek(Field::magic) != segment_magic;
  const FakeSegment before = world.segment;
  advance(core, world, settle_steps_max);
  if (foreign) {
    TETHER_FUZZ_CHECK(core.finished() && core.exit_code() == 65, "a foreign segment is refused");
    for (std::size_t i = 0; i < field_count; ++i) {
      const auto field = static_cast<Field>(i);
      TETHER_FUZZ_CHECK(world.segment.peek(field) == before.peek(field), "a foreign segment is never written");
    }
  }
  for (std::size_t command = 0; command < commands_max && !in.done(); ++command) run_command(in, core, world);
  return 0;
}
