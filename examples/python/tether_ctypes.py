"""Tether's C ABI (tether/listener.h) from Python through ctypes: a worker in Python takes part in a
supervised pair exactly as a C++ one does.

    session = tether_ctypes.Session.open()      # name from TETHER_NAME, set by tether-controller
    while not session.should_stop():
        session.begin_unit()
        do_one_unit_of_work()                   # a shutdown request never interrupts it
        session.end_unit()                      # also a heartbeat
        session.wait_for_shutdown(100)          # idle; wakes at once on a request
    session.close()                             # leaves gracefully

The library is found through TETHER_C_LIBRARY (a path), else as libtether_c.so.1 on the loader's path.
"""
import ctypes
import os

MESSAGE_MAX = 256  # TETHER_ERROR_MESSAGE_MAX
ABI_VERSION = 1    # TETHER_C_ABI_VERSION this binding was written for


class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int32), ("exit_code", ctypes.c_int32),
                ("message", ctypes.c_char * MESSAGE_MAX)]


class LibraryError(Exception):
    """libtether_c could not be loaded: the message says what to set. `exit_code` is EX_UNAVAILABLE (69)."""

    exit_code = 69


class SessionError(Exception):
    """tether_session_open refused: `status` is a tether_status, `exit_code` the sysexits code to exit with."""

    def __init__(self, status, exit_code, message):
        super().__init__(message)
        self.status = status
        self.exit_code = exit_code


def load(path=None):
    """Loads libtether_c and declares every function's signature (ctypes would otherwise guess int)."""
    where = path or os.environ.get("TETHER_C_LIBRARY") or "libtether_c.so.1"
    try:
        library = ctypes.CDLL(where)
    except OSError as error:
        raise LibraryError(
            f"cannot load the tether C library '{where}' ({error}); set TETHER_C_LIBRARY to its path, for example "
            "/usr/lib/x86_64-linux-gnu/libtether_c.so.1 (package libtether-c1) or build/dev/lib/libtether_c.so.1"
        ) from None
    handle = ctypes.c_void_p
    signatures = {
        "tether_session_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(handle), ctypes.POINTER(_Error)]),
        "tether_session_should_stop": (ctypes.c_int, [handle]),
        "tether_session_begin_unit": (None, [handle]),
        "tether_session_end_unit": (None, [handle]),
        "tether_session_heartbeat": (None, [handle]),
        "tether_session_wait_for_shutdown": (ctypes.c_int, [handle, ctypes.c_int64]),
        "tether_session_leave": (None, [handle]),
        "tether_session_close": (None, [handle]),
        "tether_session_name": (ctypes.c_char_p, [handle]),
        "tether_library_version": (ctypes.c_char_p, []),
        "tether_abi_version": (ctypes.c_int, []),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(library, name)
        function.restype = result
        function.argtypes = arguments
    if library.tether_abi_version() != ABI_VERSION:
        raise RuntimeError(f"libtether_c ABI {library.tether_abi_version()}, this binding needs {ABI_VERSION}")
    return library


class Session:
    """One registered listener; close() (or leaving a `with` block) unregisters gracefully."""

    def __init__(self, library, handle):
        self._library = library
        self._handle = handle

    @classmethod
    def open(cls, name=None, library=None):
        library = library or load()
        handle = ctypes.c_void_p()
        error = _Error()
        status = library.tether_session_open(name.encode() if name else None, ctypes.byref(handle),
                                             ctypes.byref(error))
        if status != 0:
            raise SessionError(status, error.exit_code, error.message.decode(errors="replace"))
        return cls(library, handle)

    def should_stop(self):
        return self._library.tether_session_should_stop(self._handle) != 0

    def begin_unit(self):
        self._library.tether_session_begin_unit(self._handle)

    def end_unit(self):
        self._library.tether_session_end_unit(self._handle)

    def heartbeat(self):
        self._library.tether_session_heartbeat(self._handle)

    def wait_for_shutdown(self, timeout_ms):
        return self._library.tether_session_wait_for_shutdown(self._handle, int(timeout_ms)) != 0

    def leave(self):
        self._library.tether_session_leave(self._handle)

    def name(self):
        return self._library.tether_session_name(self._handle).decode()

    def close(self):
        if self._handle:
            self._library.tether_session_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
