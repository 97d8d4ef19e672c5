#!/bin/sh
# A plain worker as wrappers are written: the real work runs in a child that handles SIGTERM (it notes it
# in DIR/child.term and exits); the script ignores SIGTERM and waits for the child. A stop signal sent to
# the whole process group reaches the child and the pair ends at once; sent to the script alone it is
# lost, and only SIGKILL at the kill timeout ends the pair, the child's handler never run.
# Usage: term_in_child.sh DIR   (DIR/child.pid appears once the child's handler is installed)
dir=$1
sh -c 'trap "echo term > \"$1/child.term\"; exit 0" TERM
       echo $$ > "$1/child.pid.tmp" && mv "$1/child.pid.tmp" "$1/child.pid"
       while :; do sleep 1; done' child "$dir" &
# Ignored only now: a child forked after it would inherit SIG_IGN, which sh may not trap again.
trap '' TERM
wait
