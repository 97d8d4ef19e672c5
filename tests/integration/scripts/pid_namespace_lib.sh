# shellcheck shell=bash
# Helpers for scripts that run as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc),
# where nothing else forks: bounded polling, start times, and handing a dead process's PID to a stranger
# through /proc/sys/kernel/ns_last_pid. Sourced by bash scripts; `bin` and `name` must be set.
# shellcheck disable=SC2154 # bin and name are the sourcing script's

# Polls (every 50 ms, at most 20 s) until the command succeeds.
poll() {
  local _
  for _ in $(seq 400); do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}

# Field N (3 = state, 5 = process group, 22 = start time) of /proc/PID/stat, counted after the LAST ')':
# the command name may hold spaces and parentheses. Empty when the process is gone.
stat_field() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f$(($2 - 2)); }
start_time() { stat_field "$1" 22; }
state_is() { [ "$(stat_field "$1" 3)" = "$2" ]; }
pid_free() { [ ! -e "/proc/$1" ]; }
# Start times count clock ticks (10 ms): a stranger started in the dead process's own tick would carry
# its very identity, which no pid+start-time check can tell apart. /proc/self is the reading sed: now.
later_tick() { [ "$(start_time self)" -gt "$1" ]; }

# A pid `tether status --json` shows (KEY listener_pid: the registered listener, or the unregistered
# launched worker; controller_pid), or nothing when it shows null.
status_number() { "$bin/tether" status "$name" --json | sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p"; }
status_pid() { status_number listener_pid; }

setup_failed() {
  echo "setup_failed=$*"
  exit 1
}

# Once process OLD (started at tick OLD_START) has died and been reaped, starts `sleep 600` as a
# stranger with the same PID, leading a process group and session of its own (setsid: what a daemon
# does), so that a signal to the group -OLD would reach it too. Sets `stranger` and `stranger_start`
# and prints old=, stranger=, start_times_differ=.
stranger_takes_pid() {
  local old=$1 old_start=$2
  poll pid_free "$old" || setup_failed "the dead process's PID $old was not freed"
  poll later_tick "$old_start" || setup_failed "the clock did not tick"
  echo $((old - 1)) >/proc/sys/kernel/ns_last_pid || setup_failed "cannot write ns_last_pid"
  setsid sleep 600 &
  stranger=$!
  [ "$stranger" -eq "$old" ] || setup_failed "PID not reused: got $stranger, wanted $old"
  poll state_is "$stranger" S || setup_failed "the stranger did not start"
  stranger_start=$(start_time "$stranger")
  echo "old=$old"
  echo "stranger=$stranger"
  echo "start_times_differ=$([ "$stranger_start" != "$old_start" ] && echo yes || echo no)"
  echo "stranger_group=$(stat_field "$stranger" 5)"
}

# Prints stranger_state= (S: sleeping as before, neither stopped nor killed) and stranger_same_start=.
report_stranger() {
  local state now_start
  state=$(stat_field "$stranger" 3)
  now_start=$(start_time "$stranger")
  echo "stranger_state=${state:-gone}"
  echo "stranger_same_start=$([ "$now_start" = "$stranger_start" ] && echo yes || echo no)"
}
