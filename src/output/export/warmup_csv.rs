//! `warmup.csv`, the numbers behind `patchwork warmup`'s suggestion: one row per series and week
//! (series in report order, weeks ascending): `week`, `series`, `mean` (over replicates) and
//! `smoothed` (Welch's moving average; `NA` for the last weeks, where the window would run past
//! the horizon). Numbers through `format_float`, so the same runs give the same bytes.

use crate::metrics::welch::WelchSeries;
use crate::output::ReportError;
use crate::output::csv::csv_document;
use crate::output::csv::format_float;

pub use crate::output::files::WARMUP_CSV;

pub use crate::output::files::WARMUP_HEADER as HEADER;

/// The file's bytes.
pub fn warmup_csv(series: &[WelchSeries]) -> Result<Vec<u8>, ReportError> {
    let rows = series.iter().flat_map(|item| {
        item.mean.iter().enumerate().map(|(week, mean)| {
            vec![
                week.to_string(),
                item.series.name().to_string(),
                format_float(*mean),
                format_float(item.smoothed.get(week).copied().unwrap_or(f64::NAN)),
            ]
        })
    });
    csv_document(WARMUP_CSV, &HEADER, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::settle::Series;

    #[test]
    fn a_row_per_series_and_week_smoothed_where_defined() {
        let item = WelchSeries {
            series: Series::OpenCases,
            mean: vec![1.0, 2.5, 4.0],
            smoothed: vec![1.0, 2.5],
            level: 4.0,
            warmup_weeks: Some(1),
        };
        let bytes = warmup_csv(&[item]).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "week,series,mean,smoothed\n0,open_cases,1,1\n1,open_cases,2.5,2.5\n2,open_cases,4,NA\n"
        );
    }
}
