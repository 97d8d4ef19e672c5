#!/usr/bin/env bash
# Every path by which tether signals a recorded process, with that process dead and its PID held by a
# stranger. Runs as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc), where nothing else
# forks. The stranger is `setsid sleep 600` (its own process group), started through ns_last_pid with the
# dead process's PID and a later start time. Modes:
#   nudge        the controller is SIGKILLed and its PID handed on; `tether status` must not show the
#                stranger as the controller, nor `tether shutdown --wait` send it the SIGUSR1 meant for it.
#   collect      an adopted plain worker dies while its controller is stopped (SIGSTOP) and its PID is
#                handed on; resumed, the controller must not kill the "rest of the worker's group".
#   stop_signal  a plain worker's stop signal (--stop-signal TERM), for an adopted worker;
#   sigterm      a registered listener's SIGTERM escalation after the stop timeout, adopted;
#   sigkill      the SIGKILL escalation (the listener ignores SIGTERM), adopted;
#   watchdog     the watchdog's SIGKILL (the listener is SIGSTOPped, its heartbeat goes stale), adopted.
# In the last four the controller stops itself just before it signals (TETHER_FAILPOINTS
# before_terminate/before_kill=stop); the worker is killed and its PID handed on meanwhile; then the
# controller resumes and signals. Prints facts as key=value lines for the test to judge; exits non-zero
# only when the scenario could not be set up. Every process here dies with the namespace.
# Usage: signal_identity.sh BIN_DIR NAME MODE
set -u
bin=$1
name=$2
mode=$3
# shellcheck source=pid_namespace_lib.sh
. "$(dirname "$0")/pid_namespace_lib.sh"
first_log=$(mktemp)
second_log=$(mktemp)
trap 'cat "$first_log" "$second_log" >&2; rm -f "$first_log" "$second_log"' EXIT

listener=("$bin/tether-listener" --work-ms 50)
plain_options=(--ready-timeout-ms 100 --restart-delay-ms 10)
failpoints=""
case "$mode" in
  nudge) options=(); worker=("${listener[@]}") ;;
  collect) options=("${plain_options[@]}"); worker=(sleep infinity) ;;
  stop_signal) options=("${plain_options[@]}"); worker=(sleep infinity); failpoints=before_terminate=stop ;;
  sigterm)
    options=(--stop-timeout-ms 200 --stop-timeout-max-ms 200)
    worker=("$bin/tether-listener" --work-ms 600000)
    failpoints=before_terminate=stop ;;
  sigkill)
    options=(--stop-timeout-ms 200 --stop-timeout-max-ms 200 --kill-timeout-ms 200)
    worker=(/bin/sh -c "trap '' TERM; exec '$bin/tether-listener' --work-ms 600000")
    failpoints=before_kill=stop ;;
  watchdog) options=(--watchdog-ms 300); worker=("${listener[@]}"); failpoints=before_kill=stop ;;
  *) setup_failed "unknown mode $mode" ;;
esac

# Ready: a listener registered; a plain worker was judged plain (its ready timeout passed).
ready() {
  case "${worker[0]}" in
    sleep) grep -q 'treated_as=plain worker' "$first_log" ;;
    *) grep -q 'registered' "$first_log" && [ -n "$(status_pid)" ] ;;
  esac
}
controller_finished() { grep -q ' finished ' "$second_log"; }

"$bin/tether-controller" --name "$name" "${options[@]}" -- "${worker[@]}" 2>"$first_log" &
first_controller=$!
poll ready || setup_failed "the first worker never became ready"
worker_pid=$(status_pid)
[ -n "$worker_pid" ] || setup_failed "status shows no worker"
worker_start=$(start_time "$worker_pid")
controller_start=$(start_time "$first_controller")
# The worker is now an orphan of ours (PID 1): bash reaps it when it dies, which frees its PID.
kill -KILL "$first_controller"
wait "$first_controller" 2>/dev/null

if [ "$mode" = nudge ]; then
  stranger_takes_pid "$first_controller" "$controller_start"
  stale_controller=$(status_number controller_pid)
  echo "stale_status_controller_pid=${stale_controller:-none}"
  "$bin/tether" shutdown "$name" --wait --timeout-ms 15000 >"$second_log"
  echo "shutdown_exit=$?"
  echo "no_live_controller=$(grep -c 'no live controller' "$second_log")"
  report_stranger
  echo "segment_left=$([ -e "/dev/shm/tether.$name" ] && echo yes || echo no)"
  exit 0
fi

# A second controller adopts the orphaned worker; it is not its child, so once it dies its PID is free.
env TETHER_FAILPOINTS="$failpoints" "$bin/tether-controller" --name "$name" "${options[@]}" -- "${worker[@]}" \
  2>"$second_log" &
second_controller=$!
poll grep -q "adopted listener_pid=$worker_pid" "$second_log" || setup_failed "the worker was not adopted"

case "$mode" in
  collect) kill -STOP "$second_controller" ;;
  watchdog) kill -STOP "$worker_pid" ;;  # no more heartbeats: the watchdog fires
  *) "$bin/tether" shutdown "$name" >/dev/null || setup_failed "tether shutdown failed" ;;
esac
# Stopped by the test (collect) or by its failpoint, just before it signals the worker.
poll state_is "$second_controller" T || setup_failed "the controller did not stop"
kill -KILL "$worker_pid"
stranger_takes_pid "$worker_pid" "$worker_start"
kill -CONT "$second_controller"
poll grep -q "exited listener_pid=$worker_pid" "$second_log" || setup_failed "the worker's exit was not seen"
if ! controller_finished; then
  "$bin/tether" shutdown "$name" --wait --timeout-ms 15000 >/dev/null
  echo "shutdown_exit=$?"
fi
poll controller_finished || setup_failed "the controller did not finish"
# From its log, not from `wait`: pids come round again here (ns_last_pid was rewound), and bash forgets
# the status of a reaped child once one of its later children gets the same pid.
echo "controller_exit=$(sed -n 's/.* finished exit_code=\([0-9]*\).*/\1/p' "$second_log")"
echo "signal_lines=$(grep -cE "(stop_signalled|escalated|watchdog_fired) listener_pid=$worker_pid\b" "$second_log")"
report_stranger
echo "segment_left=$([ -e "/dev/shm/tether.$name" ] && echo yes || echo no)"
