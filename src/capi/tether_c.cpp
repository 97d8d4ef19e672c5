// The C ABI (include/tether/listener.h) over tether::ListenerSession. No C++ exception may cross into C:
// open catches what the C++ layer can throw (allocation, string building); the other calls are atomic
// operations and futex waits that throw nothing. Every entry point forgives NULL.
#include "tether/listener.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "tether/listener.hpp"

struct tether_session {
  explicit tether_session(tether::ListenerSession session_in) : session(std::move(session_in)) {}
  tether::ListenerSession session;
};

namespace {

constexpr int exit_code_os_error = 71;  // EX_OSERR, as the C++ API reports it
constexpr int exit_code_usage = 64;     // EX_USAGE

static_assert(static_cast<int>(tether::SessionError::Kind::bad_name) + 1 == TETHER_ERROR_BAD_NAME);
static_assert(static_cast<int>(tether::SessionError::Kind::os) + 1 == TETHER_ERROR_OS,
              "listener.h's statuses mirror SessionError::Kind in order");

void fill_error(tether_error* error, int status, int exit_code, const char* message) noexcept {
  if (error == nullptr) return;
  error->status = status;
  error->exit_code = exit_code;
  // Truncates a long message and always terminates it.
  const std::size_t length = std::min(std::strlen(message), std::size_t{TETHER_ERROR_MESSAGE_MAX - 1});
  std::memcpy(error->message, message, length);
  error->message[length] = '\0';
}

int status_of(tether::SessionError::Kind kind) noexcept { return static_cast<int>(kind) + 1; }

}  // namespace

extern "C" {

int tether_session_open(const char* name, tether_session** out_session, tether_error* error) {
  if (out_session == nullptr) {
    fill_error(error, TETHER_ERROR_INVALID_ARGUMENT, exit_code_usage, "out_session is NULL");
    return TETHER_ERROR_INVALID_ARGUMENT;
  }
  *out_session = nullptr;
  try {
    auto opened = tether::ListenerSession::open(name == nullptr ? std::string_view{} : std::string_view{name});
    if (!opened.ok()) {
      const auto& failure = opened.error();
      const int status = status_of(failure.kind);
      fill_error(error, status, failure.exit_code, failure.message.c_str());
      return status;
    }
    *out_session = new tether_session(std::move(opened.value()));
  } catch (const std::bad_alloc&) {
    fill_error(error, TETHER_ERROR_NO_MEMORY, exit_code_os_error, "out of memory");
    return TETHER_ERROR_NO_MEMORY;
  } catch (...) {
    fill_error(error, TETHER_ERROR_OS, exit_code_os_error, "unexpected error while opening the session");
    return TETHER_ERROR_OS;
  }
  fill_error(error, TETHER_OK, 0, "");
  return TETHER_OK;
}

int tether_session_should_stop(tether_session* session) {
  if (session == nullptr) return 0;
  return session->session.should_stop() ? 1 : 0;
}

void tether_session_begin_unit(tether_session* session) {
  if (session != nullptr) session->session.begin_unit();
}

void tether_session_end_unit(tether_session* session) {
  if (session != nullptr) session->session.end_unit();
}

void tether_session_heartbeat(tether_session* session) {
  if (session != nullptr) session->session.heartbeat();
}

int tether_session_wait_for_shutdown(tether_session* session, int64_t timeout_ms) {
  if (session == nullptr) return 0;
  const std::chrono::milliseconds timeout(std::max<int64_t>(0, timeout_ms));
  return session->session.wait_for_shutdown(timeout) ? 1 : 0;
}

void tether_session_leave(tether_session* session) {
  if (session != nullptr) session->session.leave();
}

void tether_session_close(tether_session* session) {
  delete session;  // the C++ session's destructor leaves if still registered
}

const char* tether_session_name(const tether_session* session) {
  if (session == nullptr) return "";
  return session->session.name().c_str();
}

const char* tether_library_version(void) { return TETHER_VERSION; }

int tether_abi_version(void) { return TETHER_C_ABI_VERSION; }

}  // extern "C"
