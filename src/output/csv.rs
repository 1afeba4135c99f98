//! Deterministic text for numbers in output files.
//!
//! Floats are rounded to six decimal places and trailing zeros dropped (`0.5`, `12`, `-3.25`);
//! negative zero is written `0`; NaN is written `NA` and infinities `Inf` / `-Inf`, as R reads
//! them. The same value always gives the same bytes on every platform.

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
