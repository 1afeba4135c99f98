# Shared by the benchmark scripts (sourced from the repository's root): builds the release binary
# (or takes PATCHWORK=/path/to/patchwork, unbuilt, to time another build) into `binary`, makes a
# scratch directory removed on exit, and times with nanosecond clocks.

if [[ -n "${PATCHWORK:-}" ]]; then
    binary="$PATCHWORK"
else
    cargo build --release --quiet
    target_dir="$(cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    binary="$target_dir/release/patchwork"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

now_ns() { date +%s%N; }
seconds_since() { awk -v ns=$(($(now_ns) - $1)) 'BEGIN { printf "%.3f", ns / 1e9 }'; }
