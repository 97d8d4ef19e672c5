#include "core/shutdown_core.hpp"

#include "core/assert.hpp"
#include "core/exit_codes.hpp"
#include "core/state_hash.hpp"

namespace tether {

namespace {

using P = ShutdownPhase;

constexpr std::array<ShutdownPhaseSpec, shutdown_phase_count> phase_specs = {{
    {P::read_magic, "read_magic", SegmentOp::load, Field::magic},
    {P::post_request, "post_request", SegmentOp::store, Field::shutdown_request},
    {P::read_controller, "read_controller", SegmentOp::load, Field::controller_identity},
    {P::notify_controller, "notify_controller", SegmentOp::none, std::nullopt},
    {P::finished, "finished", SegmentOp::none, std::nullopt},
}};

constexpr bool specs_in_phase_order() {
  for (std::size_t index = 0; index < phase_specs.size(); ++index) {
    if (static_cast<std::size_t>(phase_specs[index].phase) != index) return false;
  }
  return true;
}
static_assert(specs_in_phase_order(), "the shutdown phase table must list the phases in enum order");

}  // namespace

std::uint64_t hash_value(const ShutdownState& state) {
  Fnv1a hash;
  hash.add(static_cast<std::uint64_t>(state.phase));
  hash.add(state.controller);
  hash.add(state.controller_told ? 1 : 0);
  hash.add(static_cast<std::uint64_t>(state.exit_code));
  return hash.value();
}

const ShutdownPhaseSpec& shutdown_phase_spec(ShutdownPhase phase) {
  return phase_specs[static_cast<std::size_t>(phase)];
}

ShutdownCore::ShutdownCore(SegmentPort& segment, NoticePort& notices) : segment_(segment), notices_(notices) {}

int ShutdownCore::exit_code() const {
  TETHER_ASSERT(finished());
  return state_.exit_code;
}

// The phases run in a line; only an unset-up segment ends the tool early. The request is a field of its
// own, posted before the nudge: a controller that looks for any reason (the nudge, an exit, its start)
// sees it, and nothing but the segment's removal ever clears it.
bool ShutdownCore::step() {
  const ShutdownPhaseSpec& declared = shutdown_phase_spec(state_.phase);
  segment_.begin_step(declared.op, declared.field);
  switch (state_.phase) {
    case P::read_magic:
      if (segment_.load(Field::magic) != segment_magic) {
        state_.exit_code = exit_code::data_error;
        state_.phase = P::finished;
      } else {
        state_.phase = P::post_request;
      }
      break;
    case P::post_request:
      segment_.store(Field::shutdown_request, 1);
      segment_.wake_shutdown_waiters();
      state_.phase = P::read_controller;
      break;
    case P::read_controller:
      state_.controller = ProcessIdentity::unpack(segment_.load(Field::controller_identity));
      state_.phase = P::notify_controller;
      break;
    case P::notify_controller:
      state_.controller_told = state_.controller.valid() && notices_.notify_controller(state_.controller);
      state_.exit_code = exit_code::ok;
      state_.phase = P::finished;
      break;
    case P::finished: break;
  }
  return finished();
}

}  // namespace tether
