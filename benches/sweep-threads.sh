#!/usr/bin/env bash
# Two threads against one, end to end: the built-in headline sweep (540 runs, its plots and
# report.html too) as a user runs it, `patchwork sweep --threads 1` and `--threads 2` in alternating
# rounds so that a change in the machine's load falls on both; then the drawing alone
# (`patchwork plot DIR --force` of the finished sweep, on rayon's pool of RAYON_NUM_THREADS=1 and
# 2 threads). Prints each round, then the median of each and their ratio.
# Target on 2 cores (issue 10): the whole sweep at least 1.85 times as fast on two threads.
#
# Usage: benches/sweep-threads.sh [ROUNDS]     (default 5)
#        PATCHWORK=/path/to/patchwork benches/sweep-threads.sh   (time that binary, unbuilt; any
#        script sourcing benches/common.sh takes PATCHWORK)
#
# Other work on the machine slows every figure; the load average is printed before and after.
set -euo pipefail

cd "$(dirname "$0")/.."

rounds="${1:-5}"
# The release binary (`binary`), a scratch directory, now_ns and seconds_since.
source benches/common.sh
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "$("$binary" --version), $(nproc) logical CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$scratch/sweep-1" >"$scratch/sweep-2" >"$scratch/plot-1" >"$scratch/plot-2" >"$scratch/pair"
for round in $(seq "$rounds"); do
    for threads in 1 2; do
        started=$(now_ns)
        "$binary" sweep scenarios/headline-sweep.toml --threads "$threads" --quiet --force \
            --out "$scratch/sweep"
        sweep=$(seconds_since "$started")
        started=$(now_ns)
        RAYON_NUM_THREADS="$threads" "$binary" plot "$scratch/sweep" --force --quiet
        plot=$(seconds_since "$started")
        echo "$sweep" >>"$scratch/sweep-$threads"
        echo "$plot" >>"$scratch/plot-$threads"
        echo "round $round, $threads thread(s): sweep $sweep s, drawing alone $plot s"
    done
    started=$(now_ns)
    for copy in a b; do
        "$binary" sweep scenarios/headline-sweep.toml --threads 1 --quiet --force \
            --out "$scratch/pair-$copy" &
    done
    wait
    pair=$(seconds_since "$started")
    echo "$pair" >>"$scratch/pair"
    echo "round $round, two one-thread sweeps side by side: $pair s"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for what in sweep plot; do
    one=$(median <"$scratch/$what-1")
    two=$(median <"$scratch/$what-2")
    label=$([[ "$what" == sweep ]] && echo "whole sweep" || echo "drawing alone")
    awk -v a="$one" -v b="$two" -v l="$label" \
        'BEGIN { printf "%s: median %.3f s on 1 thread, %.3f s on 2, %.2f times as fast\n", l, a, b, a / b }'
done
one=$(median <"$scratch/sweep-1")
pair=$(median <"$scratch/pair")
two=$(median <"$scratch/sweep-2")
awk -v a="$one" -v p="$pair" -v b="$two" \
    'BEGIN { printf "ceiling: two one-thread sweeps side by side take a median %.3f s, so two CPUs here give at most %.2f times one; the two-thread sweep reaches %.0f%% of that\n", p, 2 * a / p, 100 * (a / b) / (2 * a / p) }'
