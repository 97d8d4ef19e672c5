#!/bin/sh
# A plain worker as users write them: it starts two background children and, on SIGTERM, notes it and
# exits at once without stopping them. Only a supervisor that signals the whole process group (or kills
# what is left in it) leaves no orphan behind.
# Usage: two_children.sh PID_FILE [ignore-term]
#   PID_FILE      receives "SCRIPT_PID CHILD_PID CHILD_PID" once both children run (written atomically);
#                 PID_FILE.term receives a line per SIGTERM the script handles.
#   ignore-term   the children ignore SIGTERM, so only SIGKILL ends them.
pid_file=$1
trap 'echo term >> "$pid_file.term"; exit 0' TERM
if [ "$2" = ignore-term ]; then
  # An ignored signal stays ignored across exec: this sleep shrugs off SIGTERM.
  sh -c 'trap "" TERM; exec sleep 3600' &
  first=$!
  sh -c 'trap "" TERM; exec sleep 3600' &
  second=$!
else
  sleep 3600 &
  first=$!
  sleep 3600 &
  second=$!
fi
echo "$$ $first $second" > "$pid_file.tmp" && mv "$pid_file.tmp" "$pid_file"
# A trapped signal interrupts `wait`, so the trap runs as soon as SIGTERM arrives.
wait
