#!/usr/bin/env bash
# Submits a patchwork sweep, sensitivity analysis or national run to a SLURM cluster: a job array
# with one shard per task, and a merge job that runs once every task has ended, whatever became of
# it, and joins the shards into the files of the whole run (byte for byte those of the run on one
# machine).
#
# Usage: scripts/slurm-sweep.sh [options] FILE SHARDS OUT_DIR [-- PATCHWORK_OPTIONS...]
#
#   FILE         a sweep file (it has a [sweep] table), a sensitivity file (it has `method` and
#                [[parameter]]s) or a national scenario (with --command national: a scenario
#                file alone does not say it is one), the same file, unchanged, as on a laptop;
#                `headline` (when no such file exists) names the built-in headline sweep and
#                `england` the built-in national scenario
#   SHARDS       number of array tasks; task I runs `patchwork sweep FILE --shard I/SHARDS` (or
#                `patchwork sensitivity ...`, `patchwork national ...`), a block of whole points
#                (of patches, for national)
#   OUT_DIR      shard I goes to OUT_DIR/shard-I-of-SHARDS/, the merged run to OUT_DIR/merged/,
#                SLURM's logs to OUT_DIR/logs/ (shard-I-jobJ.out, merge-jobJ.out)
#   after --     options passed to every task's patchwork, e.g. --set sweep.replicates=100 or
#                --posterior FILE (sweep only); not --out, --shard, --threads, --resume, --force,
#                --quiet or --dry-run, which the script sets itself
#
# Options (some also read from the environment variable in brackets):
#   --command CMD       sweep, sensitivity or national (default: told from FILE's keys; national
#                       must be given, except for `england`)
#   --shards LIST       submit only these shards, e.g. 2,5, and a new merge job: the merge job
#                       prints this command, filled in, for the shards that did not finish
#   --binary PATH       the patchwork binary, on a path every node can read [PATCHWORK]
#                       (default: target/release/patchwork if built, else `patchwork` on PATH)
#   --cpus N            CPUs per task, passed to --threads [CPUS_PER_TASK] (default: 4, or fewer
#                       if the partition's largest node has fewer; more than it has is refused)
#   --time HH:MM:SS     time limit per task [TIME_LIMIT] (default 04:00:00)
#   --mem SIZE          memory per task [MEM] (default 2G; a sweep's memory does not grow with runs)
#   --partition NAME    partition [PARTITION] (default: the cluster's default partition)
#   --account NAME      account [ACCOUNT] (default: the cluster's)
#   --print             print the sbatch commands and the two job scripts; check, write and
#                       submit nothing
#   -h, --help          print this help
#
# Before submitting, the file is checked with `patchwork ... --dry-run --shard 1/SHARDS --threads
# CPUS`, which also prints how many runs (patches) a task gets and how long it should take on CPUS
# threads.
#
# Each sweep or sensitivity task runs with --resume, so a task started again carries on where its
# shard's journal left off; a national task, which keeps no journal, runs with --force and starts
# its shard again (its output appears whole or not at all). SLURM requeues a task by itself only
# when its node fails or it is preempted (the tasks are submitted with --requeue). A task that
# fails, is cancelled, or is killed at its time limit (TIMEOUT) is not requeued: the merge job then
# lists the shards that did not finish, merges nothing, exits 1 and prints the command that
# resubmits just those shards (with --shards; they resume, or start again, and a new merge job
# follows them). A shard that finished with failed runs or patches (exit status 3; see its
# failures.csv) counts as finished; the merge job reports the failures in its log.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}
die() {
    echo "slurm-sweep.sh: $*" >&2
    exit 2
}

command_name=""
only_shards=""
binary="${PATCHWORK:-}"
cpus="${CPUS_PER_TASK:-}"
time_limit="${TIME_LIMIT:-04:00:00}"
memory="${MEM:-2G}"
partition="${PARTITION:-}"
account="${ACCOUNT:-}"
print_only=false
positional=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --command | --shards | --binary | --cpus | --time | --mem | --partition | --account)
            [[ $# -ge 2 ]] || die "$1 needs a value"
            case "$1" in
                --command) command_name="$2" ;;
                --shards) only_shards="$2" ;;
                --binary) binary="$2" ;;
                --cpus) cpus="$2" ;;
                --time) time_limit="$2" ;;
                --mem) memory="$2" ;;
                --partition) partition="$2" ;;
                --account) account="$2" ;;
            esac
            shift 2
            ;;
        --print) print_only=true; shift ;;
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        -*) usage >&2; die "unknown option $1 (options for patchwork go after --)" ;;
        *) positional+=("$1"); shift ;;
    esac
done
pass_through=("$@")
if [[ ${#positional[@]} -ne 3 ]]; then
    usage >&2
    die "expected FILE SHARDS OUT_DIR, found ${#positional[@]} arguments"
fi
file="${positional[0]}"
shards="${positional[1]}"
out_dir="${positional[2]}"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a whole number of at least 1, found $shards"
if [[ -n "$cpus" && ! "$cpus" =~ ^[1-9][0-9]*$ ]]; then
    die "--cpus must be a whole number of at least 1, found $cpus"
fi

# Options the script sets on every task itself: given twice, patchwork would refuse them in every
# task, after the whole array had been queued.
for option in "${pass_through[@]}"; do
    case "$option" in
        --out | --out=* | --shard | --shard=* | --threads | --threads=* | --resume | --force | \
            --quiet | -q | --dry-run)
            die "${option%%=*} after -- is set by the script itself on every task; leave it out (--cpus sets --threads, OUT_DIR sets --out)"
            ;;
    esac
done

# The shards to submit: all, or a list from --shards.
if [[ -n "$only_shards" ]]; then
    [[ "$only_shards" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
        die "--shards takes a comma-separated list of shard numbers, e.g. 2,5; found $only_shards"
    IFS=, read -ra listed <<<"$only_shards"
    for index in "${listed[@]}"; do
        ((index <= shards)) || die "--shards lists shard $index, but there are only $shards"
    done
    array_spec="$only_shards"
else
    array_spec="1-$shards"
fi

# The file, and which command runs it.
file_arguments=()
if [[ "$file" == headline && ! -e "$file" ]]; then
    [[ -z "$command_name" || "$command_name" == sweep ]] || die "headline is a sweep"
    command_name=sweep
elif [[ "$file" == england && ! -e "$file" ]]; then
    [[ -z "$command_name" || "$command_name" == national ]] ||
        die "england is a national scenario"
    command_name=national
else
    [[ -r "$file" ]] || die "cannot read $file"
    file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
    file_arguments=("$file")
    if [[ -z "$command_name" ]]; then
        if grep -qE '^[[:space:]]*\[sweep(\.[^]]*)?\]' "$file"; then
            command_name=sweep
        elif grep -qE '^[[:space:]]*method[[:space:]]*=' "$file" &&
            grep -qE '^[[:space:]]*\[\[parameter\]\]' "$file"; then
            command_name=sensitivity
        else
            die "$file has neither a [sweep] table nor a sensitivity method and [[parameter]]s; pass --command sweep or --command sensitivity (or --command national for a national scenario)"
        fi
    fi
fi
case "$command_name" in
    sweep | sensitivity) resume_option=--resume results=runs.csv unit=runs ;;
    national) resume_option=--force results=localities.csv unit=patches ;;
    *) die "--command must be sweep, sensitivity or national, found $command_name" ;;
esac

repository="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$binary" ]]; then
    if [[ -x "$repository/target/release/patchwork" ]]; then
        binary="$repository/target/release/patchwork"
    else
        binary="$(command -v patchwork || true)"
    fi
fi
[[ -n "$binary" && -x "$binary" ]] ||
    die "no patchwork binary (build it with cargo build --release, or pass --binary)"
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
case "$out_dir" in
    /*) ;;
    *) out_dir="$(pwd)/$out_dir" ;;
esac
out_dir="${out_dir%/}"

# CPUs per task: what the partition's nodes have bounds it, as a task never schedules on a node
# with fewer CPUs than it asks for (it stays pending with no error).
# (No sinfo, or no controller answering, as with --print away from the cluster: no check.)
largest_node() { sinfo -h -N -p "$1" -o %c 2>/dev/null | tr -d '+' | sort -n | tail -n 1; }
node_cpus=""
if command -v sinfo >/dev/null && sinfo -h -o %P >/dev/null 2>&1; then
    if [[ -n "$partition" ]]; then
        node_cpus="$(largest_node "$partition" || true)"
        [[ -n "$node_cpus" ]] || die "partition $partition has no nodes (sinfo -p $partition)"
    else
        default_partition="$(sinfo -h -o %P | sed -n 's/\*$//p' | head -n 1)"
        if [[ -n "$default_partition" ]]; then
            node_cpus="$(largest_node "$default_partition" || true)"
        fi
    fi
fi
if [[ -z "$cpus" ]]; then
    cpus=4
    if [[ -n "$node_cpus" ]] && ((node_cpus < cpus)); then
        cpus="$node_cpus"
    fi
elif [[ -n "$node_cpus" ]] && ((cpus > node_cpus)); then
    die "--cpus $cpus is more than any node of the partition has ($node_cpus): the tasks would wait forever; use --cpus $node_cpus or fewer"
fi

quote() {
    local quoted="" word
    for word in "$@"; do
        quoted+="${quoted:+ }$(printf '%q' "$word")"
    done
    printf '%s' "$quoted"
}

# The command that resubmits some shards (@SHARDS@ is filled in by the merge job): this one, with
# every path made absolute and every default spelled out.
resubmit=(--shards @SHARDS@ --command "$command_name" --binary "$binary" --cpus "$cpus"
    --time "$time_limit" --mem "$memory")
[[ -n "$partition" ]] && resubmit+=(--partition "$partition")
[[ -n "$account" ]] && resubmit+=(--account "$account")
default_file=headline
[[ "$command_name" == national ]] && default_file=england
resubmit+=("${file_arguments[@]:-$default_file}" "$shards" "$out_dir")
[[ ${#pass_through[@]} -gt 0 ]] && resubmit+=(-- "${pass_through[@]}")
resubmit_text="cd $(printf '%q' "$(pwd)") && $(quote "$repository/scripts/slurm-sweep.sh" "${resubmit[@]}")"

task_command="$(quote "$binary" "$command_name" "${file_arguments[@]}") --shard \"\$shard\" --out \"\$out\" --threads \"\${SLURM_CPUS_PER_TASK:-$cpus}\" $resume_option --quiet"
if [[ ${#pass_through[@]} -gt 0 ]]; then
    task_command+=" $(quote "${pass_through[@]}")"
fi

shard_script="#!/usr/bin/env bash
# A shard of a patchwork $command_name run, written by scripts/slurm-sweep.sh.
set -uo pipefail
shard=\"\${SLURM_ARRAY_TASK_ID}/$shards\"
out=$(printf '%q' "$out_dir")/shard-\${SLURM_ARRAY_TASK_ID}-of-$shards
start=\$(date +%s)
echo \"shard \$shard: started \$(date -Is) on \$(hostname), job \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}, start \$((\${SLURM_RESTART_COUNT:-0} + 1))\"
$task_command
status=\$?
rows=0
if [[ -s \"\$out/$results\" ]]; then rows=\$((\$(wc -l <\"\$out/$results\") - 1)); fi
echo \"shard \$shard: exit \$status after \$((\$(date +%s) - start)) s; \$rows $unit in \$out/$results\"
if [[ \$status -eq 3 ]]; then
    echo \"shard \$shard finished with failed $unit: see \$out/failures.csv\"
    exit 0
fi
exit \$status
"

merge_script="#!/usr/bin/env bash
# The merge of a patchwork $command_name run's shards, written by scripts/slurm-sweep.sh.
set -uo pipefail
out_dir=$(printf '%q' "$out_dir")
shards=()
unfinished=\"\"
for index in \$(seq 1 $shards); do
    shard=\"\$out_dir/shard-\$index-of-$shards\"
    shards+=(\"\$shard\")
    # A finished shard has its metadata.json and no journal (the journal goes when it finishes).
    if [[ ! -f \"\$shard/metadata.json\" || -e \"\$shard/sweep.journal\" ]]; then
        unfinished+=\"\${unfinished:+,}\$index\"
    fi
done
if [[ -n \"\$unfinished\" ]]; then
    echo \"not merged: shards \$unfinished of $shards did not finish (failed, cancelled or out of time):\"
    for index in \${unfinished//,/ }; do
        log=\$(ls -t \"\$out_dir\"/logs/shard-\$index-job*.out 2>/dev/null | head -n 1)
        if [[ -n \"\$log\" ]]; then
            echo \"  shard \$index: \$(tail -n 1 \"\$log\") (\$log)\"
        else
            echo \"  shard \$index: never started (cancelled while pending?)\"
        fi
    done
    echo \"resubmit just those shards (they resume where they stopped, and a new merge follows them) with:\"
    resubmit=$(printf '%q' "$resubmit_text")
    echo \"  \${resubmit//@SHARDS@/\$unfinished}\"
    exit 1
fi
$(quote "$binary") merge \"\${shards[@]}\" --out \"\$out_dir/merged\" --force
status=\$?
if [[ \$status -eq 3 ]]; then
    echo \"merged, with failed $unit: see \$out_dir/merged/failures.csv\"
    exit 0
fi
[[ \$status -eq 0 ]] && echo \"merged $shards shards into \$out_dir/merged\"
exit \$status
"

common=(--time="$time_limit" --mem="$memory")
[[ -n "$partition" ]] && common+=(--partition="$partition")
[[ -n "$account" ]] && common+=(--account="$account")
array_options=(--parsable --job-name="patchwork-$command_name" --array="$array_spec"
    --cpus-per-task="$cpus" --requeue --open-mode=append "${common[@]}"
    --output="$out_dir/logs/shard-%a-job%A.out")
merge_options=(--parsable --job-name="patchwork-merge" --cpus-per-task=1 "${common[@]}"
    --output="$out_dir/logs/merge-job%j.out")

if [[ "$print_only" == true ]]; then
    printf '# array job:\nsbatch %s <<'"'"'EOF'"'"'\n%sEOF\n\n' "$(quote "${array_options[@]}")" "$shard_script"
    printf '# merge job:\nsbatch --dependency=afterany:ARRAY_JOB %s <<'"'"'EOF'"'"'\n%sEOF\n' \
        "$(quote "${merge_options[@]}")" "$merge_script"
    exit 0
fi

# Check the file here, before anything is queued: a bad file fails now, not on the cluster.
"$binary" "$command_name" "${file_arguments[@]}" --dry-run --shard "1/$shards" --threads "$cpus" \
    "${pass_through[@]}" >&2 || die "patchwork $command_name --dry-run failed; nothing submitted"

command -v sbatch >/dev/null || die "sbatch not found (not on a SLURM login node?)"
mkdir -p "$out_dir/logs"
array_job="$(sbatch "${array_options[@]}" <<<"$shard_script")"
array_job="${array_job%%;*}"
merge_job="$(sbatch --dependency="afterany:$array_job" "${merge_options[@]}" <<<"$merge_script")"
merge_job="${merge_job%%;*}"
echo "submitted shards $array_spec of $shards as array job $array_job and the merge as job $merge_job"
echo "results: $out_dir/merged/ once job $merge_job has finished (squeue -j $array_job,$merge_job); its log: $out_dir/logs/merge-job$merge_job.out"
