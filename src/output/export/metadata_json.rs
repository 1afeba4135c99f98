//! `metadata.json`: what produced a run, so that it can be reproduced: the scenario's name and
//! fully resolved parameters, the master seed, the number of replicates, the crate version and
//! git commit of the binary, the threads used and the wall time, and whether the weekly series
//! settled over the measured weeks (`settling`, see `metrics::settle`), and with `--posterior` the
//! posterior the replicates drew from (`posterior`: file, checksum, rows, parameters). Wall time (and the thread
//! count, which does not change results) are the only values that differ between identical runs.

use serde::Serialize;

use crate::metrics::Settling;
use crate::output::ReportError;
use crate::output::export::settling::SettlingJson;
use crate::output::export::{Export, RunReport};
use crate::posterior::PosteriorMetadata;

/// The git commit the binary was built from (`git rev-parse HEAD` at build time), or `unknown`.
pub const GIT_COMMIT: &str = env!("PATCHWORK_GIT_COMMIT");

/// The crate version the binary was built from.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");

pub struct MetadataJson;

/// The file's contents; field order is the order in the file.
#[derive(Serialize)]
struct Metadata<'a> {
    scenario: &'a str,
    master_seed: u64,
    replicates: u32,
    crate_version: &'static str,
    git_commit: &'static str,
    threads: usize,
    wall_time_seconds: f64,
    settling: SettlingJson,
    /// The posterior the replicates drew from (`--posterior`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    posterior: Option<PosteriorMetadata>,
    resolved_scenario: &'a serde_json::Value,
}

impl Export for MetadataJson {
    fn file_name(&self) -> &'static str {
        crate::output::files::METADATA_JSON
    }

    fn render(&self, report: &RunReport<'_>) -> Result<Vec<u8>, ReportError> {
        let metadata = Metadata {
            scenario: report.scenario_name,
            master_seed: report.master_seed,
            replicates: report.replicates,
            crate_version: CRATE_VERSION,
            git_commit: GIT_COMMIT,
            threads: report.threads,
            // Milliseconds are enough, and keep the file free of spurious digits.
            wall_time_seconds: (report.wall_time_seconds * 1000.0).round() / 1000.0,
            settling: SettlingJson::of(&Settling::of_runs(
                report.results.iter().map(|result| &result.output),
            )),
            posterior: report.posterior.map(|draws| draws.metadata()),
            resolved_scenario: report.resolved_scenario,
        };
        let mut bytes =
            serde_json::to_vec_pretty(&metadata).map_err(|error| ReportError::Render {
                file_name: self.file_name(),
                reason: error.to_string(),
            })?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_what_produced_the_run() {
        let resolved = serde_json::json!({"name": "tiny", "horizon_weeks": 156});
        let report = RunReport {
            scenario_name: "tiny",
            resolved_scenario: &resolved,
            master_seed: 18_446_744_073_709_551_615,
            replicates: 3,
            threads: 2,
            wall_time_seconds: 1.234_567,
            results: &[],
            posterior: None,
        };
        let bytes = MetadataJson.render(&report).unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(parsed["scenario"], "tiny");
        assert_eq!(parsed["master_seed"].as_u64(), Some(u64::MAX));
        assert_eq!(parsed["replicates"], 3);
        assert_eq!(parsed["threads"], 2);
        assert_eq!(parsed["wall_time_seconds"], 1.235);
        assert_eq!(parsed["crate_version"], env!("CARGO_PKG_VERSION"));
        assert!(!parsed["git_commit"].as_str().unwrap().is_empty());
        assert_eq!(parsed["resolved_scenario"], resolved);
        // No replicates: nothing to judge, nothing reported as unsettled.
        assert_eq!(parsed["settling"]["settled"], true);
        assert_eq!(parsed["settling"]["series"][0]["basis"], "undefined");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.find("\"scenario\"").unwrap() < text.find("\"resolved_scenario\"").unwrap());
    }
}
