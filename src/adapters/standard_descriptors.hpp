#pragma once
// Descriptors 0, 1 and 2, made to exist before a binary opens anything. A parent that starts us with
// one of them closed hands that number to the next file we open (the shared segment, a pidfd, a launch
// gate), and what we then write "to stderr" lands there: a controller started with `<&- 2>&-` wrote
// its first log line over its own segment's magic number and shut down at once.

namespace tether {

// Opens /dev/null on each standard descriptor that is closed; false when that fails.
bool open_standard_descriptors();

}  // namespace tether
