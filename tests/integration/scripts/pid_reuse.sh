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
# shellcheck source=pid_namespace_lib.sh
. "$(dirname "$0")/pid_namespace_lib.sh"
first_log=$(mktemp)
second_log=$(mktemp)
trap 'rm -f "$first_log" "$second_log"' EXIT

case "$mode" in
  listener) worker=("$bin/tether-listener" --work-ms 50); options=() ;;
  plain) worker=(sleep infinity); options=(--ready-timeout-ms 100 --restart-delay-ms 10) ;;
  *) setup_failed "unknown mode $mode" ;;
esac

# Ready: a listener registered; a plain worker was judged plain (its ready timeout passed).
ready() {
  if [ "$mode" = plain ]; then grep -q 'treated_as=plain worker' "$1"; else [ -n "$(status_pid)" ]; fi
}

"$bin/tether-controller" --name "$name" "${options[@]}" -- "${worker[@]}" 2>"$first_log" &
first_controller=$!
poll ready "$first_log" || { cat "$first_log" >&2; setup_failed "the first worker never became ready"; }
old=$(status_pid)
[ -n "$old" ] || setup_failed "status shows no worker"
old_start=$(start_time "$old")

# The controller first, or it would restart the worker. The orphaned worker is then our child (we are
# PID 1 here), and bash reaps it, which frees its PID.
kill -KILL "$first_controller"
wait "$first_controller" 2>/dev/null
kill -KILL "$old"
stranger_takes_pid "$old" "$old_start"
stale_status=$(status_pid)
echo "stale_status_pid=${stale_status:-none}"

"$bin/tether-controller" --name "$name" "${options[@]}" -- "${worker[@]}" 2>"$second_log" &
fresh_ready() { ready "$second_log" && fresh=$(status_pid) && [ -n "$fresh" ] && [ "$fresh" != "$stranger" ]; }
poll fresh_ready && echo "fresh=$fresh" || echo "fresh=none"
echo "adopted_lines=$(grep -c 'adopted' "$second_log")"
echo "stale_cleared_lines=$(grep -c "stale_listener_cleared listener_pid=$old" "$second_log")"
echo "launched_lines=$(grep -c 'launched listener_pid' "$second_log")"

"$bin/tether" shutdown "$name" --wait >/dev/null
echo "shutdown_exit=$?"
# From its log, not from `wait`: pids come round again here (ns_last_pid was rewound), and bash forgets
# the status of a reaped child once one of its later children gets the same pid.
poll grep -q ' finished ' "$second_log"
echo "controller_exit=$(sed -n 's/.* finished exit_code=\([0-9]*\).*/\1/p' "$second_log")"
echo "signalled_stranger_lines=$(grep -cE "(stop_signalled|escalated) listener_pid=$stranger\b" "$second_log")"
# Still our `sleep`, never signalled: alive, not stopped, and with its own start time.
report_stranger
echo "segment_left=$([ -e "/dev/shm/tether.$name" ] && echo yes || echo no)"
cat "$second_log" >&2
