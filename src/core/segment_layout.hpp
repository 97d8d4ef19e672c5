#pragma once
// The shared segment: a versioned header, then one lock-free atomic word per fact. Every field has a
// single meaning and a single kind of writer, so no write can erase another party's fact (the original
// design's one int32 let a starting listener overwrite a posted shutdown).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tether {

inline constexpr std::uint64_t segment_magic = 0x31305245'48544554;  // "TETHER01" in memory order
// 2: the incarnation field; 3: the worker notice area after the fields
inline constexpr std::uint64_t segment_layout_version = 3;
inline constexpr std::size_t segment_size_bytes = 4096;  // one page

enum class ListenerState : std::uint64_t {
  none = 0,      // nobody registered yet
  starting = 1,  // registered, not yet working
  working = 2,   // inside a unit of work
  idle = 3,      // between units
  stopping = 4,  // saw the shutdown request, leaving
  exited = 5,    // left gracefully
};
std::string_view listener_state_name(std::uint64_t state);

// The one field table: every field, in layout order, with its word type and the value a creating
// controller writes (`written_apart`: the incarnation is known only at run time, and the magic is
// written last, published with release, so a reader that sees it sees every other field initialised).
// The enum, the memory image, the names, the word access and the initialisation all come from it.
//
//   magic                0 while a creator is (or died) initialising, then segment_magic
//   generation           incremented by the controller before each launch
//   listener_identity    packed identity of the registered listener; written by the listener only
//   listener_state       ListenerState; written by the listener only
//   launched_identity    packed identity of the last process the controller spawned
//   controller_identity  packed identity of the controller holding the name
//   shutdown_request     0, or 1 once requested, never cleared while the segment lives; 32 bits because
//                        it doubles as a futex word
//   heartbeat_ns         the listener's last sign of progress, CLOCK_MONOTONIC
//   restarts             launches after the first, for status
//   departed_identity    packed identity of the last listener that left gracefully; listener only
//   incarnation          packed identity of the controller that created this segment; never changes. A
//                        launch names it beside the generation: generations restart with each new
//                        segment of a name, and a listener launched for a removed one must not register
//                        in its successor
#define TETHER_SEGMENT_FIELDS(X)                                                    \
  X(magic, std::uint64_t, written_apart)                                            \
  X(layout_version, std::uint64_t, segment_layout_version)                          \
  X(size_bytes, std::uint64_t, segment_size_bytes)                                  \
  X(generation, std::uint64_t, 0)                                                   \
  X(listener_identity, std::uint64_t, 0)                                            \
  X(listener_state, std::uint64_t, static_cast<std::uint64_t>(ListenerState::none)) \
  X(launched_identity, std::uint64_t, 0)                                            \
  X(controller_identity, std::uint64_t, 0)                                          \
  X(shutdown_request, std::uint32_t, 0)                                             \
  X(heartbeat_ns, std::uint64_t, 0)                                                 \
  X(restarts, std::uint64_t, 0)                                                     \
  X(departed_identity, std::uint64_t, 0)                                            \
  X(incarnation, std::uint64_t, written_apart)

// Unformatted: clang-format reads the expansion as the start of an expression and indents `count_`.
// clang-format off
enum class Field : std::uint8_t {
#define TETHER_FIELD_ENUMERATOR(name, word, initial) name,
  TETHER_SEGMENT_FIELDS(TETHER_FIELD_ENUMERATOR)
#undef TETHER_FIELD_ENUMERATOR
  count_,
};
// clang-format on
inline constexpr std::size_t field_count = static_cast<std::size_t>(Field::count_);

// A field's initial value, unless it is written apart from the others (see the table).
inline constexpr std::optional<std::uint64_t> written_apart = std::nullopt;
struct FieldSpec {
  Field field;
  std::string_view name;
  std::optional<std::uint64_t> initial;
};
inline constexpr std::array<FieldSpec, field_count> field_specs = {{
#define TETHER_FIELD_SPEC(name, word, initial) {Field::name, #name, initial},
    TETHER_SEGMENT_FIELDS(TETHER_FIELD_SPEC)
#undef TETHER_FIELD_SPEC
}};

std::string_view field_name(Field field);

// What the worker last said through the notify protocols (READY=1, STOPPING=1, STATUS=), published by
// the controller for `tether status`. Not a Field: the cores never read it (they get the notices as
// inputs), and only the controller's driver writes it, under a sequence lock so that a reader never
// shows half of one STATUS text and half of the next.
struct WorkerNoticeArea {
  static constexpr std::size_t status_words = 32;  // 256 bytes: the text, NUL-padded
  std::atomic<std::uint64_t> sequence;             // odd while the controller rewrites the words below
  std::atomic<std::uint64_t> identity;             // packed identity of the worker that said it
  std::atomic<std::uint64_t> flags;                // worker_notice_ready | worker_notice_stopping
  std::array<std::atomic<std::uint64_t>, status_words> status_text;
};
inline constexpr std::uint64_t worker_notice_ready = 1;     // flags bit: READY=1 (or the pipe's newline)
inline constexpr std::uint64_t worker_notice_stopping = 2;  // flags bit: STOPPING=1

// What the controller's driver reports about its supervision, for `tether status` (why a pair is down)
// and `tether shutdown --wait` (how long a stop may last). Not a Field, like the notice area: the cores
// never read it, and only the controller's driver writes it, under a sequence lock. All zero until a
// controller reports (a controller built before the area existed left it as zero padding).
struct ControllerReportArea {
  std::atomic<std::uint64_t> sequence;              // odd while the controller rewrites the words below
  std::atomic<std::uint64_t> last_exit;             // the last worker exit, pack_exit_status(); 0: none yet
  std::atomic<std::uint64_t> last_exit_ns;          // when it was seen, CLOCK_MONOTONIC
  std::atomic<std::uint64_t> restart_at_ns;         // when the pending restart is due; 0: none pending
  std::atomic<std::uint64_t> consecutive_failures;  // worker exits in a row that were failures
  std::atomic<std::uint64_t> starts_left;           // launches the start limit still allows now
  std::atomic<std::uint64_t> worker_started_ns;     // when the current worker was launched or adopted; 0: none
  std::atomic<std::uint64_t> stop_deadline_ns;      // the latest a stop under way can end; 0: no stop
};

// The memory image: the fields (the shutdown word's 32 bits are followed by 4 bytes of padding, so
// every field is 8-byte aligned), then the worker notice area.
struct SegmentImage {
#define TETHER_IMAGE_MEMBER(name, word, initial) std::atomic<word> name;
  TETHER_SEGMENT_FIELDS(TETHER_IMAGE_MEMBER)
#undef TETHER_IMAGE_MEMBER
  WorkerNoticeArea worker_notice;
  ControllerReportArea controller_report;
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint64_t>) == 8);
static_assert(sizeof(SegmentImage) <= segment_size_bytes);
static_assert(offsetof(SegmentImage, magic) == 0);
static_assert(offsetof(SegmentImage, shutdown_request) % 8 == 0);
static_assert(offsetof(SegmentImage, heartbeat_ns) == offsetof(SegmentImage, shutdown_request) + 8);
static_assert(offsetof(SegmentImage, worker_notice) == 104);      // after incarnation: v2 offsets unchanged
static_assert(offsetof(SegmentImage, controller_report) == 384);  // after the notice area

enum class SegmentFault : std::uint8_t {
  none,
  truncated,      // fewer bytes than one layout
  uninitialised,  // magic 0: a creator is initialising it, or died doing so
  bad_magic,
  bad_version,
  bad_size,
};
std::string_view segment_fault_text(SegmentFault fault);

// Checks a raw byte image of a segment (a copy, or the mapped bytes) before anyone trusts it.
// Pure: used by the adapters before mapping fields and by the fuzzers.
SegmentFault validate_segment_bytes(std::span<const std::byte> bytes);

}  // namespace tether
