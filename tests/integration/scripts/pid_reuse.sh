#!/usr/bin/env bash
# PID reuse for real. Runs as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc), where
# nothing else forks: a pair is started, both processes are SIGKILLed, the dead worker's PID is handed to
# an unrelated `sleep` through /proc/sys/kernel/ns_last_pid, and a new controller is started on the
# stale segment. MODE `listener`: the worker is tether-listener (it registers); MODE `plain`: it is
# `sleep infinity`, which never registers, so only the controller's launched identity records it.
# Prints facts as key=value lines for the test to judge; exits non-zero only when the scenario could not
# be set up. Every process here dies with the namespace when this script ends.
# Usage: pid_reuse.sh BIN_DIR NAME MODE
set -u
bin=$1
name=$2
mode=$3
first_log=$(mktemp)
second_log=$(mktemp)
trap 'rm -f "$first_log" "$second_log"' EXIT

case "$mode" in
  listener) worker=("$bin/tether-listener" --work-ms 50); options=() ;;
  plain) worker=(sleep infinity); options=(--ready-timeout-ms 100 --restart-delay-ms 10) ;;
  *) echo "setup_failed=unknown mode $mode"; exit 1 ;;
esac

setup_failed() {
  echo "setup_failed=$*"
  cat "$first_log" "$second_log" >&2
  exit 1
}

# The pid `tether status` shows (registered listener, or unregistered launched worker), or nothing.
status_pid() {
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

# Ready: a listener registered; a plain worker was judged plain (its ready timeout passed).
ready() {
  if [ "$mode" = plain ]; then grep -q 'treated_as=plain worker' "$1"; else [ -n "$(status_pid)" ]; fi
}
pid_free() { [ ! -e "/proc/$1" ]; }
# Start times count clock ticks (10 ms): a stranger started in the worker's own tick would carry its
# very identity, which no pid+start-time check can tell apart. /proc/self is the reading sed: now.
later_tick() { [ "$(sed 's/.*) //' /proc/self/stat | cut -d' ' -f20)" -gt "$1" ]; }

"$bin/tether-controller" --name "$name" "${options[@]}" -- "${worker[@]}" 2>"$first_log" &
first_controller=$!
poll ready "$first_log" || setup_failed "the first worker never became ready"
old=$(status_pid)
[ -n "$old" ] || setup_failed "status shows no worker"
old_start=$(sed 's/.*) //' "/proc/$old/stat" | cut -d' ' -f20)

# The controller first, or it would restart the worker. The orphaned worker is then our child (we are
# PID 1 here), and bash reaps it, which frees its PID.
kill -KILL "$first_controller"
wait "$first_controller" 2>/dev/null
kill -KILL "$old"
poll pid_free "$old" || setup_failed "the dead worker's PID was not freed"
poll later_tick "$old_start" || setup_failed "the clock did not tick"

echo $((old - 1)) >/proc/sys/kernel/ns_last_pid || setup_failed "cannot write ns_last_pid"
sleep 600 &
stranger=$!
[ "$stranger" -eq "$old" ] || setup_failed "PID not reused: got $stranger, wanted $old"
stranger_start=$(sed 's/.*) //' "/proc/$stranger/stat" | cut -d' ' -f20)
echo "old=$old"
echo "stranger=$stranger"
echo "start_times_differ=$([ "$stranger_start" != "$old_start" ] && echo yes || echo no)"
stale_status=$(status_pid)
echo "stale_status_pid=${stale_status:-none}"

"$bin/tether-controller" --name "$name" "${options[@]}" -- "${worker[@]}" 2>"$second_log" &
second_controller=$!
fresh_ready() { ready "$second_log" && fresh=$(status_pid) && [ -n "$fresh" ] && [ "$fresh" != "$stranger" ]; }
poll fresh_ready && echo "fresh=$fresh" || echo "fresh=none"
echo "adopted_lines=$(grep -c 'adopted' "$second_log")"
echo "stale_cleared_lines=$(grep -c "stale_listener_cleared listener_pid=$old" "$second_log")"
echo "launched_lines=$(grep -c 'launched listener_pid' "$second_log")"

"$bin/tether" shutdown "$name" --wait >/dev/null
echo "shutdown_exit=$?"
wait "$second_controller"
echo "controller_exit=$?"
echo "signalled_stranger_lines=$(grep -cE "(stop_signalled|escalated) listener_pid=$stranger\b" "$second_log")"
# Still our `sleep`, never signalled: alive, not stopped, and with its own start time.
state=$(sed 's/.*) //' "/proc/$stranger/stat" 2>/dev/null | cut -d' ' -f1)
echo "stranger_state=${state:-gone}"
echo "stranger_same_start=$([ "$(sed 's/.*) //' "/proc/$stranger/stat" 2>/dev/null | cut -d' ' -f20)" = "$stranger_start" ] && echo yes || echo no)"
echo "segment_left=$([ -e "/dev/shm/tether.$name" ] && echo yes || echo no)"
cat "$second_log" >&2
kill -KILL "$stranger"
