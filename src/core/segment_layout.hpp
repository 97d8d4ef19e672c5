#pragma once
// The shared segment: a versioned header, then one lock-free atomic word per fact. Every field has a
// single meaning and a single kind of writer, so no write can erase another party's fact (the original
// design's one int32 let a starting listener overwrite a posted shutdown).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace tether {

inline constexpr std::uint64_t segment_magic = 0x31305245'48544554;  // "TETHER01" in memory order
// 2: the incarnation field; 3: the worker notice area after the fields
inline constexpr std::uint64_t segment_layout_version = 3;
inline constexpr std::size_t segment_size_bytes = 4096;  // one page

// Fields, in layout order. `magic` is written last during initialisation (published with release),
// so a reader that sees the magic sees every other header field initialised.
enum class Field : std::uint8_t {
  magic,                // segment_magic once initialised; 0 while a creator is (or died) initialising
  layout_version,       // segment_layout_version
  size_bytes,           // segment_size_bytes
  generation,           // incremented by the controller before each launch
  listener_identity,    // packed identity of the registered listener; written by the listener only
  listener_state,       // ListenerState; written by the listener only
  launched_identity,    // packed identity of the last process the controller spawned
  controller_identity,  // packed identity of the controller holding the name
  shutdown_request,     // 0, or 1 once a shutdown was requested; never cleared while the segment lives
  heartbeat_ns,         // listener's last sign of progress, CLOCK_MONOTONIC ns
  restarts,             // launches after the first, for status
  departed_identity,    // packed identity of the last listener that left gracefully; listener only
  incarnation,          // packed identity of the controller that created this segment; never changes.
                        // A launch names it beside the generation: generations restart with each new
                        // segment of a name, and a listener launched for a removed one must not
                        // register in its successor
  count_,
};
inline constexpr std::size_t field_count = static_cast<std::size_t>(Field::count_);

std::string_view field_name(Field field);

enum class ListenerState : std::uint64_t {
  none = 0,      // nobody registered yet
  starting = 1,  // registered, not yet working
  working = 2,   // inside a unit of work
  idle = 3,      // between units
  stopping = 4,  // saw the shutdown request, leaving
  exited = 5,    // left gracefully
};
std::string_view listener_state_name(std::uint64_t state);

// What the worker last said through the notify protocols (READY=1, STOPPING=1, STATUS=), published by
// the controller for `tether status`. Not a Field: the cores never read it (they get the notices as
// inputs), and only the controller's driver writes it, under a sequence lock so that a reader never
// shows half of one STATUS text and half of the next.
struct WorkerNoticeArea {
  static constexpr std::size_t status_words = 32;  // 256 bytes: the text, NUL-padded
  std::atomic<std::uint64_t> sequence;  // odd while the controller rewrites the words below
  std::atomic<std::uint64_t> identity;  // packed identity of the worker that said it
  std::atomic<std::uint64_t> flags;     // worker_notice_ready | worker_notice_stopping
  std::array<std::atomic<std::uint64_t>, status_words> status_text;
};
inline constexpr std::uint64_t worker_notice_ready = 1;     // flags bit: READY=1 (or the pipe's newline)
inline constexpr std::uint64_t worker_notice_stopping = 2;  // flags bit: STOPPING=1

// The memory image. The shutdown word is 32 bits because it doubles as a futex word; its padding keeps
// every field 8-byte aligned.
struct SegmentImage {
  std::atomic<std::uint64_t> magic;
  std::atomic<std::uint64_t> layout_version;
  std::atomic<std::uint64_t> size_bytes;
  std::atomic<std::uint64_t> generation;
  std::atomic<std::uint64_t> listener_identity;
  std::atomic<std::uint64_t> listener_state;
  std::atomic<std::uint64_t> launched_identity;
  std::atomic<std::uint64_t> controller_identity;
  std::atomic<std::uint32_t> shutdown_request;
  std::uint32_t reserved_zero;
  std::atomic<std::uint64_t> heartbeat_ns;
  std::atomic<std::uint64_t> restarts;
  std::atomic<std::uint64_t> departed_identity;
  std::atomic<std::uint64_t> incarnation;
  WorkerNoticeArea worker_notice;
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint64_t>) == 8);
static_assert(sizeof(SegmentImage) <= segment_size_bytes);
static_assert(offsetof(SegmentImage, magic) == 0);
static_assert(offsetof(SegmentImage, shutdown_request) % 8 == 0);
static_assert(offsetof(SegmentImage, worker_notice) == 104);  // after incarnation: v2 offsets unchanged

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
