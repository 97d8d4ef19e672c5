#pragma once
// Process exit codes, from sysexits(3): the apps and the cores speak them, scripts can rely on them.
namespace tether::exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;
inline constexpr int not_running = 3;     // `tether status`: no live listener (LSB status convention)
inline constexpr int usage = 64;          // EX_USAGE
inline constexpr int data_error = 65;     // EX_DATAERR: bad or foreign segment, bad scenario file
inline constexpr int no_input = 66;       // EX_NOINPUT: no such segment
inline constexpr int unavailable = 69;    // EX_UNAVAILABLE: gave up restarting, cannot launch
inline constexpr int software = 70;       // EX_SOFTWARE: internal error
inline constexpr int os_error = 71;       // EX_OSERR
inline constexpr int cant_create = 73;    // EX_CANTCREAT: the name is held by another controller
inline constexpr int io_error = 74;       // EX_IOERR: output could not be written
inline constexpr int temp_failure = 75;   // EX_TEMPFAIL: another listener holds the registration
inline constexpr int no_permission = 77;  // EX_NOPERM
}  // namespace tether::exit_code
