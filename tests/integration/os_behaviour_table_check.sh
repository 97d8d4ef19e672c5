#!/bin/bash
# Keeps docs/SIMULATOR.md's table of the kernel behaviours the simulator assumes honest: every row names
# at least one test (`Suite.Test`) that the OS-behaviour test binary has, and every test of that binary
# is named by a row. Usage: os_behaviour_table_check.sh TEST_BINARY SIMULATOR_MD
set -euo pipefail
binary=$1
document=$2
heading='## The kernel the simulator assumes'

listed=$("$binary" --gtest_list_tests | awk '/^[^ ]/ {suite=$1; next} {print suite $1}')
[[ -n $listed ]] || { echo "FAIL: $binary lists no tests" >&2; exit 1; }

# The table rows of the section (from its heading to the next heading), header and rule left out.
rows=$(awk -v heading="$heading" '$0 == heading {inside=1; next} inside && /^## / {exit} inside && /^\|/' "$document" |
       tail -n +3)
[[ -n $rows ]] || { echo "FAIL: no table under '$heading' in $document" >&2; exit 1; }

failures=0
row_count=0
named=""
while IFS= read -r row; do
  row_count=$((row_count + 1))
  last_cell=$(awk -F'|' '{print $(NF-1)}' <<<"$row")
  # shellcheck disable=SC2016  # backticks to match, not to expand
  tests=$(grep -oE '`[A-Za-z0-9_]+\.[A-Za-z0-9_]+`' <<<"$last_cell" | tr -d '`' || true)
  if [[ -z $tests ]]; then
    echo "FAIL: row $row_count names no test: $row" >&2
    failures=$((failures + 1))
    continue
  fi
  for test in $tests; do
    named+="$test"$'\n'
    if ! grep -qxF "$test" <<<"$listed"; then
      echo "FAIL: row $row_count names $test, which $binary does not have" >&2
      failures=$((failures + 1))
    fi
  done
done <<<"$rows"

while IFS= read -r test; do
  if ! grep -qxF "$test" <<<"$named"; then
    echo "FAIL: $test is in no row of the table" >&2
    failures=$((failures + 1))
  fi
done <<<"$listed"

if ((failures > 0)); then exit 1; fi
echo "PASS: $row_count rows, each naming tests that exist; every test is in the table"
