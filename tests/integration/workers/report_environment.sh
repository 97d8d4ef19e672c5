#!/bin/sh
# A plain worker that reports where and with what it runs: it writes its physical working directory and
# its environment to REPORT_FILE (atomically, once per start, named by its generation), then waits.
# Usage: report_environment.sh REPORT_FILE
report=$1.$TETHER_GENERATION
{ echo "cwd=$(pwd -P)"; env; } > "$report.tmp" && mv "$report.tmp" "$report"
exec sleep 3600
