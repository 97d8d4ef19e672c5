#!/usr/bin/env bash
# A tether-sim verification campaign as a Slurm job array: task i of the array runs shard
# SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of CAMPAIGN_SHARDS; a merge job runs once every task ended
# (afterany: failed tasks too, so the merge reports them rather than never running).
#
#   TETHER_SIM=$PWD/build/release/bin/tether-sim CAMPAIGN_OUT=$PWD/campaign bash docs/campaign/slurm-array.sh
#
# Run by bash on a login node it submits itself as the array, then the merge; submitted with `sbatch`
# directly it runs the shards only (merge later with `scripts/campaign-shard merge`). The array's size
# must equal CAMPAIGN_SHARDS (16 here): change both together. CAMPAIGN_OUT must be on a file system
# every node sees.
#SBATCH --job-name=tether-sim-campaign
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=512M
#SBATCH --time=06:00:00
#SBATCH --output=tether-sim-campaign-%A_%a.out
set -euo pipefail

export CAMPAIGN_SHARDS=${CAMPAIGN_SHARDS:-16}
export CAMPAIGN_SEEDS=${CAMPAIGN_SEEDS:-100000000}
export CAMPAIGN_SEED_START=${CAMPAIGN_SEED_START:-1}
export CAMPAIGN_JOBS=${SLURM_CPUS_PER_TASK:-2}
export CAMPAIGN_OUT=${CAMPAIGN_OUT:-$PWD/campaign}
# The repository (for scripts/campaign-shard): sbatch copies this script away, so say where it is.
repo=${TETHER_REPO:-${SLURM_SUBMIT_DIR:-$PWD}}

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  # Submitting: the array of shards, then the merge once all of them ended.
  array=$(sbatch --parsable --export=ALL,TETHER_REPO="$repo" "$0")
  sbatch --dependency="afterany:$array" --job-name=tether-sim-campaign-merge --output=tether-sim-campaign-merge.out \
    --export=ALL,TETHER_REPO="$repo" --wrap="$repo/scripts/campaign-shard merge"
  echo "submitted shards $array and their merge; results in $CAMPAIGN_OUT"
  exit 0
fi
exec "$repo/scripts/campaign-shard"
