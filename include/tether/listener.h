#ifndef TETHER_LISTENER_H
#define TETHER_LISTENER_H
/* Tether's C ABI: take part in a supervised pair from C, Python (ctypes), Rust or anything that can
 * call C. A thin layer over the C++ tether::ListenerSession (tether/listener.hpp) with the same
 * semantics; link libtether_c (pkg-config tether-c, or CMake tether::c).
 *
 *   tether_error error;
 *   tether_session* session = NULL;
 *   if (tether_session_open(NULL, &session, &error) != TETHER_OK) {  // name from TETHER_NAME
 *     fprintf(stderr, "%s\n", error.message);
 *     return error.exit_code;
 *   }
 *   while (!tether_session_should_stop(session)) {
 *     tether_session_begin_unit(session);
 *     do_one_unit_of_work();                      // a shutdown request never interrupts it
 *     tether_session_end_unit(session);           // also a heartbeat
 *     tether_session_wait_for_shutdown(session, 100);  // idle; wakes at once on a request
 *   }
 *   tether_session_close(session);                // leaves gracefully, frees the handle
 *
 * Rules: no function throws or aborts on misuse; a NULL session is ignored (returns 0 or does
 * nothing). A session is not thread-safe: use it from one thread at a time. Every function except
 * tether_session_open and tether_session_close is a few atomic operations on shared memory; none
 * allocates. Strings are UTF-8 / ASCII and NUL-terminated. */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TETHER_C_API __attribute__((visibility("default")))
#else
#define TETHER_C_API
#endif

/* Bumped when a function's signature or meaning changes incompatibly (the soname follows it). */
#define TETHER_C_ABI_VERSION 1

/* Why tether_session_open failed; the values mirror tether::SessionError::Kind, plus the C layer's own. */
typedef enum tether_status {
  TETHER_OK = 0,
  TETHER_ERROR_BAD_NAME = 1,         /* missing or invalid pair name (or a bad launch ticket) */
  TETHER_ERROR_NO_SEGMENT = 2,       /* no controller has created the pair's segment */
  TETHER_ERROR_BAD_SEGMENT = 3,      /* not a valid tether segment (nothing was written to it) */
  TETHER_ERROR_PERMISSION = 4,       /* the segment belongs to another user */
  TETHER_ERROR_TAKEN = 5,            /* another live listener is registered under this name */
  TETHER_ERROR_SUPERSEDED = 6,       /* our controller already launched a newer listener */
  TETHER_ERROR_OS = 7,               /* an operating-system error */
  TETHER_ERROR_INVALID_ARGUMENT = 8, /* out_session was NULL */
  TETHER_ERROR_NO_MEMORY = 9
} tether_status;

#define TETHER_ERROR_MESSAGE_MAX 256

/* Filled by tether_session_open on failure (and cleared on success). Fixed size so that it can live on
 * the caller's stack and be declared as a ctypes.Structure. */
typedef struct tether_error {
  int32_t status;    /* a tether_status */
  int32_t exit_code; /* the sysexits code a worker should exit with (64 usage, 66 no segment, 75 ...) */
  char message[TETHER_ERROR_MESSAGE_MAX]; /* NUL-terminated, truncated if longer */
} tether_error;

/* Opaque handle of a registered listener. */
typedef struct tether_session tether_session;

/* Opens the pair's segment and registers this process as its listener. `name` NULL or "": the
 * TETHER_NAME environment variable (set by tether-controller). On success stores a handle in
 * *out_session and returns TETHER_OK; otherwise stores NULL, fills *error (when not NULL) and returns
 * the status. */
TETHER_C_API int tether_session_open(const char* name, tether_session** out_session, tether_error* error);

/* 1 once a shutdown was requested, else 0; check it between units of work. One atomic load. */
TETHER_C_API int tether_session_should_stop(tether_session* session);

/* Mark the start and the end of a unit of work (state working/idle); end_unit also heartbeats. */
TETHER_C_API void tether_session_begin_unit(tether_session* session);
TETHER_C_API void tether_session_end_unit(tether_session* session);

/* Records progress, e.g. during a long unit (it may earn a long unit more time during a stop). */
TETHER_C_API void tether_session_heartbeat(tether_session* session);

/* Idles until a shutdown request arrives (returns 1) or `timeout_ms` passes (returns 0). A negative
 * timeout counts as 0, one beyond 2^40 ms (about 35 years; INT64_MAX, say) as 2^40 ms. */
TETHER_C_API int tether_session_wait_for_shutdown(tether_session* session, int64_t timeout_ms);

/* Unregisters, recording a graceful exit for the controller. Idempotent; the handle stays valid. */
TETHER_C_API void tether_session_leave(tether_session* session);

/* Leaves if still registered and frees the handle. NULL is allowed. */
TETHER_C_API void tether_session_close(tether_session* session);

/* The pair name the session registered under; valid until tether_session_close. */
TETHER_C_API const char* tether_session_name(const tether_session* session);

/* The library's version ("0.1.0") and TETHER_C_ABI_VERSION as it was built. */
TETHER_C_API const char* tether_library_version(void);
TETHER_C_API int tether_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* TETHER_LISTENER_H */
