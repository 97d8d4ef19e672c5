// Goal: packing an identity into one word loses nothing over the full pid and start-time ranges, and
// no two identities share a word. Method: generated pids and start times, biased towards the limits.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>

#include "core/process_identity.hpp"

namespace {

using tether::ProcessIdentity;

rc::Gen<std::int32_t> valid_pid() {
  const auto pid_max = static_cast<std::int32_t>(ProcessIdentity::pid_max);
  return rc::gen::oneOf(rc::gen::inRange<std::int32_t>(1, pid_max + 1),
                        rc::gen::element<std::int32_t>(1, 2, 300, 32767, 32768, pid_max - 1, pid_max));
}

rc::Gen<std::uint64_t> valid_start_time() {
  constexpr std::uint64_t ticks_max = ProcessIdentity::start_time_ticks_max;
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::arbitrary<std::uint64_t>(), [](std::uint64_t ticks) { return ticks & ticks_max; }),
      rc::gen::element<std::uint64_t>(0, 1, ticks_max - 1, ticks_max));
}

ProcessIdentity identity(std::int32_t pid, std::uint64_t start_time_ticks) {
  ProcessIdentity result;
  result.pid = pid;
  result.start_time_ticks = start_time_ticks;
  return result;
}

}  // namespace

RC_GTEST_PROP(ProcessIdentityProperty, PackUnpackRoundTrips, ()) {
  const ProcessIdentity original = identity(*valid_pid(), *valid_start_time());
  const std::uint64_t word = original.pack();
  RC_ASSERT(word != 0u);  // 0 is reserved for "nobody"
  RC_ASSERT(ProcessIdentity::unpack(word) == original);
}

RC_GTEST_PROP(ProcessIdentityProperty, DistinctIdentitiesPackToDistinctWords, ()) {
  const ProcessIdentity a = identity(*valid_pid(), *valid_start_time());
  const ProcessIdentity b = identity(*valid_pid(), *valid_start_time());
  RC_ASSERT((a == b) == (a.pack() == b.pack()));
}

RC_GTEST_PROP(ProcessIdentityProperty, SamePidDifferentStartTimeIsAnotherProcess, ()) {
  // PID reuse: a stranger with our pid must never be mistaken for us.
  const std::int32_t pid = *valid_pid();
  const std::uint64_t ticks = *valid_start_time();
  const std::uint64_t other_ticks = *rc::gen::distinctFrom(valid_start_time(), ticks);
  RC_ASSERT(identity(pid, ticks).pack() != identity(pid, other_ticks).pack());
}

RC_GTEST_PROP(ProcessIdentityProperty, InvalidIdentitiesPackToZero, ()) {
  const auto pid = *rc::gen::inRange<std::int32_t>(INT32_MIN, 1);
  RC_ASSERT(identity(pid, *valid_start_time()).pack() == 0u);
}

RC_GTEST_PROP(ProcessIdentityProperty, EveryWordWithAPidRoundTrips, (std::uint64_t word)) {
  // Any word read from a (possibly tampered) segment unpacks to at most one identity: if it names a
  // pid, packing that identity gives the same word back; if not, it is the empty identity's pid 0.
  const ProcessIdentity unpacked = ProcessIdentity::unpack(word);
  RC_ASSERT(unpacked.pid >= 0);
  RC_ASSERT(static_cast<std::uint64_t>(unpacked.pid) <= ProcessIdentity::pid_max);
  if (unpacked.valid()) {
    RC_ASSERT(unpacked.pack() == word);
  } else {
    RC_ASSERT((word & ProcessIdentity::pid_max) == 0u);
  }
}
