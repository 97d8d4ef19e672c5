#!/usr/bin/env bash
# Bounded chaos against the real binaries: several named pairs at once; for a fixed number of rounds,
# random faults (SIGKILL listeners and controllers, start controllers, some with crash failpoints, post
# shutdowns, SIGSTOP and SIGCONT; some pairs' listeners ignore SIGTERM, some pairs have a watchdog),
# then checks made from outside only (/proc and `tether status --json`):
#   - no name has two live listeners, nor two live controllers, once the round has settled;
#   - a listener the segment names as registered is one of the live listeners found in /proc;
#   - a posted shutdown is never lost: the pair ends (no listener, no controller) within a bound, and
#     no listener that did not exist at the post ever starts a unit (no relaunch);
#   - every controller exits with a code it may exit with (0, 73, or killed by us or its failpoint);
#   - at the end, `tether shutdown --wait` ends every pair and no process or segment is left.
# Choices come from CHAOS_SEED (printed; set it to rerun the same choices); timing is real, so a rerun
# replays the faults, not the exact interleaving.
# Usage: tests/chaos/chaos.sh BIN_DIR   (env: CHAOS_SEED, CHAOS_ROUNDS, CHAOS_PAIRS; CHAOS_VALIDATE=path of
# tether-sim: every pair's log must pass `tether-sim validate`)
set -uo pipefail

bin=$(cd "${1:?usage: chaos.sh BIN_DIR}" && pwd)
controller_bin=$bin/tether-controller
listener_bin=$bin/tether-listener
tether_bin=$bin/tether
for program in "$controller_bin" "$listener_bin" "$tether_bin"; do
  [ -x "$program" ] || { echo "chaos: $program is missing (build first)" >&2; exit 2; }
done

seed=${CHAOS_SEED:-$(((RANDOM << 15) | RANDOM))}
rounds=${CHAOS_ROUNDS:-40}
pairs=${CHAOS_PAIRS:-4}
RANDOM=$seed  # every choice below comes from this sequence

# Bounds of the settle checks. A pair stops within stop (400) + extension cap (1500) + kill (400) ms
# of its controller seeing the request; the rest is slack for a loaded two-core CI machine.
settle_ms=6000
shutdown_end_ms=12000

work=$(mktemp -d /tmp/tether-chaos.XXXXXX)
# Unique per run, not per pid: in ci/chaos's PID namespace every run is pid 1, and segment names are
# global (/dev/shm), so two runs at once would share names and fight over each other's pairs.
prefix="it-chaos-${work##*.}"
faults=0
declare -A fault_counts=()
violations=()

echo "chaos: seed=$seed rounds=$rounds pairs=$pairs (rerun: CHAOS_SEED=$seed)"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

violation() {
  violations+=("$*")
  echo "chaos: VIOLATION: $*"
}

count_fault() {
  faults=$((faults + 1))
  fault_counts[$1]=$((${fault_counts[$1]:-0} + 1))
}

# --- the pairs --------------------------------------------------------------------------------------
declare -a NAME WORK_MS IDLE_MS WATCHDOG_MS IGNORE_TERM POSTED POSTED_AT POSTED_PIDS POSTED_LINE POSTED_LINE_AFTER LAST_START_MS
generation=0

new_pair() {
  local slot=$1
  generation=$((generation + 1))
  NAME[$slot]="$prefix-$slot-$generation"
  WORK_MS[$slot]=$((20 + RANDOM % 180))
  IDLE_MS[$slot]=$((RANDOM % 2 == 0 ? 0 : RANDOM % 100))
  WATCHDOG_MS[$slot]=$((RANDOM % 2 == 0 ? 0 : 1500))
  IGNORE_TERM[$slot]=$((RANDOM % 3 == 0))
  POSTED[$slot]=0
  POSTED_AT[$slot]=0
  POSTED_PIDS[$slot]=""
  POSTED_LINE[$slot]=0
  POSTED_LINE_AFTER[$slot]=0
  LAST_START_MS[$slot]=0
}

log_lines() { wc -l <"$work/${NAME[$1]}.log" 2>/dev/null || echo 0; }

started_controllers=0  # each leaves "CODE NAME" in $work/exits when it ends, to be checked at the end

start_controller() {
  local slot=$1 failpoints=${2:-}
  local name=${NAME[$slot]}
  LAST_START_MS[$slot]=$(now_ms)
  local -a listener=("$listener_bin" --work-ms "${WORK_MS[$slot]}" --idle-ms "${IDLE_MS[$slot]}" --heartbeat-ms 20)
  # SIG_IGN survives exec: such a listener ignores SIGTERM, and a stop ends only by SIGKILL escalation.
  [ "${IGNORE_TERM[$slot]}" -eq 1 ] && listener=(/bin/sh -c 'trap "" TERM; exec "$@"' sh "${listener[@]}")
  local -a command=("$controller_bin" --name "$name" --restart-delay-ms 10 --restart-delay-max-ms 200
    --start-limit 1000 --start-limit-interval-ms 1000 --stop-timeout-ms 400 --kill-timeout-ms 400
    --stop-timeout-max-ms 1500 --watchdog-ms "${WATCHDOG_MS[$slot]}" -- "${listener[@]}")
  [ -n "$failpoints" ] && command=(env TETHER_FAILPOINTS="$failpoints" "${command[@]}")
  # A subshell waits for the controller and records how it ended; its stderr (where bash announces a
  # killed child) is not the controller's. To the scan it is neither a listener nor a controller.
  (
    "${command[@]}" </dev/null >/dev/null 2>>"$work/$name.log"
    echo "$? $name $BASHPID" >>"$work/exits"
  ) 2>/dev/null &
  echo "$! $name${failpoints:+ $failpoints}" >>"$work/starts"
  started_controllers=$((started_controllers + 1))
}

# --- looking from outside ---------------------------------------------------------------------------
# One pass over /proc: LISTENERS[name] and CONTROLLERS[name] hold the live (not zombie) pids of our
# binaries, listeners found by TETHER_NAME in their environment, controllers by --name on their command
# line. Builtins only: no fork per process.
declare -A LISTENERS CONTROLLERS STATES
scan() {
  LISTENERS=()
  CONTROLLERS=()
  STATES=()
  local dir pid stat rest state name index
  local -a words
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    if [[ $dir/exe -ef $listener_bin ]]; then
      mapfile -d '' -t words 2>/dev/null <"$dir/environ" || continue
      name=""
      for index in "${!words[@]}"; do
        [[ ${words[$index]} == TETHER_NAME=* ]] && name=${words[$index]#TETHER_NAME=}
      done
      [[ $name == "$prefix"-* ]] || continue
      read -r stat 2>/dev/null <"$dir/stat" || continue
      rest=${stat##*) }
      state=${rest%% *}
      [[ $state == Z || $state == X ]] && continue
      LISTENERS[$name]="${LISTENERS[$name]:-} $pid"
      STATES[$pid]=$state
    elif [[ $dir/exe -ef $controller_bin ]]; then
      mapfile -d '' -t words 2>/dev/null <"$dir/cmdline" || continue
      name=""
      for index in "${!words[@]}"; do
        [[ ${words[$index]} == --name ]] && name=${words[$((index + 1))]:-}
      done
      [[ $name == "$prefix"-* ]] || continue
      read -r stat 2>/dev/null <"$dir/stat" || continue
      rest=${stat##*) }
      state=${rest%% *}
      [[ $state == Z || $state == X ]] && continue
      CONTROLLERS[$name]="${CONTROLLERS[$name]:-} $pid"
      STATES[$pid]=$state
    fi
  done
}

count() { set -- $1; echo $#; }

# What a left process was doing, for the report: state, parent, kernel wait channel, and whether it is
# a worker still held at its gate (a controller's fork that has not exec'd yet looks like a controller).
describe() {
  local pid stat rest
  for pid in $1; do
    read -r stat 2>/dev/null <"/proc/$pid/stat" || { echo -n " $pid(gone)"; continue; }
    rest=${stat##*) }
    set -- $rest
    echo -n " $pid(state=$1 ppid=$2 pgid=$3 wchan=$(cat "/proc/$pid/wchan" 2>/dev/null) parent=$(tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | cut -c1-60))"
  done
}

random_pid() {
  local -a pids=($1)
  [ ${#pids[@]} -gt 0 ] && echo "${pids[$((RANDOM % ${#pids[@]}))]}"
}

registered_listener() {
  "$tether_bin" status "$1" --json 2>/dev/null | sed -n 's/.*"listener_pid":\([0-9][0-9]*\).*/\1/p'
}

stopped=()
continue_all() {
  local pid
  for pid in "${stopped[@]}"; do kill -CONT "$pid" 2>/dev/null; done
  stopped=()
}

# --- one fault --------------------------------------------------------------------------------------
inject() {
  local slot=$((RANDOM % pairs))
  local name=${NAME[$slot]}
  local pid
  scan
  case $((RANDOM % 12)) in
    0 | 1 | 2)
      pid=$(random_pid "${LISTENERS[$name]:-}") && kill -KILL "$pid" 2>/dev/null && count_fault kill_listener
      ;;
    3 | 4)
      pid=$(random_pid "${CONTROLLERS[$name]:-}") && kill -KILL "$pid" 2>/dev/null && count_fault kill_controller
      ;;
    5 | 6 | 7)
      local failpoints=""
      local pick=$((RANDOM % 6))
      [ "$pick" -eq 0 ] && failpoints=after_spawn=crash
      [ "$pick" -eq 1 ] && failpoints=mid_init=crash
      if [ "${POSTED[$slot]}" -eq 0 ]; then
        start_controller "$slot" "$failpoints"
        count_fault "start_controller${failpoints:+_crashing_${failpoints%%=*}}"
      elif [ "$(count "${CONTROLLERS[$name]:-}")" -eq 0 ] && [ -e "/dev/shm/tether.$name" ] &&
        [ $(($(now_ms) - LAST_START_MS[slot])) -ge 500 ]; then
        # After a shutdown, only while its request is still in the segment and no controller is about:
        # otherwise the name may be free again and a new controller rightly starts a new pair.
        start_controller "$slot"
        count_fault start_controller_after_shutdown
      fi
      ;;
    8)
      if [ "${POSTED[$slot]}" -eq 0 ]; then
        local before=" ${LISTENERS[$name]:-} " line_before
        line_before=$(log_lines "$slot")
        if "$tether_bin" shutdown "$name" >/dev/null 2>&1; then
          POSTED[$slot]=1
          POSTED_AT[$slot]=$(now_ms)
          POSTED_PIDS[$slot]=$before
          POSTED_LINE[$slot]=$line_before
          POSTED_LINE_AFTER[$slot]=$(log_lines "$slot")
          count_fault shutdown
        fi
      fi
      ;;
    9 | 10)
      pid=$(random_pid "${LISTENERS[$name]:-} ${CONTROLLERS[$name]:-}") && kill -STOP "$pid" 2>/dev/null &&
        stopped+=("$pid") && count_fault stop
      ;;
    11)
      [ ${#stopped[@]} -gt 0 ] && pid=${stopped[$((RANDOM % ${#stopped[@]}))]} && kill -CONT "$pid" 2>/dev/null &&
        count_fault continue
      ;;
  esac
  return 0
}

# --- checks after a round ---------------------------------------------------------------------------
# Polls (25 ms) until `condition slot` holds or `bound_ms` passes; the final scan stays in LISTENERS.
settle() {
  local condition=$1 slot=$2 bound_ms=$3
  local deadline=$(($(now_ms) + bound_ms))
  while :; do
    scan
    "$condition" "$slot" && return 0
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.025
  done
}

at_most_one_each() {
  local name=${NAME[$1]}
  [ "$(count "${LISTENERS[$name]:-}")" -le 1 ] && [ "$(count "${CONTROLLERS[$name]:-}")" -le 1 ]
}

# No process left, and none of ours can still be on its way (forked, not yet exec'd).
pair_ended() {
  local name=${NAME[$1]}
  [ "$(count "${LISTENERS[$name]:-}")" -eq 0 ] && [ "$(count "${CONTROLLERS[$name]:-}")" -eq 0 ] &&
    [ $(($(now_ms) - LAST_START_MS[$1])) -ge 300 ]
}

# Listeners that did not exist when the shutdown was posted: at most one spawn can have been in flight
# across the post, and it must see the request before its first unit.
check_no_relaunch() {
  local slot=$1 round=$2
  local name=${NAME[$slot]}
  local log=$work/$name.log
  local pid late=0 registered_line unit_line
  for pid in $(grep -o "tether-listener\[[0-9]*\] $name: registered" "$log" 2>/dev/null | grep -o '[0-9][0-9]*' | sort -u); do
    [[ ${POSTED_PIDS[$slot]} == *" $pid "* ]] && continue
    # Only listeners that registered after the post began count; earlier ones are gone or were listed.
    registered_line=$(grep -n "tether-listener\[$pid\] $name: registered" "$log" | head -1 | cut -d: -f1)
    [ "${registered_line:-0}" -gt "${POSTED_LINE[$slot]}" ] || continue
    late=$((late + 1))
    unit_line=$(grep -n "tether-listener\[$pid\] $name: unit_started" "$log" | tail -1 | cut -d: -f1)
    if [ "${unit_line:-0}" -gt "${POSTED_LINE_AFTER[$slot]}" ]; then
      violation "round $round: $name: listener $pid started a unit after the shutdown was posted"
    fi
  done
  [ "$late" -le 1 ] || violation "round $round: $name: $late listeners registered after the shutdown (relaunch)"
}

check_round() {
  local round=$1 slot name registered
  continue_all
  for slot in $(seq 0 $((pairs - 1))); do
    name=${NAME[$slot]}
    if ! settle at_most_one_each "$slot" "$settle_ms"; then
      violation "round $round: $name: listeners [${LISTENERS[$name]:-}] controllers [${CONTROLLERS[$name]:-}] after ${settle_ms} ms"
    fi
    # A scan before and after the status: a listener dying or born meanwhile is in one of them.
    local seen_before=" ${LISTENERS[$name]:-} "
    registered=$(registered_listener "$name")
    if [ -n "$registered" ]; then
      scan
      [[ "$seen_before ${LISTENERS[$name]:-} " == *" $registered "* ]] ||
        violation "round $round: $name: the segment names listener $registered, /proc has [$seen_before]"
    fi
    if [ "${POSTED[$slot]}" -eq 1 ]; then
      local left_ms=$((POSTED_AT[$slot] + shutdown_end_ms - $(now_ms)))
      [ "$left_ms" -lt 2000 ] && left_ms=2000  # a stop (SIGSTOP) may have held it until this round's end
      if settle pair_ended "$slot" "$left_ms"; then
        check_no_relaunch "$slot" "$round"
        retire "$slot" "$round"
      else
        violation "round $round: $name: shutdown posted, still listeners [$(describe "${LISTENERS[$name]:-}")] controllers [$(describe "${CONTROLLERS[$name]:-}")]"
      fi
    fi
  done
}

# An ended pair may leave its segment when no controller saw the request; a new controller must then
# finish at once (exit 0) without launching, and remove it. Then the slot gets a fresh name.
retire() {
  local slot=$1 round=$2
  local name=${NAME[$slot]}
  if [ -e "/dev/shm/tether.$name" ]; then
    local log=$work/$name.log launched_before launched_after code
    launched_before=$(grep -c "tether-controller\[[0-9]*\] $name: launched" "$log" 2>/dev/null)
    timeout 20 "$controller_bin" --name "$name" -- "$listener_bin" </dev/null >/dev/null 2>>"$log"
    code=$?
    launched_after=$(grep -c "tether-controller\[[0-9]*\] $name: launched" "$log" 2>/dev/null)
    [ "$code" -eq 0 ] || violation "round $round: $name: a controller on the ended pair exited $code"
    [ "$launched_after" -eq "$launched_before" ] || violation "round $round: $name: relaunched after the shutdown"
    [ -e "/dev/shm/tether.$name" ] && violation "round $round: $name: segment left after the pair ended"
  fi
  new_pair "$slot"
  start_controller "$slot"
}

# --- the run ----------------------------------------------------------------------------------------
for slot in $(seq 0 $((pairs - 1))); do
  new_pair "$slot"
  start_controller "$slot"
done

started_ms=$(now_ms)
rounds_run=0
for round in $(seq 1 "$rounds"); do
  for _ in $(seq 1 $((3 + RANDOM % 5))); do
    inject
    sleep "$(printf '0.%03d' $((RANDOM % 150)))"  # fault spacing, part of the randomised schedule
  done
  check_round "$round"
  rounds_run=$round
  # A broken pair would make every later round wait out its bounds: report what we have instead.
  [ ${#violations[@]} -eq 0 ] || break
done

# --- the end: every pair shut down through the front door, nothing left ------------------------------
# A controller that has just started may still be initialising its segment: let it finish first.
initialised_or_uncontrolled() {
  local name=${NAME[$1]}
  [ $(($(now_ms) - LAST_START_MS[$1])) -ge 300 ] || return 1
  [ "$(count "${CONTROLLERS[$name]:-}")" -eq 0 ] && return 0
  ! "$tether_bin" status "$name" --json 2>/dev/null | grep -q '"state":"none"'
}
continue_all
for slot in $(seq 0 $((pairs - 1))); do
  name=${NAME[$slot]}
  settle initialised_or_uncontrolled "$slot" "$settle_ms"
  [ -e "/dev/shm/tether.$name" ] || continue
  if [ "$(count "${CONTROLLERS[$name]:-}")" -eq 0 ] &&
    "$tether_bin" status "$name" --json 2>/dev/null | grep -q '"state":"none"'; then
    # Left half-initialised by a controller crashed at mid_init, with nobody to recover it: a segment
    # that no live process owns is for `tether clean`.
    "$tether_bin" clean "$name" >/dev/null 2>>"$work/$name.log" ||
      violation "end: $name: tether clean of a half-initialised segment failed"
    continue
  fi
  "$tether_bin" shutdown "$name" --wait --timeout-ms 15000 >/dev/null 2>>"$work/$name.log"
  code=$?
  case $code in
    0 | 66) ;;  # stopped, or its controller removed the segment in the meantime
    *) violation "end: $name: tether shutdown --wait exited $code" ;;
  esac
done
for slot in $(seq 0 $((pairs - 1))); do
  settle pair_ended "$slot" "$settle_ms" || violation "end: ${NAME[$slot]}: processes left after the shutdown"
done
# Anything still running is a violation; kill it (again, should a controller launch meanwhile), or the
# wait below would never return.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  scan
  [ ${#LISTENERS[@]} -eq 0 ] && [ ${#CONTROLLERS[@]} -eq 0 ] && break
  for name in "${!LISTENERS[@]}" "${!CONTROLLERS[@]}"; do
    [ "$attempt" -eq 1 ] && violation "end: $name: process left:$(describe "${LISTENERS[$name]:-} ${CONTROLLERS[$name]:-}")"
    for pid in ${CONTROLLERS[$name]:-} ${LISTENERS[$name]:-}; do kill -KILL "$pid" 2>/dev/null; done
  done
  sleep 0.1
done
wait  # every controller's subshell, each of whose controllers has ended by now
ended_controllers=0
while read -r code name _; do
  ended_controllers=$((ended_controllers + 1))
  case $code in
    0 | 73 | 137) ;;  # graceful, name held by another, killed (by us or by its crash failpoint)
    *) violation "a controller of $name exited $code" ;;
  esac
done <"$work/exits"
if [ "$ended_controllers" -ne "$started_controllers" ]; then
  violation "end: $started_controllers controllers started, $ended_controllers reported an exit"
  while read -r subshell name failpoints; do
    grep -q " $subshell\$" "$work/exits" || violation "end: the subshell $subshell of a controller of $name${failpoints:+ ($failpoints)} reported no exit"
  done <"$work/starts"
fi
for segment in /dev/shm/tether."$prefix"-*; do
  [ -e "$segment" ] || continue
  violation "end: segment left: $segment"
  rm -f "$segment"
done

# Trace validation (docs/SIMULATOR.md): each pair's log must be a history the cores allow.
if [ -n "${CHAOS_VALIDATE:-}" ]; then
  validated=0
  silent=0
  for log in "$work"/*.log; do
    [ -e "$log" ] || continue
    # A pair whose every controller crashed before its first line (mid_init) has no events to check.
    if ! grep -q -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$log"; then
      silent=$((silent + 1))
      continue
    fi
    "$CHAOS_VALIDATE" validate "$log" >/dev/null 2>"$work/validate.out" || violation "trace: $(cat "$work/validate.out")"
    validated=$((validated + 1))
  done
  echo "chaos: $validated pair logs validated as traces ($silent without events)"
fi

summary=""
for kind in "${!fault_counts[@]}"; do summary+=" $kind=${fault_counts[$kind]}"; done
echo "chaos: seed=$seed rounds=$rounds_run/$rounds pairs=$pairs faults=$faults ($(echo $summary | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')) violations=${#violations[@]} time=$((($(now_ms) - started_ms) / 1000))s"
if [ ${#violations[@]} -gt 0 ]; then
  echo "chaos: logs kept in $work (rerun: CHAOS_SEED=$seed)"
  # CI keeps only this output: show what the logs hold besides event lines (assertions, uncaught
  # exceptions, sanitizer reports), bounded.
  grep -v -H -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$work"/*.log 2>/dev/null | head -40 | sed 's/^/chaos: log: /'
  exit 1
fi
rm -rf "$work"
exit 0
