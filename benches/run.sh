#!/usr/bin/env bash
# Benchmark script: builds the release binary and prints how long one run of the built-in
# baseline takes (wall time of `patchwork run --replicates N --quiet`, divided by N) on 1 thread
# and on 2, and the peak memory of the 2-thread run. Needs only the Rust toolchain; peak memory
# needs GNU time at /usr/bin/time (Debian/Ubuntu: `apt-get install time`).
#
# Usage: benches/run.sh [REPLICATES]        (default 200)
#        benches/run.sh --criterion         (also runs `cargo bench --bench model -- --quick`)
#
# The figures include writing the output files and, on more than one thread, building the rayon
# pool: they are what a user of the binary waits for. Criterion's figures (`cargo bench`) time
# the model alone.
set -euo pipefail

cd "$(dirname "$0")/.."

replicates=200
criterion=false
for argument in "$@"; do
    case "$argument" in
        --criterion) criterion=true ;;
        ''|*[!0-9]*)
            echo "usage: benches/run.sh [REPLICATES] [--criterion]" >&2
            exit 2
            ;;
        *) replicates="$argument" ;;
    esac
done

# The release binary (`binary`), a scratch directory, now_ns and seconds_since.
source benches/common.sh

version="$("$binary" --version | awk '{print $2}')"
echo "patchwork $version, $(nproc) logical CPUs, $replicates replicates of the built-in baseline"
for threads in 1 2; do
    # One untimed run first, so that the binary and its files are in the page cache.
    "$binary" run --replicates 2 --threads "$threads" --quiet --out "$scratch/warm-$threads"
    started=$(now_ns)
    "$binary" run --replicates "$replicates" --threads "$threads" --quiet \
        --out "$scratch/threads-$threads"
    finished=$(now_ns)
    awk -v ns=$((finished - started)) -v n="$replicates" -v t="$threads" 'BEGIN {
        printf "threads %d: wall %.3f s, %.3f ms per run, %.0f runs per second\n",
            t, ns / 1e9, ns / 1e6 / n, n / (ns / 1e9)
    }'
done

if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    /usr/bin/time -v "$binary" run --replicates "$replicates" --threads 2 --quiet \
        --out "$scratch/memory" 2>"$scratch/time.txt"
    peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$scratch/time.txt")
    awk -v kb="$peak_kb" 'BEGIN { printf "peak memory (2 threads): %.1f MiB\n", kb / 1024 }'
else
    echo "peak memory: not measured (GNU time not found; install it with: apt-get install time)"
fi

if [[ "$criterion" == true ]]; then
    cargo bench --bench model -- --quick
fi
