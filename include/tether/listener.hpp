#pragma once
// Tether's public API for workers: take part in a supervised pair from your own program.
//
//   auto session = tether::ListenerSession::open();       // name from TETHER_NAME
//   if (!session) { report(session.error().message); return session.error().exit_code; }
//   while (!session.value().should_stop()) {
//     session.value().begin_unit();
//     do_one_unit_of_work();                               // a shutdown request never interrupts it
//     session.value().end_unit();                          // also a heartbeat
//     session.value().wait_for_shutdown(std::chrono::milliseconds(100));  // idle; wakes at once
//   }
//   // leaving scope unregisters gracefully (or call leave()).
//
// The controller that launched the worker passes the pair name (TETHER_NAME) and the launch ticket
// (TETHER_INCARNATION, TETHER_GENERATION) in the environment.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tether/error.hpp"
#include "tether/result.hpp"

namespace tether {

enum class SessionErrorKind : std::uint8_t {
  bad_name,     // missing or invalid pair name
  no_segment,   // no controller has created the pair's segment
  bad_segment,  // the segment is not a valid tether segment (nothing was written to it)
  permission,   // the segment belongs to another user
  taken,        // another live listener is registered under this name
  superseded,   // our launch is void: a newer listener was launched, or our segment was replaced
  os,
};
using SessionError = Error<SessionErrorKind>;

class ListenerSession {
 public:
  // Opens the pair's segment and registers this process as its listener. `name` empty: TETHER_NAME.
  // Any of descriptors 0-2 that is closed gets /dev/null first, so the segment never takes its number.
  static Result<ListenerSession, SessionError> open(std::string_view name = {});

  ListenerSession(ListenerSession&&) noexcept;
  ListenerSession& operator=(ListenerSession&&) noexcept;
  ListenerSession(const ListenerSession&) = delete;
  ListenerSession& operator=(const ListenerSession&) = delete;
  ~ListenerSession();  // leaves gracefully if still registered

  // True once a shutdown was requested; check it between units of work. One atomic load.
  [[nodiscard]] bool should_stop();
  // Marks the start and the end of a unit of work (state working/idle); end_unit also heartbeats.
  void begin_unit();
  void end_unit();
  // Records progress, e.g. during a long unit.
  void heartbeat();
  // Idles until a shutdown request arrives (true) or the timeout passes (false), whichever is first. A
  // negative timeout counts as 0, one beyond 2^40 ms (about 35 years; milliseconds::max(), say) as 2^40 ms.
  bool wait_for_shutdown(std::chrono::milliseconds timeout);
  // Unregisters, recording a graceful exit for the controller. Idempotent.
  void leave();

  [[nodiscard]] const std::string& name() const;

 private:
  struct State;
  explicit ListenerSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tether
