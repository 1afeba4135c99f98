//! Every output file's name, and the headers of those `plot` reads, in one place: the commands
//! that write them, `plot` that reads them back and `merge` that joins them all name them from
//! here.

// `patchwork run` (and `compare`, with an `arm` column); `plot` reads them back.
pub const RUNS_CSV: &str = "runs.csv";
pub const SUMMARY_CSV: &str = "summary.csv";
pub const WEEKLY_CSV: &str = "weekly.csv";
pub const SURVIVAL_CSV: &str = "survival.csv";
pub const EVENTS_CSV: &str = "events.csv";
pub const NETWORK_POSTS_CSV: &str = "network_posts.csv";
pub const NETWORK_TIES_CSV: &str = "network_ties.csv";
/// Every command's record of what it ran (scenario, seed, version, timing, files).
pub const METADATA_JSON: &str = "metadata.json";
pub const REPORT_HTML: &str = "report.html";
pub const SURVIVAL_PNG: &str = "plots/survival.png";
pub const SURVIVAL_SVG: &str = "plots/survival.svg";
pub const WEEKLY_PNG: &str = "plots/weekly.png";
pub const WEEKLY_SVG: &str = "plots/weekly.svg";
pub const NETWORK_PNG: &str = "plots/network.png";
pub const NETWORK_SVG: &str = "plots/network.svg";

// `patchwork compare`.
pub const COMPARISON_CSV: &str = "comparison.csv";
pub const ADVANTAGE_CSV: &str = "advantage.csv";
pub const POSTERIOR_DRAWS_CSV: &str = "posterior_draws.csv";
pub const REPORT_MD: &str = "report.md";

// `patchwork demo`.
pub const TIMELINE_MD: &str = "timeline.md";
pub const DEMO_GIF: &str = "demo.gif";
pub const TIMELINE_WITHOUT_MINDER_MD: &str = "timeline-without-minder.md";
pub const DEMO_WITHOUT_MINDER_GIF: &str = "demo-without-minder.gif";

// `patchwork sweep` (and `sensitivity`, `calibrate`, which stream through the same machinery).
pub const POINTS_CSV: &str = "points.csv";
pub const FAILURES_CSV: &str = "failures.csv";
pub const SETTLING_CSV: &str = "settling.csv";
/// One line per chunk written, so `--resume` knows where to carry on.
pub const JOURNAL: &str = "sweep.journal";
/// Held while a sweep runs (pid, host, start time).
pub const LOCK: &str = "sweep.lock";

// `patchwork national`.
pub const LOCALITIES_CSV: &str = "localities.csv";
pub const NATIONAL_CSV: &str = "national.csv";

// `patchwork warmup`.
pub const WARMUP_CSV: &str = "warmup.csv";
pub const WARMUP_PNG: &str = "warmup.png";

// `patchwork sensitivity`.
pub const SAMPLES_CSV: &str = "samples.csv";
pub const INDICES_CSV: &str = "indices.csv";
pub const SENSITIVITY_MORRIS_PNG: &str = "plots/morris.png";
pub const SENSITIVITY_SOBOL_PNG: &str = "plots/sobol.png";

// `patchwork calibrate`.
pub const PARTICLES_CSV: &str = "particles.csv";
pub const POSTERIOR_CSV: &str = "posterior.csv";
pub const GENERATIONS_CSV: &str = "generations.csv";
pub const CALIBRATION_POSTERIOR_PNG: &str = "plots/posterior.png";
pub const CALIBRATION_TARGETS_PNG: &str = "plots/targets.png";

// The headers of the files `plot` reads back (and `summary.csv`'s, which a sweep's `points.csv`
// repeats).
pub const EVENTS_HEADER: [&str; 3] = ["week", "locality", "label"];
pub const NETWORK_POSTS_HEADER: [&str; 8] = [
    "arm", "week", "post", "role", "agency", "school", "in_post", "minder",
];
pub const NETWORK_TIES_HEADER: [&str; 5] = ["arm", "week", "post_a", "post_b", "strength"];
pub const SUMMARY_HEADER: [&str; 7] = ["measure", "mean", "sd", "ci_low", "ci_high", "median", "n"];
pub const SURVIVAL_HEADER: [&str; 7] = [
    "arm", "time", "survival", "lower_95", "upper_95", "at_risk", "events",
];
pub const WARMUP_HEADER: [&str; 4] = ["week", "series", "mean", "smoothed"];
pub const WEEKLY_HEADER: [&str; 10] = [
    "replicate",
    "week",
    "open_cases",
    "waiting_for_help",
    "waiting_for_assessment",
    "mean_tie_strength",
    "staff_in_post",
    "vacancies",
    "cases_discussed",
    "actions_lapsed",
];
