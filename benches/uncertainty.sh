#!/usr/bin/env bash
# Uncertainty benchmark (issue 9, section 4): builds the release binary and prints the wall time of
#   - a Sobol' analysis of 10 parameters x 1,024 base samples x 5 replicates (12,288 points,
#     61,440 runs of the built-in baseline) with `patchwork sensitivity`, and
#   - an ABC-SMC calibration of 6 parameters to 7 targets (the calibration targets of
#     docs/model.md) with `patchwork calibrate`: 200 particles, 3 replicates, at most 6 generations.
# Both on every logical CPU. The files are written to a temporary directory and removed.
#
# Usage: benches/uncertainty.sh
set -euo pipefail

cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/patchwork"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); CPUs: $(nproc)"

cat >"$work/sobol.toml" <<'TOML'
outputs = ["median_weeks_to_help", "inertia", "unmet_need_child_weeks_per_100"]
method = "sobol"
base_samples = 1024
replicates = 5
seed = 20260101
[[parameter]]
key = "pressure.threshold_rise"
low = 0.05
high = 0.3
[[parameter]]
key = "pressure.disengage_per_week"
low = 0.01
high = 0.05
[[parameter]]
key = "severity.self_resolve_per_week"
low = 0.01
high = 0.04
[[parameter]]
key = "coordination.case_minutes"
low = 5.0
high = 20.0
[[parameter]]
key = "coordination.meeting_hours"
low = 0.25
high = 1.5
[[parameter]]
key = "coordination.referral_hours"
low = 0.5
high = 2.0
[[parameter]]
key = "ties.decay_per_week"
low = 0.005
high = 0.02
[[parameter]]
key = "ties.informal_gain"
low = 0.02
high = 0.1
[[parameter]]
key = "attendance.lapse_if_absent"
low = 0.2
high = 0.8
[[parameter]]
key = "help.handover_keep_without_minder"
low = 0.1
high = 0.5
TOML

cat >"$work/abc.toml" <<'TOML'
seed = 20260101
replicates = 3
particles = 200
generations = 6
quantile = 0.5
min_tolerance = 0.5
min_acceptance_rate = 0.02
max_attempts = 200
[[parameter]]
key = "demand.onset_per_1000_year"
low = 30.0
high = 70.0
[[parameter]]
key = "assessment.screening_noise"
low = 0.02
high = 0.2
distribution = "log-uniform"
[[parameter]]
key = "pressure.threshold_rise"
low = 0.05
high = 0.3
[[parameter]]
key = "assessment.base_working_days"
low = 15.0
high = 35.0
[[parameter]]
key = "assessment.duration_sigma"
low = 0.1
high = 0.5
[[parameter]]
key = "demand.external_case_weeks"
low = 15.0
high = 45.0
[[target]]
measure = "referrals_per_10k"
value = 150.0
scale = 15.0
source = "DfE CIN 2025"
[[target]]
measure = "referral_rejection_share"
value = 0.37
scale = 0.02
source = "DfE CIN 2025"
[[target]]
measure = "rereferral_share_12m"
value = 0.226
scale = 0.025
source = "DfE CIN 2025"
[[target]]
measure = "median_assessment_working_days"
value = 33.0
scale = 2.0
source = "DfE CIN 2025"
[[target]]
measure = "share_assessments_over_45wd"
value = 0.14
scale = 0.03
source = "DfE CIN 2025"
[[target]]
measure = "social_worker_caseload"
value = 16.0
scale = 1.0
source = "DfE workforce 2023"
[[target]]
measure = "social_worker_turnover"
value = 0.138
scale = 0.04
source = "DfE workforce 2024"
TOML

# Wall time in seconds, with millisecond resolution, without bc.
elapsed() { local ms=$((($2 - $1) / 1000000)); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }

start=$(date +%s%N)
"$bin" sensitivity "$work/sobol.toml" --out "$work/sobol" --quiet
end=$(date +%s%N)
echo "sobol: 10 parameters x 1024 base samples x 5 replicates: $(elapsed "$start" "$end") s"

start=$(date +%s%N)
"$bin" calibrate "$work/abc.toml" --out "$work/abc" --quiet
end=$(date +%s%N)
runs=$(tail -n +2 "$work/abc/generations.csv" | awk -F, '{ s += $4 } END { print s }')
echo "abc-smc: 6 parameters, 7 targets: $(elapsed "$start" "$end") s ($(tail -n +2 "$work/abc/generations.csv" | wc -l) generations, $runs particle runs)"
