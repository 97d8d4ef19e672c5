// The start-up sub-machine: find or create the segment, claim it, and learn what the previous
// controller left behind (a binding shutdown request, a live listener to adopt, a launched process that
// has not registered yet) before launching anything.
#include <array>

#include "core/controller_core.hpp"
#include "core/exit_codes.hpp"
#include "core/mutants.hpp"
#include "core/assert.hpp"

namespace tether {

namespace {

struct FieldValue {
  Field field;
  std::uint64_t value;
};
constexpr std::size_t initial_field_count = [] {
  std::size_t count = 0;
  for (const FieldSpec& spec : field_specs) count += spec.initial.has_value() ? 1 : 0;
  return count;
}();
// Initialisation order: the fields the table gives an initial value, in layout order; then the
// incarnation (our identity, known only at run time); the magic last, so a reader that sees the magic
// sees the rest.
constexpr std::array<FieldValue, initial_field_count> initial_fields = [] {
  std::array<FieldValue, initial_field_count> fields{};
  std::size_t next = 0;
  for (const FieldSpec& spec : field_specs) {
    if (spec.initial.has_value()) fields[next++] = {spec.field, *spec.initial};
  }
  return fields;
}();
static_assert(initial_field_count == field_count - 2, "all but the incarnation and the magic");

}  // namespace

void ControllerCore::step_read_magic(std::uint64_t /*now_ns*/) {
  const std::uint64_t magic = segment_.load(Field::magic);
  if (magic == segment_magic) {
    enter(Phase::read_incarnation);
  } else if (magic == 0) {
    enter(Phase::initialise);
  } else {
    // The adapters refuse foreign segments before a core runs; never write into one regardless.
    finish(exit_code::data_error, false);
  }
}

void ControllerCore::step_initialise(std::uint64_t /*now_ns*/) {
  std::uint32_t& index = state_.initialise_index;
  TETHER_ASSERT(index <= initial_fields.size() + 1);
  if (index < initial_fields.size()) {
    const FieldValue& field = initial_fields[index];
    segment_.store(field.field, field.value);
    ++index;
    if (index == initial_fields.size() / 2) state_.passed_point = CrashPoint::mid_init;
    enter(Phase::initialise);
    return;
  }
  if (index == initial_fields.size()) {
    state_.ticket.incarnation = state_.self.pack();
    segment_.store(Field::incarnation, state_.ticket.incarnation);
    ++index;
    enter(Phase::initialise);
    return;
  }
  segment_.store(Field::magic, segment_magic);
  emit({ControllerEvent::Kind::segment_initialised, state_.self});
  enter(Phase::claim);
}

void ControllerCore::step_read_incarnation(std::uint64_t /*now_ns*/) {
  state_.ticket.incarnation = segment_.load(Field::incarnation);
  enter(Phase::claim);
}

void ControllerCore::step_claim(std::uint64_t /*now_ns*/) {
  segment_.store(Field::controller_identity, state_.self.pack());
  enter(Phase::read_shutdown);
}

void ControllerCore::step_read_shutdown(std::uint64_t /*now_ns*/) {
  // A request that outlived its controller still binds: we finish that shutdown, never relaunch.
  // Said in the log, or a controller that exits at once (nothing left to stop) would not say why.
  if (segment_.load(Field::shutdown_request) != 0) {
    state_.shutdown_requested = true;
    emit({ControllerEvent::Kind::shutdown_requested, {}, {}, 1});
  }
  enter(Phase::read_listener);
}

void ControllerCore::step_read_listener(std::uint64_t now_ns) {
  auto registered = ProcessIdentity::unpack(segment_.load(Field::listener_identity));
  if (mutant_active(CoreMutant::adoption_without_identity_check)) registered.start_time_ticks = 0;
  if (!registered.valid()) {
    enter(Phase::read_launched);
  } else if (processes_.is_alive(registered) && processes_.watch(registered)) {
    adopt(registered, now_ns, true);
  } else {
    state_.exited_process = registered;
    enter(Phase::clear_stale_listener);
  }
}

void ControllerCore::step_clear_stale_listener(std::uint64_t /*now_ns*/) {
  std::uint64_t expected = state_.exited_process.pack();
  segment_.compare_exchange(Field::listener_identity, expected, 0);
  emit({ControllerEvent::Kind::stale_listener_cleared, state_.exited_process});
  state_.exited_process = {};
  enter(Phase::read_launched);
}

void ControllerCore::step_read_launched(std::uint64_t now_ns) {
  // A previous controller may have died after launching a listener that has not registered yet:
  // watch that one rather than launch a second.
  const auto launched = ProcessIdentity::unpack(segment_.load(Field::launched_identity));
  if (launched.valid() && processes_.is_alive(launched) && processes_.watch(launched)) {
    adopt(launched, now_ns, false);
  } else if (state_.shutdown_requested) {
    finish(exit_code::ok, true);
  } else {
    enter(Phase::bump_generation);
  }
}

}  // namespace tether
