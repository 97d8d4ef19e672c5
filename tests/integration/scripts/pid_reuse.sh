#!/bin/bash
# PID reuse for real. Runs as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc), where
# nothing else forks: a pair is started, both processes are SIGKILLed, the dead listener's PID is handed
# to an unrelated `sleep` through /proc/sys/kernel/ns_last_pid, and a new controller is started on the
# stale segment. Prints facts as key=value lines for the test to judge; exits non-zero only when the
# scenario could not be set up. Every process here dies with the namespace when this script ends.
# Usage: pid_reuse.sh BIN_DIR NAME
set -u
bin=$1
name=$2
first_log=$(mktemp)
second_log=$(mktemp)
trap 'rm -f "$first_log" "$second_log"' EXIT

setup_failed() {
  echo "setup_failed=$*"
  cat "$first_log" "$second_log" >&2
  exit 1
}

registered_pid() {
  "$bin/tether" status "$name" --json | sed -n 's/.*"listener_pid":\([0-9][0-9]*\).*/\1/p'
}

# Polls (every 50 ms, at most 20 s) until the command succeeds.
poll() {
  local attempt
  for attempt in $(seq 400); do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}

listener_registered() { listener=$(registered_pid); [ -n "$listener" ]; }
pid_free() { [ ! -e "/proc/$1" ]; }

"$bin/tether-controller" --name "$name" -- "$bin/tether-listener" --work-ms 50 2>"$first_log" &
first_controller=$!
poll listener_registered || setup_failed "no listener registered"
old_listener=$listener
old_start=$(sed 's/.*) //' "/proc/$old_listener/stat" | cut -d' ' -f20)

# The controller first, or it would restart the listener. The orphaned listener is then our child (we
# are PID 1 here), and bash reaps it, which frees its PID.
kill -KILL "$first_controller"
wait "$first_controller" 2>/dev/null
kill -KILL "$old_listener"
poll pid_free "$old_listener" || setup_failed "the dead listener's PID was not freed"

echo $((old_listener - 1)) >/proc/sys/kernel/ns_last_pid || setup_failed "cannot write ns_last_pid"
sleep 600 &
stranger=$!
[ "$stranger" -eq "$old_listener" ] || setup_failed "PID not reused: got $stranger, wanted $old_listener"
stranger_start=$(sed 's/.*) //' "/proc/$stranger/stat" | cut -d' ' -f20)
echo "old_listener=$old_listener"
echo "stranger=$stranger"
echo "start_times_differ=$([ "$stranger_start" != "$old_start" ] && echo yes || echo no)"

"$bin/tether-controller" --name "$name" -- "$bin/tether-listener" --work-ms 50 2>"$second_log" &
second_controller=$!
fresh_registered() { listener=$(registered_pid); [ -n "$listener" ] && [ "$listener" != "$stranger" ]; }
poll fresh_registered && echo "fresh_listener=$listener" || echo "fresh_listener=none"
echo "adopted_lines=$(grep -c 'adopted' "$second_log")"
echo "stale_cleared_lines=$(grep -c "stale_listener_cleared listener_pid=$old_listener" "$second_log")"
echo "launched_lines=$(grep -c 'launched listener_pid' "$second_log")"

"$bin/tether" shutdown "$name" --wait >/dev/null
echo "shutdown_exit=$?"
wait "$second_controller"
echo "controller_exit=$?"
# Still our `sleep`, never signalled: alive, not stopped, and with its own start time.
state=$(sed 's/.*) //' "/proc/$stranger/stat" 2>/dev/null | cut -d' ' -f1)
echo "stranger_state=${state:-gone}"
echo "stranger_same_start=$([ "$(sed 's/.*) //' "/proc/$stranger/stat" 2>/dev/null | cut -d' ' -f20)" = "$stranger_start" ] && echo yes || echo no)"
echo "segment_left=$([ -e "/dev/shm/tether.$name" ] && echo yes || echo no)"
cat "$second_log" >&2
kill -KILL "$stranger"
