#!/usr/bin/env bash
# Goal: the campaign entry point (scripts/campaign-shard) run as K separate processes, with the index a
# Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm array (SLURM_ARRAY_TASK_ID) gives, merges
# into the same campaign as one run over the same seeds; a shard whose process fails is recorded and
# reported by the merge, never dropped; bad indices are refused. Method: real processes in a scratch
# directory, compared with python3's JSON reader. Usage: campaign_shard_test.sh TETHER_SIM REPO_ROOT
set -euo pipefail
sim=$1
root=$2
entry="$root/scripts/campaign-shard"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tether-campaign-test.XXXXXX")
pids=()
# Nothing is left behind, even when a check fails: the shards' processes and the scratch directory.
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

export TETHER_SIM=$sim CAMPAIGN_SEEDS=900 CAMPAIGN_SEED_START=11 CAMPAIGN_SHARDS=3
export CAMPAIGN_ARGS="--mutant registration_clears_shutdown --check-determinism 50"
unset JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN CAMPAIGN_SHARD_INDEX

# Three shards at once: two as Kubernetes pods, one as the third task of a Slurm array that starts at 1.
export CAMPAIGN_OUT="$scratch/sharded"
JOB_COMPLETION_INDEX=0 timeout 120 "$entry" >/dev/null & pids+=($!)
JOB_COMPLETION_INDEX=1 timeout 120 "$entry" >/dev/null & pids+=($!)
# The Slurm task runs through the Slurm script itself, as sbatch would run it.
SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_ID=3 SLURM_CPUS_PER_TASK=1 TETHER_REPO=$root \
  timeout 120 bash "$root/docs/campaign/slurm-array.sh" >/dev/null & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid" || fail "a shard exited $?"; done
pids=()
for index in 0 1 2; do [ -s "$CAMPAIGN_OUT/shard-$index.json" ] || fail "shard $index wrote no summary"; done
code=0
timeout 60 "$entry" merge >"$scratch/merge.out" || code=$?
[ "$code" -eq 1 ] || fail "the merge of a planted bug's campaign exited $code, not 1"
grep -q '^shards: 3 of 3 ran' "$scratch/merge.out" || fail "merge output: $(cat "$scratch/merge.out")"
[ -s "$CAMPAIGN_OUT/report.md" ] || fail "no report"
[ -s "$CAMPAIGN_OUT/plot-coverage.dat" ] || fail "no plot data"
ls "$CAMPAIGN_OUT"/findings/*-shutdown_lost-*.json >/dev/null || fail "no finding file"

# The same campaign as one process (CAMPAIGN_ARGS is a list of options, split on purpose), merged alone (a merge of one summary is that summary).
# shellcheck disable=SC2086
timeout 120 "$sim" run --seed-start 11 --seeds 900 $CAMPAIGN_ARGS --summary "$scratch/single.json" \
  --out "$scratch/single-failures" >/dev/null || [ $? -eq 1 ] || fail "the single run failed to run"
timeout 60 "$sim" merge "$scratch/single.json" -o "$scratch/single-merged.json" >/dev/null || [ $? -eq 1 ] ||
  fail "merging the single run failed"

python3 - "$CAMPAIGN_OUT/campaign.json" "$scratch/single-merged.json" <<'PY'
import json, sys
sharded, single = (json.load(open(path)) for path in sys.argv[1:3])
for document in (sharded, single):
    document["totals"].pop("elapsed_s")
    document.pop("shards")
    document["campaign"].pop("shards")
if sharded != single:
    for key in sorted(set(sharded) | set(single)):
        if sharded.get(key) != single.get(key):
            print(f"differs: {key}: {json.dumps(sharded.get(key))[:300]} vs {json.dumps(single.get(key))[:300]}")
    sys.exit(1)
if single["totals"]["seeds_run"] != 900 or not single["findings"]:
    sys.exit("the campaign ran other seeds than asked, or found nothing of the planted bug")
PY

# The command line's refusals, with their exit codes and messages.
expect_exit() {
  local wanted=$1 message=$2 code=0
  shift 2
  timeout 60 "$sim" "$@" >"$scratch/cli.out" 2>&1 || code=$?
  [ "$code" -eq "$wanted" ] || fail "tether-sim $* exited $code, not $wanted: $(cat "$scratch/cli.out")"
  grep -qF -- "$message" "$scratch/cli.out" || fail "tether-sim $* did not say '$message': $(cat "$scratch/cli.out")"
}
expect_exit 64 "I must be from 0 to N - 1" run --seeds 10 --shard 3/3
expect_exit 64 "--shard must be I/N" run --seeds 10 --shard 1-3
expect_exit 64 "more shards than the 2 seeds" run --seeds 2 --shard 0/3
expect_exit 64 "--seed-start must be a whole number" run --seeds 2 --seed-start -1
expect_exit 64 "goes past the largest seed" run --seeds 2 --seed-start 18446744073709551615
expect_exit 64 "--stop-at-first ends a sweep early" run --seeds 10 --shard 0/2 --stop-at-first
expect_exit 66 "cannot open" merge "$scratch/no-such-summary.json"
expect_exit 65 "overlapping summaries" merge "$CAMPAIGN_OUT/shard-0.json" "$CAMPAIGN_OUT/shard-0.json"
sed 's/"tether_version": "[^"]*"/"tether_version": "0.0.0-other"/' "$CAMPAIGN_OUT/shard-1.json" >"$scratch/other.json"
expect_exit 65 "tether version 0.0.0-other differs" merge "$CAMPAIGN_OUT/shard-0.json" "$scratch/other.json"
echo '{"format": "tether-sim-summary", "version": 1}' >"$scratch/short.json"
expect_exit 65 "missing \"tether_version\"" merge "$scratch/short.json"
expect_exit 73 "cannot create" merge "$CAMPAIGN_OUT/shard-0.json" -o "$scratch/no-such-dir/merged.json"
expect_exit 73 "cannot create" run --seeds 2 --summary "$scratch/no-such-dir/summary.json"

# A shard whose simulator dies: recorded, the engine sees the failure, the merge reports it.
cat >"$scratch/broken-sim" <<SH
#!/bin/sh
case "\$*" in *"--shard 1/3"*) echo "simulated crash" >&2; exit 70;; esac
exec "$sim" "\$@"
SH
chmod +x "$scratch/broken-sim"
export CAMPAIGN_OUT="$scratch/broken" TETHER_SIM="$scratch/broken-sim"
for index in 0 1 2; do
  code=0
  CAMPAIGN_SHARD_INDEX=$index timeout 120 "$entry" >/dev/null 2>&1 || code=$?
  if [ "$index" -eq 1 ]; then [ "$code" -eq 70 ] || fail "the broken shard exited $code, not 70"; fi
  if [ "$index" -ne 1 ]; then [ "$code" -eq 0 ] || fail "shard $index exited $code"; fi
done
[ -s "$CAMPAIGN_OUT/shard-1.failed.json" ] || fail "no failure record for the broken shard"
grep -q "simulated crash" "$CAMPAIGN_OUT/shard-1.log" || fail "the broken shard's log lost its output"
code=0
TETHER_SIM=$sim timeout 60 "$entry" merge >"$scratch/broken.out" || code=$?
[ "$code" -eq 1 ] || fail "the merge with a failed shard exited $code, not 1"
grep -q '^FAILED SHARD: 1 (seeds 311 to 610) exited 70' "$scratch/broken.out" || fail "$(cat "$scratch/broken.out")"
grep -q '^INCOMPLETE$' "$scratch/broken.out" || fail "a campaign with a failed shard must say INCOMPLETE"

# The engines' files agree with themselves: as many pods and array tasks as CAMPAIGN_SHARDS says.
manifest="$root/docs/campaign/k8s-indexed-job.yaml"
k8s_shards=$(grep -A1 'name: CAMPAIGN_SHARDS' "$manifest" | grep -o '"[0-9]*"' | sort -u | tr -d '"')
grep -q "^  completions: $k8s_shards " "$manifest" || fail "the manifest's completions differ from CAMPAIGN_SHARDS $k8s_shards"
grep -q "^  parallelism: $k8s_shards\$" "$manifest" || fail "the manifest's parallelism differs from $k8s_shards"
grep -q '^      completionMode: Indexed\|^  completionMode: Indexed' "$manifest" || fail "the Job is not Indexed"
slurm="$root/docs/campaign/slurm-array.sh"
grep -q "^#SBATCH --array=0-$((k8s_shards - 1))\$" "$slurm" || fail "the Slurm array is not 0-$((k8s_shards - 1))"
grep -q "CAMPAIGN_SHARDS=\${CAMPAIGN_SHARDS:-$k8s_shards}" "$slurm" || fail "the Slurm script's CAMPAIGN_SHARDS differs"

# Bad settings are refused before anything runs.
for setting in "JOB_COMPLETION_INDEX=3" "JOB_COMPLETION_INDEX=x" "SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=1" \
               "CAMPAIGN_SHARDS=0 CAMPAIGN_SHARD_INDEX=0" "CAMPAIGN_SEEDS=-5 CAMPAIGN_SHARD_INDEX=0" ""; do
  code=0
  # shellcheck disable=SC2086 # a setting is zero or more NAME=VALUE words
  env $setting TETHER_SIM="$sim" timeout 10 "$entry" >/dev/null 2>&1 || code=$?
  [ "$code" -eq 64 ] || fail "'$setting' exited $code, not 64"
done
echo "campaign entry point: sharded and single campaigns agree; failures and bad settings reported"
