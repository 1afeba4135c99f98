#!/usr/bin/env bash
# Submits a patchwork sweep to a SLURM cluster: a job array with one shard of the sweep per task,
# and a merge job that starts once every task has finished and joins the shards into the files of
# the whole sweep (byte for byte those of the sweep run on one machine).
#
# Usage: scripts/slurm-sweep.sh [options] SWEEP.toml SHARDS OUT_DIR [-- PATCHWORK_SWEEP_OPTIONS...]
#
#   SWEEP.toml   the sweep file (the same file, unchanged, as on a laptop)
#   SHARDS       number of array tasks; each runs `patchwork sweep --shard I/SHARDS`, a block of
#                whole points (use `patchwork sweep SWEEP.toml --dry-run --shard 1/SHARDS` to see
#                how many runs a task gets and how long it should take)
#   OUT_DIR      shards go to OUT_DIR/shard-I-of-N/, the merged sweep to OUT_DIR/merged/, SLURM's
#                logs to OUT_DIR/logs/
#   after --     options passed to every `patchwork sweep`, e.g. --set sweep.replicates=100
#
# Options (each also read from the environment variable in brackets):
#   --binary PATH       the patchwork binary, on a path every node can read [PATCHWORK]
#                       (default: target/release/patchwork if built, else `patchwork` on PATH)
#   --cpus N            CPUs per task, passed to --threads [CPUS_PER_TASK] (default 4)
#   --time HH:MM:SS     time limit per task [TIME_LIMIT] (default 04:00:00)
#   --mem SIZE          memory per task [MEM] (default 2G; a sweep's memory does not grow with runs)
#   --partition NAME    partition [PARTITION] (default: the cluster's)
#   --account NAME      account [ACCOUNT] (default: the cluster's)
#   --print             print the two job scripts instead of submitting them
#
# Every task runs with --resume, so a task that is killed (time limit, preemption, node failure)
# and requeued, or submitted again by hand, carries on where its shard's journal left off. A task
# whose shard finished with failed runs (exit status 3; see its failures.csv) counts as done, so
# the merge still runs; the merge job reports the failures in its log.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

binary="${PATCHWORK:-}"
cpus="${CPUS_PER_TASK:-4}"
time_limit="${TIME_LIMIT:-04:00:00}"
memory="${MEM:-2G}"
partition="${PARTITION:-}"
account="${ACCOUNT:-}"
print_only=false
positional=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --cpus) cpus="$2"; shift 2 ;;
        --time) time_limit="$2"; shift 2 ;;
        --mem) memory="$2"; shift 2 ;;
        --partition) partition="$2"; shift 2 ;;
        --account) account="$2"; shift 2 ;;
        --print) print_only=true; shift ;;
        -h|--help) usage ;;
        --) shift; break ;;
        -*) echo "slurm-sweep.sh: unknown option $1" >&2; usage ;;
        *) positional+=("$1"); shift ;;
    esac
done
sweep_options=("$@")
[[ ${#positional[@]} -eq 3 ]] || usage
sweep_file="${positional[0]}"
shards="${positional[1]}"
out_dir="${positional[2]}"
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
    echo "slurm-sweep.sh: SHARDS must be a whole number of at least 1, found $shards" >&2
    exit 2
fi
if ! [[ "$cpus" =~ ^[1-9][0-9]*$ ]]; then
    echo "slurm-sweep.sh: --cpus must be a whole number of at least 1, found $cpus" >&2
    exit 2
fi

repository="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$binary" ]]; then
    if [[ -x "$repository/target/release/patchwork" ]]; then
        binary="$repository/target/release/patchwork"
    else
        binary="$(command -v patchwork || true)"
    fi
fi
if [[ -z "$binary" || ! -x "$binary" ]]; then
    echo "slurm-sweep.sh: no patchwork binary (build it with cargo build --release, or pass --binary)" >&2
    exit 2
fi
absolute() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
binary="$(absolute "$binary")"
sweep_file="$(absolute "$sweep_file")"
[[ -r "$sweep_file" ]] || { echo "slurm-sweep.sh: cannot read $sweep_file" >&2; exit 2; }
mkdir -p "$out_dir/logs"
out_dir="$(cd "$out_dir" && pwd)"

# Check the sweep file here, before anything is queued: a bad file fails now, not on the cluster.
"$binary" sweep "$sweep_file" --dry-run --shard "1/$shards" "${sweep_options[@]}" >&2

quoted_options=""
for option in "${sweep_options[@]}"; do
    quoted_options+=" $(printf '%q' "$option")"
done
common=(--time="$time_limit" --mem="$memory")
[[ -n "$partition" ]] && common+=(--partition="$partition")
[[ -n "$account" ]] && common+=(--account="$account")

shard_script="#!/usr/bin/env bash
set -uo pipefail
shard=\"\${SLURM_ARRAY_TASK_ID}/$shards\"
out=$(printf '%q' "$out_dir")/shard-\${SLURM_ARRAY_TASK_ID}-of-$shards
$(printf '%q' "$binary") sweep $(printf '%q' "$sweep_file") --shard \"\$shard\" --out \"\$out\" \\
    --threads \"\${SLURM_CPUS_PER_TASK:-$cpus}\" --resume --quiet$quoted_options
status=\$?
if [[ \$status -eq 3 ]]; then
    echo \"shard \$shard finished with failed runs: see \$out/failures.csv\"
    exit 0
fi
exit \$status
"

merge_script="#!/usr/bin/env bash
set -uo pipefail
shards=()
for index in \$(seq 1 $shards); do
    shards+=($(printf '%q' "$out_dir")/shard-\$index-of-$shards)
done
$(printf '%q' "$binary") merge \"\${shards[@]}\" --out $(printf '%q' "$out_dir")/merged --force
status=\$?
if [[ \$status -eq 3 ]]; then
    echo \"merged, with failed runs: see $(printf '%q' "$out_dir")/merged/failures.csv\"
    exit 0
fi
exit \$status
"

if [[ "$print_only" == true ]]; then
    printf '# array job: sbatch --array=1-%s --cpus-per-task=%s %s\n%s\n' \
        "$shards" "$cpus" "${common[*]}" "$shard_script"
    printf '# merge job: sbatch --dependency=afterok:<array job> %s\n%s\n' \
        "${common[*]}" "$merge_script"
    exit 0
fi
command -v sbatch >/dev/null || { echo "slurm-sweep.sh: sbatch not found (not on a SLURM login node?)" >&2; exit 2; }

array_job=$(sbatch --parsable --job-name=patchwork-sweep --array="1-$shards" \
    --cpus-per-task="$cpus" --requeue "${common[@]}" \
    --output="$out_dir/logs/shard-%a.out" <<<"$shard_script")
array_job="${array_job%%;*}"
merge_job=$(sbatch --parsable --job-name=patchwork-merge --dependency="afterok:$array_job" \
    --cpus-per-task=1 "${common[@]}" --output="$out_dir/logs/merge.out" <<<"$merge_script")
merge_job="${merge_job%%;*}"
echo "submitted shards as array job $array_job (tasks 1-$shards) and the merge as job $merge_job"
echo "results: $out_dir/merged/ once job $merge_job has finished (squeue -j $array_job,$merge_job)"
