//! The one CSV writer of every output file, and deterministic text for numbers in them.
//!
//! `CsvBytes` writes rows to memory with `\n` line ends, quoting a field only where it must;
//! `csv_document` renders a whole file (a header and rows of the same length) with it, and
//! `write_row` appends one row to an open file. Floats are rounded to six decimal places and trailing zeros dropped (`0.5`, `12`, `-3.25`);
//! negative zero is written `0`; NaN is written `NA` and infinities `Inf` / `-Inf`, as R reads
//! them. The same value always gives the same bytes on every platform.

use std::io::Write;

use crate::output::ReportError;

/// Rows of CSV in memory, `\n` line ends, rows of any length (as the sweep's streamed chunks,
/// whose header is written once).
pub struct CsvBytes {
    writer: ::csv::Writer<Vec<u8>>,
}

impl CsvBytes {
    pub fn new() -> CsvBytes {
        CsvBytes {
            writer: builder().flexible(true).from_writer(Vec::new()),
        }
    }

    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        // Writing to memory cannot fail, and a flexible writer takes rows of any length.
        let _ = self.writer.write_record(fields);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.writer.into_inner().unwrap_or_default()
    }
}

impl Default for CsvBytes {
    fn default() -> Self {
        CsvBytes::new()
    }
}

/// The settings every CSV file shares: `\n` line ends.
fn builder() -> ::csv::WriterBuilder {
    let mut builder = ::csv::WriterBuilder::new();
    builder.terminator(::csv::Terminator::Any(b'\n'));
    builder
}

/// A CSV document from a header and rows of already formatted fields, every row as long as the
/// header (a shorter or longer one is a `ReportError::Render` naming `file_name`).
pub fn csv_document(
    file_name: &'static str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ReportError> {
    let to_error = |error: ::csv::Error| ReportError::Render {
        file_name,
        reason: error.to_string(),
    };
    let mut writer = builder().from_writer(Vec::new());
    writer.write_record(header).map_err(to_error)?;
    for row in rows {
        writer.write_record(&row).map_err(to_error)?;
    }
    writer.into_inner().map_err(|error| ReportError::Render {
        file_name,
        reason: error.to_string(),
    })
}

/// Appends one row to `out` (an open file) as `CsvBytes` would write it.
pub fn write_row(
    out: &mut impl Write,
    fields: impl IntoIterator<Item = String>,
) -> std::io::Result<()> {
    let mut csv = CsvBytes::new();
    csv.row(fields);
    out.write_all(&csv.into_bytes())
}

/// The `runs.csv` cells of a replicate that drew `row` of `posterior`: the row's index and each
/// parameter's value.
pub fn posterior_cells(posterior: &crate::posterior::Posterior, row: usize) -> Vec<String> {
    std::iter::once(row.to_string())
        .chain(
            posterior
                .values(row)
                .iter()
                .map(|value| format_float(*value)),
        )
        .collect()
}

/// Decimal places kept in output files.
const DECIMAL_PLACES: usize = 6;

/// A float read back from the text `format_float` wrote (`NA`, `Inf`, `-Inf` or a number).
pub fn parse_float(field: &str) -> Option<f64> {
    match field {
        "NA" => Some(f64::NAN),
        "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => field.parse().ok(),
    }
}

/// Text of a boolean for CSV output: `TRUE` or `FALSE`, which R's `read.csv` reads as logical
/// and pandas' `read_csv` as bool (R reads `true` and `false` as text).
pub fn format_bool(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}

/// A boolean CSV field, as `format_bool` writes it or as earlier versions did (`true`, `false`).
pub fn parse_bool(field: &str) -> Option<bool> {
    match field {
        "TRUE" | "true" => Some(true),
        "FALSE" | "false" => Some(false),
        _ => None,
    }
}

/// Text of a float for CSV output.
pub fn format_float(value: f64) -> String {
    if value.is_nan() {
        return "NA".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "Inf".to_string()
        } else {
            "-Inf".to_string()
        };
    }
    let fixed = format!("{value:.DECIMAL_PLACES$}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    match trimmed {
        "-0" | "" => "0".to_string(),
        _ => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_quote_only_where_needed() {
        let mut csv = CsvBytes::new();
        csv.row(["a", "b,c", "d\"e"]);
        csv.row(["1"]);
        assert_eq!(csv.into_bytes(), b"a,\"b,c\",\"d\"\"e\"\n1\n");
    }

    #[test]
    fn a_row_of_the_wrong_length_is_refused_in_a_document() {
        let rows = [vec!["1".to_owned()]].into_iter();
        assert!(csv_document("x.csv", &["a", "b"], rows).is_err());
        let rows = [vec!["1".to_owned(), "2".to_owned()]].into_iter();
        assert_eq!(
            csv_document("x.csv", &["a", "b"], rows).unwrap(),
            b"a,b\n1,2\n"
        );
    }

    #[test]
    fn floats_are_rounded_and_trimmed() {
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(12.0), "12");
        assert_eq!(format_float(-3.25), "-3.25");
        assert_eq!(format_float(1.0 / 3.0), "0.333333");
        assert_eq!(format_float(2.0 / 3.0), "0.666667");
        assert_eq!(format_float(1e-9), "0");
        assert_eq!(format_float(-1e-9), "0");
        assert_eq!(format_float(-0.0), "0");
        assert_eq!(format_float(0.0), "0");
        assert_eq!(format_float(100.0), "100");
        assert_eq!(format_float(1234567.125), "1234567.125");
    }

    #[test]
    fn special_values_are_written_for_r() {
        assert_eq!(format_float(f64::NAN), "NA");
        assert_eq!(format_float(f64::INFINITY), "Inf");
        assert_eq!(format_float(f64::NEG_INFINITY), "-Inf");
    }
}
