#!/usr/bin/env bash
# Sweep benchmark: builds the release binary and prints
#   - the baseline run time (one run of the built-in baseline, `patchwork run` on 1 thread),
#   - sweep throughput in runs per second on 1 and on 2 threads and their ratio (the built-in
#     headline sweep, 540 runs, `patchwork sweep --threads T`),
#   - the headline sweep's wall time (on every logical CPU, the whole command: its pictures too),
#   - England's wall time and peak memory (`patchwork national`, the built-in England: 3,800
#     patches, 24,000 schools, 9.2 million pupils).
# Targets on 2 cores (issue 3): speed-up from 1 to 2 threads of 1.8 or more; the headline sweep in
# 15 s or less; England in 60 s or less and 4 GiB or less.
#
# Usage: benches/sweep.sh [--quick]     (--quick: the headline sweep with 2 replicates, 108 runs,
#                                        and England's horizon cut to 60 weeks; for a smoke test)
#
# Wall times include writing the output files (synced to disk chunk by chunk) and building the
# rayon pool: they are what a user of the binary waits for. Throughput is the best of three
# sweeps, so that a burst of other work on the machine does not decide the ratio. Peak memory needs GNU time at
# /usr/bin/time (Debian/Ubuntu: apt-get install time). Other work on the machine slows every
# figure; the load average is printed first so that a noisy run can be recognised.
set -euo pipefail

cd "$(dirname "$0")/.."

quick=false
for argument in "$@"; do
    case "$argument" in
        --quick) quick=true ;;
        *)
            echo "usage: benches/sweep.sh [--quick]" >&2
            exit 2
            ;;
    esac
done
headline_sets=()
england_sets=()
if [[ "$quick" == true ]]; then
    headline_sets=(--set sweep.replicates=2)
    england_sets=(--set run.horizon_weeks=60 --set run.warmup_weeks=10)
fi

# The release binary (`binary`), a scratch directory, now_ns and seconds_since.
source benches/common.sh

version="$("$binary" --version | awk '{print $2}')"
echo "patchwork $version, $(nproc) logical CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Baseline run time: 100 replicates on one thread (after one untimed warm-up).
"$binary" run --replicates 2 --threads 1 --quiet --out "$scratch/warm"
started=$(now_ns)
"$binary" run --replicates 100 --threads 1 --quiet --out "$scratch/baseline"
elapsed=$(seconds_since "$started")
awk -v s="$elapsed" 'BEGIN { printf "baseline run: %.2f ms (100 replicates on 1 thread in %.3f s)\n", s * 10, s }'

# Sweep throughput on 1 and 2 threads: the headline sweep, best of three, timed by the sweep
# itself (metadata.json's wall time: runs, summaries and synced files; not the pictures drawn
# afterwards).
runs=$("$binary" sweep --dry-run "${headline_sets[@]}" | sed -n 's/.* = \([0-9]*\) runs$/\1/p' | head -1)
declare -A rate
for threads in 1 2; do
    best=""
    for attempt in 1 2 3; do
        out="$scratch/sweep-$threads-$attempt"
        "$binary" sweep "${headline_sets[@]}" --threads "$threads" --quiet --out "$out"
        seconds=$(sed -n 's/^  "wall_time_seconds": \([0-9.]*\),$/\1/p' "$out/metadata.json")
        best=$(awk -v a="$seconds" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    rate[$threads]=$(awk -v n="$runs" -v s="$best" 'BEGIN { printf "%.1f", n / s }')
    echo "sweep on $threads thread(s): $runs runs in $best s (best of 3), ${rate[$threads]} runs/s"
done
cmp -s "$scratch/sweep-1-1/runs.csv" "$scratch/sweep-2-1/runs.csv" &&
    cmp -s "$scratch/sweep-1-1/points.csv" "$scratch/sweep-2-1/points.csv" ||
    { echo "error: 1 and 2 threads wrote different files" >&2; exit 1; }
awk -v one="${rate[1]}" -v two="${rate[2]}" \
    'BEGIN { printf "speed-up 1 -> 2 threads: %.2f (target 1.8 or more)\n", two / one }'

# The headline sweep on every logical CPU.
started=$(now_ns)
"$binary" sweep "${headline_sets[@]}" --quiet --out "$scratch/headline"
echo "headline sweep ($runs runs, $(nproc) threads): $(seconds_since "$started") s (target 15 s or less)"

# England: wall time and peak memory.
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    /usr/bin/time -v "$binary" national "${england_sets[@]}" --quiet --out "$scratch/england" \
        2>"$scratch/time.txt"
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): *//p' "$scratch/time.txt")
    peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$scratch/time.txt")
    awk -v wall="$wall" -v kb="$peak_kb" -v cpus="$(nproc)" 'BEGIN {
        n = split(wall, part, ":"); seconds = 0
        for (i = 1; i <= n; i++) seconds = seconds * 60 + part[i]
        printf "England (3,800 patches, %d threads): %.1f s (target 60 s or less), peak memory %.1f MiB (target 4 GiB or less)\n",
            cpus, seconds, kb / 1024
    }'
else
    started=$(now_ns)
    "$binary" national "${england_sets[@]}" --quiet --out "$scratch/england"
    echo "England (3,800 patches): $(seconds_since "$started") s (target 60 s or less); peak memory not measured (install GNU time: apt-get install time)"
fi
