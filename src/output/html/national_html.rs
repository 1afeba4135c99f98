//! A finished national run's `report.html`, drawn from its `national.csv` (and `metadata.json`)
//! alone, so that `merge` writes the same report for joined shards as one run would: what was
//! run, and for each headline measure the pupil-weighted mean (a typical pupil's patch), the median
//! patch and the 10th to 90th percentiles (how much patches differ).

use crate::metrics::catalogue::{capitalised, headlines};
use crate::output::csv::parse_float;
use crate::output::html::document::Document;
use crate::output::{RenderedFile, ReportError};

pub use crate::output::files::{NATIONAL_CSV, REPORT_HTML};

/// One measure's row of `national.csv`, as far as the report and the terminal show it.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalRow {
    pub measure: String,
    pub pupil_weighted_mean: f64,
    pub median: f64,
    pub p10: f64,
    pub p90: f64,
    /// Patches where the measure was defined.
    pub n: u64,
}

/// The rows of `national.csv` (columns `measure, pupil_weighted_mean, mean, sd, ci_low, ci_high,
/// median, p10, p90, n`), or an error naming the line that is not one.
pub fn read_national_csv(bytes: &[u8]) -> Result<Vec<NationalRow>, ReportError> {
    let unreadable = |reason: String| ReportError::Render {
        file_name: NATIONAL_CSV,
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|error| unreadable(error.to_string()))?;
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(index, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            let number = |column: usize| fields.get(column).and_then(|field| parse_float(field));
            let row = (|| {
                Some(NationalRow {
                    measure: fields.first()?.to_string(),
                    pupil_weighted_mean: number(1)?,
                    median: number(6)?,
                    p10: number(7)?,
                    p90: number(8)?,
                    n: fields.get(9)?.parse().ok()?,
                })
            })();
            row.filter(|_| fields.len() == 10)
                .ok_or_else(|| unreadable(format!("line {} is not a measure's row", index + 1)))
        })
        .collect()
}

/// `report.html` of a national run from its `national.csv` and `metadata.json`.
pub fn render_national_report(
    national_csv: &[u8],
    metadata: Option<&serde_json::Value>,
) -> Result<RenderedFile, ReportError> {
    let rows = read_national_csv(national_csv)?;
    let name = metadata
        .and_then(|metadata| metadata["scenario"].as_str())
        .unwrap_or("national");
    let mut document = Document::new(format!("National run: {name}"));
    if let Some(description) = metadata
        .and_then(|metadata| metadata["description"].as_str())
        .filter(|description| !description.is_empty())
    {
        document.paragraph(description);
    }
    if let Some(metadata) = metadata {
        let mut facts = format!(
            "{} patches, {} schools, {} pupils; each patch is its own run, from its own seed \
             (master seed {}).",
            metadata["patches"], metadata["schools"], metadata["pupils"], metadata["master_seed"]
        );
        let failed = metadata["patches_failed"].as_u64().unwrap_or(0);
        if failed > 0 {
            facts.push_str(&format!(
                " {failed} patch runs failed (failures.csv) and are left out."
            ));
        }
        document.paragraph(facts);
    }
    document.heading(2, "Headline measures");
    document.paragraph(
        "For each measure: the mean over patches weighted by their pupils (what a typical pupil's \
         patch looks like), the median patch, and the 10th to 90th percentiles across patches (how \
         much patches differ). Every measure, with the unweighted mean and its 95% confidence \
         interval, is in national.csv; each patch's are in localities.csv.",
    );
    let table_rows = headlines()
        .filter_map(|headline| {
            let row = rows.iter().find(|row| row.measure == headline.measure)?;
            let shown = headline.shown;
            Some(vec![
                capitalised(headline.label),
                shown.value(row.pupil_weighted_mean),
                shown.value(row.median),
                format!("{} to {}", shown.value(row.p10), shown.value(row.p90)),
                row.n.to_string(),
            ])
        })
        .collect();
    document.table(
        &[
            "measure",
            "pupil-weighted mean",
            "median patch",
            "10th to 90th percentile",
            "patches",
        ],
        table_rows,
        &[false, true, true, true, true],
    );
    Ok(RenderedFile {
        file_name: REPORT_HTML,
        bytes: document.to_html().into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NATIONAL: &str = "measure,pupil_weighted_mean,mean,sd,ci_low,ci_high,median,p10,p90,n\n\
        median_weeks_to_help,6.5,6.4,1,6.3,6.5,6,4,9,3800\n\
        inertia,0.4,0.41,0.1,0.4,0.42,0.39,0.3,0.5,3800\n";

    #[test]
    fn the_report_shows_each_headline_measure_across_patches() {
        let metadata = serde_json::json!({
            "scenario": "england", "patches": 3800, "schools": 24000, "pupils": 9000000,
            "master_seed": 1, "patches_failed": 0, "description": "",
        });
        let report = render_national_report(NATIONAL.as_bytes(), Some(&metadata)).unwrap();
        let html = String::from_utf8(report.bytes).unwrap();
        assert!(html.contains("National run: england"), "{html}");
        assert!(html.contains("3800 patches, 24000 schools, 9000000 pupils"));
        assert!(html.contains("<td class=\"num\">6.5</td>"), "{html}");
        assert!(html.contains("30.0% to 50.0%"), "{html}");
    }

    #[test]
    fn a_bad_row_is_named_by_its_line() {
        let error = read_national_csv(b"measure,pupil_weighted_mean\ninertia,x\n").unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
