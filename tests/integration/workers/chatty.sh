#!/bin/sh
# A plain worker that writes a line to standard output and one to standard error every 50 ms, each
# tagged with its generation, so a test can tell which start wrote into which log file.
# Bounded: it stops by itself after an hour.
line=0
while [ "$line" -lt 72000 ]; do
  line=$((line + 1))
  echo "stdout generation=$TETHER_GENERATION line=$line"
  echo "stderr generation=$TETHER_GENERATION line=$line" >&2
  sleep 0.05
done
