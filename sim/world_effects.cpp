// What one transition of `check` did (TransitionEffect), for the search's partial-order reduction. The
// recording compares the world before and after the transition, part by part, rather than trusting a
// list of the operations that have side effects: whatever changed outside the segment words it wrote
// and its actors' own state (a spawn, a signal, an exit, a woken waiter, the clock, the checker's
// model...) makes it impure, and an impure transition commutes with nothing.
#include <algorithm>

#include "world.hpp"

namespace tether::sim {

namespace {
std::uint64_t field_bit(Field field) { return std::uint64_t{1} << static_cast<unsigned>(field); }
static_assert(field_count <= 64, "one bit per segment field");
}  // namespace

bool independent(const TransitionEffect& a, const TransitionEffect& b) {
  if (!a.pure || !b.pure) return false;
  if ((a.writes & (b.reads | b.writes)) != 0 || (b.writes & a.reads) != 0) return false;
  return std::none_of(a.actors.begin(), a.actors.end(),
                      [&](Serial actor) { return std::binary_search(b.actors.begin(), b.actors.end(), actor); });
}

std::vector<std::array<std::uint64_t, field_count>> World::all_segment_words() const {
  std::vector<std::array<std::uint64_t, field_count>> words;
  words.reserve(segments_.retired().size() + 1);
  words.push_back(segments_.named().words);
  for (const auto& [incarnation, segment] : segments_.retired()) words.push_back(segment.words);
  return words;
}

void World::begin_effect() {
  EffectRecording recording;
  recording.surroundings = surroundings_fingerprint();
  recording.processes.reserve(table_.all().size());
  for (const auto& owned : table_.all()) recording.processes.push_back(process_fingerprint(*owned));
  recording.words = all_segment_words();
  recording_ = std::move(recording);
}

// A write is also a read: a compare-exchange or fetch-add reads before it writes, and a plain store
// counted as a read only makes the reduction more careful.
void World::note_segment_access(Field field, bool writes) {
  recording_->effect.reads |= field_bit(field);
  if (writes) recording_->effect.writes |= field_bit(field);
}

void World::note_actor(Serial serial) {
  auto& actors = recording_->effect.actors;
  const auto at = std::lower_bound(actors.begin(), actors.end(), serial);
  if (at == actors.end() || *at != serial) actors.insert(at, serial);
}

TransitionEffect World::finish_effect() const {
  const EffectRecording& before = *recording_;
  TransitionEffect effect = before.effect;
  effect.pure = false;
  if (surroundings_fingerprint() != before.surroundings || table_.all().size() != before.processes.size())
    return effect;
  for (std::size_t index = 0; index < table_.all().size(); ++index) {
    const bool actor = std::binary_search(effect.actors.begin(), effect.actors.end(), table_.all()[index]->serial);
    if (!actor && process_fingerprint(*table_.all()[index]) != before.processes[index]) return effect;
  }
  // The surroundings hold how many segments there are; their words must have changed only where written.
  const auto words = all_segment_words();
  for (std::size_t segment = 0; segment < words.size(); ++segment) {
    for (std::size_t field = 0; field < field_count; ++field) {
      const bool written = (effect.writes & field_bit(static_cast<Field>(field))) != 0;
      if (!written && words[segment][field] != before.words[segment][field]) return effect;
    }
  }
  effect.pure = !effect.actors.empty();
  return effect;
}

}  // namespace tether::sim
