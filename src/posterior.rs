//! `--posterior FILE`: parameter uncertainty carried into `run`, `compare` and `sweep`.
//!
//! A posterior file is a CSV of weighted parameter sets, as `patchwork calibrate` writes
//! `posterior.csv`: a `weight` column, one column per parameter (named by its dotted scenario
//! key), and optionally `particle`, `distance` and measure columns (a calibration's simulated
//! values), which are read past. `Posterior::load` checks the whole file before anything runs and
//! reports every problem at its file, line and column (the field's number, counting from 1), in
//! the scenario reader's style.
//!
//! Replicate `r` draws one row, with probability proportional to its weight, from its own named
//! stream `posterior.draw` of the replicate's seed (`Posterior::draw`). The draw depends on the
//! seed alone, so both arms of a comparison and every point of a sweep draw the same row for
//! replicate `r`: common random numbers still pair them, and the bytes do not depend on the
//! thread count. The row's values are applied as `--set`-style overrides after the scenario file
//! and the user's `--set`; a `--set` (or a sweep axis) on a key the posterior also sets is refused
//! (`check_sets`), so nothing is overridden silently, and `run.*` keys cannot be posterior
//! columns (a replicate's horizon, warm-up, seed or count are not model parameters).
//!
//! `compare` with a posterior also runs each replicate's drawn row with a second seed
//! (`twin_seed`), so that the variance of each paired difference can be split into the part the
//! parameters explain and the part the random draws leave (`metrics::VarianceSplit`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::Rng;
use serde::Serialize;

use crate::metrics::Measures;
use crate::model::{Params, rng};
use crate::scenario::{self, Location, Node, Problem, ScenarioError, Value};

/// The named stream a replicate's posterior row is drawn from.
pub const DRAW_STREAM: &str = "posterior.draw";

/// Columns of a posterior file that are not parameters: a calibration's particle number and
/// distance (and its measure columns, `Measures::NAMES`).
const NOT_PARAMETERS: [&str; 2] = ["particle", "distance"];

/// Where problems with posterior files sort among a scenario's (after its files and `--set`).
const SOURCE_ORDER: u32 = u32::MAX;

/// A loaded, checked posterior: weighted rows of parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The file as the user named it.
    pub path: PathBuf,
    /// FNV-1a of the file's bytes, two 64-bit bases: 32 hex digits.
    pub checksum: String,
    /// The parameters' dotted scenario keys, in column order.
    pub keys: Vec<String>,
    /// Each key's column (the field's number, from 1).
    columns: Vec<u32>,
    rows: Vec<Row>,
    /// Running sums of the weights, in row order.
    cumulative: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    /// The row's line in the file (the header is line 1).
    line: u32,
    weight: f64,
    values: Vec<f64>,
}

/// FNV-1a over `bytes` from two bases, as 32 hex digits: a checksum that identifies a file's
/// contents (not a cryptographic hash).
pub fn checksum(bytes: &[u8]) -> String {
    let fnv = |basis: u64| {
        bytes.iter().fold(basis, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01B3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xCBF2_9CE4_8422_2325),
        fnv(0x6C62_272E_07BB_0142)
    )
}

/// The seed of replicate `r`'s second run of its drawn row, from the replicate's own seed.
pub fn twin_seed(replicate_seed: u64) -> u64 {
    rng::mix64(replicate_seed ^ 0x7477_696E_2073_6565)
}

/// A place in a posterior file: its line and column (the field's number; 1 for the line as a
/// whole).
fn at(path: &Path, line: u32, column: Option<u32>) -> Location {
    Location::new(
        Arc::from(path.display().to_string()),
        SOURCE_ORDER,
        Some((line, column.unwrap_or(1))),
    )
}

/// A number as the scenario reader takes it: a whole number when it is one.
fn number_value(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::Integer(value as i64)
    } else {
        Value::Float(value)
    }
}

impl Posterior {
    /// Reads and checks the posterior file at `path`: a header with `weight` and at least one
    /// parameter column (no column twice, no `run.*` key), at least one row, every row as long
    /// as the header, every weight and parameter value a finite number, no weight negative and
    /// their sum positive. Every problem is listed at once.
    pub fn load(path: &Path) -> Result<Posterior, ScenarioError> {
        let bytes = std::fs::read(path).map_err(|error| {
            ScenarioError::new(vec![Problem::new(
                Location::new(Arc::from(path.display().to_string()), SOURCE_ORDER, None),
                "",
                format!(
                    "cannot read the posterior file: {}",
                    scenario::io_reason(&error)
                ),
            )])
        })?;
        let mut problems = Vec::new();
        let posterior = Posterior::parse(path, &bytes, &mut problems);
        match posterior {
            Some(posterior) if problems.is_empty() => Ok(posterior),
            _ => Err(ScenarioError::new(problems)),
        }
    }

    fn parse(path: &Path, bytes: &[u8], problems: &mut Vec<Problem>) -> Option<Posterior> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut records = reader.records();
        let header = match records.next() {
            None => {
                problems.push(Problem::new(
                    at(path, 1, None),
                    "",
                    "must start with a header line naming a `weight` column and one column per \
                     parameter, found an empty file",
                ));
                return None;
            }
            Some(Err(error)) => {
                problems.push(Problem::new(at(path, 1, None), "", csv_reason(&error)));
                return None;
            }
            Some(Ok(header)) => header,
        };
        let mut weight_column = None;
        let mut keys = Vec::new();
        let mut columns = Vec::new();
        for (index, name) in header.iter().enumerate() {
            let column = index as u32 + 1;
            let name = name.trim();
            let here = at(path, 1, Some(column));
            if header
                .iter()
                .take(index)
                .any(|earlier| earlier.trim() == name)
            {
                problems.push(Problem::new(
                    here,
                    name,
                    "must name a column once, found twice",
                ));
            } else if name.is_empty() {
                problems.push(Problem::new(
                    here,
                    "",
                    "every column must have a name, found an empty one",
                ));
            } else if name == "weight" {
                weight_column = Some(index);
            } else if NOT_PARAMETERS.contains(&name) || Measures::NAMES.contains(&name) {
                // A calibration's particle number, distance or simulated measure: read past.
            } else if name == "run" || name.starts_with("run.") {
                problems.push(Problem::new(
                    here,
                    name,
                    "cannot be drawn from a posterior: run settings (horizon, warm-up, seed, \
                     replicates) are the same for every replicate; set them with --set",
                ));
            } else {
                keys.push(name.to_string());
                columns.push(column);
            }
        }
        if weight_column.is_none() {
            problems.push(Problem::new(
                at(path, 1, None),
                "",
                "must have a `weight` column (each row's weight, as calibrate's posterior.csv)",
            ));
        }
        if keys.is_empty() {
            problems.push(Problem::new(
                at(path, 1, None),
                "",
                "must have at least one parameter column, named by its dotted scenario key \
                 (such as ties.initial_mean)",
            ));
        }
        let weight_column = weight_column?;
        let mut rows = Vec::new();
        for record in records {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let line = error.position().map_or(0, |p| p.line() as u32);
                    problems.push(Problem::new(at(path, line, None), "", csv_reason(&error)));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line() as u32);
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if record.len() != header.len() {
                problems.push(Problem::new(
                    at(path, line, None),
                    "",
                    format!(
                        "must have {} fields, as the header, found {}",
                        header.len(),
                        record.len()
                    ),
                ));
                continue;
            }
            let mut number = |index: usize, key: &str, what: &str| -> Option<f64> {
                let text = record.get(index).unwrap_or("").trim();
                match text.parse::<f64>() {
                    Ok(value) if value.is_finite() => Some(value),
                    _ => {
                        problems.push(Problem::new(
                            at(path, line, Some(index as u32 + 1)),
                            key,
                            format!("must be {what}, found `{text}`"),
                        ));
                        None
                    }
                }
            };
            let weight = number(weight_column, "weight", "a finite number");
            let values: Vec<Option<f64>> = keys
                .iter()
                .zip(&columns)
                .map(|(key, column)| number(*column as usize - 1, key, "a finite number"))
                .collect();
            if let Some(weight) = weight
                && weight < 0.0
            {
                problems.push(Problem::new(
                    at(path, line, Some(weight_column as u32 + 1)),
                    "weight",
                    format!("must be zero or more, found {weight}"),
                ));
            }
            if let (Some(weight), Some(values)) =
                (weight, values.into_iter().collect::<Option<Vec<f64>>>())
            {
                rows.push(Row {
                    line,
                    weight,
                    values,
                });
            }
        }
        if problems.is_empty() && rows.is_empty() {
            problems.push(Problem::new(
                at(path, 2, None),
                "",
                "must have at least one row of parameter values after the header, found none",
            ));
        }
        let mut total = 0.0;
        let cumulative: Vec<f64> = rows
            .iter()
            .map(|row| {
                total += row.weight;
                total
            })
            .collect();
        if problems.is_empty() && !(total > 0.0 && total.is_finite()) {
            problems.push(Problem::new(
                at(path, 1, Some(weight_column as u32 + 1)),
                "weight",
                format!(
                    "the weights must sum to a positive finite number, found {total}: give at \
                     least one row a positive weight"
                ),
            ));
        }
        Some(Posterior {
            path: path.to_path_buf(),
            checksum: checksum(bytes),
            keys,
            columns,
            rows,
            cumulative,
        })
    }

    /// `load`, then `check_sets` and `check_rows` against the scenario `scenario_path` with
    /// `sets`: everything that can be checked before a run.
    pub fn load_for(
        path: &Path,
        scenario_path: Option<&Path>,
        sets: &[String],
    ) -> Result<Posterior, ScenarioError> {
        let posterior = Posterior::load(path)?;
        posterior.check_sets(sets)?;
        posterior.check_rows(scenario_path, sets)?;
        Ok(posterior)
    }

    /// Rows of parameter values (weight zero included).
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Row `row`'s parameter values, in `keys` order.
    pub fn values(&self, row: usize) -> &[f64] {
        &self.rows[row].values
    }

    /// The sum of the weights.
    pub fn total_weight(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// Kish's effective sample size of the weights, `(Σw)² / Σw²`.
    pub fn effective_sample_size(&self) -> f64 {
        let squares: f64 = self.rows.iter().map(|row| row.weight * row.weight).sum();
        self.total_weight().powi(2) / squares
    }

    /// The weighted mean of each parameter.
    pub fn weighted_means(&self) -> Vec<f64> {
        let total = self.total_weight();
        (0..self.keys.len())
            .map(|k| {
                self.rows
                    .iter()
                    .map(|row| row.weight * row.values[k])
                    .sum::<f64>()
                    / total
            })
            .collect()
    }

    /// The row replicate seed `replicate_seed` draws: row `i` with probability `w_i / Σw`, from
    /// the stream `posterior.draw` of that seed. A row of weight zero is never drawn.
    pub fn draw(&self, replicate_seed: u64) -> usize {
        let total = self.total_weight();
        let u: f64 = rng::stream(replicate_seed, DRAW_STREAM, 0).random::<f64>() * total;
        let last_weighted = self
            .rows
            .iter()
            .rposition(|row| row.weight > 0.0)
            .unwrap_or(0);
        self.cumulative
            .partition_point(|sum| *sum <= u)
            .min(last_weighted)
    }

    /// The rows drawn by replicates `0..replicates` under `master_seed`.
    pub fn draws(&self, master_seed: u64, replicates: u32) -> Vec<usize> {
        (0..replicates)
            .map(|replicate| self.draw(rng::replicate_seed(master_seed, u64::from(replicate))))
            .collect()
    }

    /// Row `row` as `--set` overrides, `key=value`.
    pub fn sets(&self, row: usize) -> Vec<String> {
        self.keys
            .iter()
            .zip(&self.rows[row].values)
            .map(|(key, value)| match number_value(*value) {
                Value::Integer(whole) => format!("{key}={whole}"),
                _ => format!("{key}={value}"),
            })
            .collect()
    }

    /// Row `row` as scenario values located at their cells, for `ScenarioTree::build_with`.
    pub(crate) fn nodes(&self, row: usize) -> Vec<(&str, Node)> {
        let line = self.rows[row].line;
        self.keys
            .iter()
            .zip(&self.columns)
            .zip(&self.rows[row].values)
            .map(|((key, column), value)| {
                (
                    key.as_str(),
                    Node::new(number_value(*value), at(&self.path, line, Some(*column))),
                )
            })
            .collect()
    }

    /// The column of a key this posterior sets that `key` overlaps (the same key, or one inside
    /// the other), if any.
    fn overlapping(&self, key: &str) -> Option<usize> {
        let key = key.trim();
        self.keys.iter().position(|own| {
            own == key || own.starts_with(&format!("{key}.")) || key.starts_with(&format!("{own}."))
        })
    }

    /// Refuses `--set` overrides (and sweep axes, `what` naming them) on keys this posterior
    /// sets: the posterior would override them in every replicate.
    pub fn check_keys<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
        what: &str,
    ) -> Result<(), ScenarioError> {
        let problems: Vec<Problem> = keys
            .into_iter()
            .filter_map(|key| {
                let index = self.overlapping(key)?;
                Some(Problem::new(
                    at(&self.path, 1, Some(self.columns[index])),
                    self.keys[index].clone(),
                    format!(
                        "is drawn from the posterior in every replicate, so {what} `{}` cannot \
                         also set it: drop one of them",
                        key.trim()
                    ),
                ))
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::new(problems))
        }
    }

    /// Refuses `--set KEY=VALUE` overrides on keys this posterior sets.
    pub fn check_sets(&self, sets: &[String]) -> Result<(), ScenarioError> {
        self.check_keys(
            sets.iter()
                .map(|set| set.split_once('=').map_or(set.as_str(), |(key, _)| key)),
            "--set",
        )
    }

    /// A scenario's problems with row `row`, each moved from `--set` (or from row `row`'s own
    /// cells) to the cell it came from, an unknown key to its header cell; other problems are
    /// kept as they are.
    pub fn relocate(&self, row: usize, error: ScenarioError) -> ScenarioError {
        let problems = error
            .problems
            .into_iter()
            .map(|problem| {
                let source = &*problem.location.source;
                let from_set = source == "--set" || source == self.path.display().to_string();
                match self.overlapping(&problem.key).filter(|_| from_set) {
                    Some(index) => {
                        let line = if problem.message.starts_with("unknown key") {
                            1
                        } else {
                            self.rows[row].line
                        };
                        Problem::new(
                            at(&self.path, line, Some(self.columns[index])),
                            self.keys[index].clone(),
                            problem.message,
                        )
                    }
                    None => problem,
                }
            })
            .collect();
        ScenarioError::new(problems)
    }

    /// The scenario `path` (the built-in baseline when `None`) with `sets` and then row `row`'s
    /// values, its problems located in this file.
    pub fn row_params(
        &self,
        path: Option<&Path>,
        sets: &[String],
        row: usize,
    ) -> Result<Params, ScenarioError> {
        let all: Vec<String> = sets.iter().cloned().chain(self.sets(row)).collect();
        scenario::load(path, &all)
            .map(|scenario| scenario.params)
            .map_err(|error| self.relocate(row, error))
    }

    /// Checks every row against the scenario `path` with `sets`, so that a value the scenario
    /// refuses is an error before anything runs, whichever rows are drawn.
    pub fn check_rows(&self, path: Option<&Path>, sets: &[String]) -> Result<(), ScenarioError> {
        use rayon::prelude::*;
        let problems: Vec<Problem> = (0..self.rows.len())
            .into_par_iter()
            .filter_map(|row| self.row_params(path, sets, row).err())
            .flat_map_iter(|error| error.problems)
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::new(problems))
        }
    }

    /// The per-replicate parameters of one arm: `path` with `sets` under each drawn row.
    pub fn arm(
        &self,
        path: Option<&Path>,
        sets: &[String],
        draws: &[usize],
    ) -> Result<DrawnParams, ScenarioError> {
        let mut distinct: Vec<usize> = draws.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let params = distinct
            .iter()
            .map(|&row| Ok((row, self.row_params(path, sets, row)?)))
            .collect::<Result<Vec<(usize, Params)>, ScenarioError>>()?;
        Ok(DrawnParams {
            draws: draws.to_vec(),
            params,
        })
    }

    /// What `metadata.json` records of the posterior used and the rows `draws` drew.
    pub fn metadata(&self, draws: &[usize]) -> PosteriorMetadata {
        let mut distinct = draws.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        PosteriorMetadata {
            file: self.path.display().to_string(),
            checksum: self.checksum.clone(),
            rows: self.rows.len(),
            rows_weighted: self.rows.iter().filter(|row| row.weight > 0.0).count(),
            effective_sample_size: (self.effective_sample_size() * 1000.0).round() / 1000.0,
            parameters: self.keys.clone(),
            rows_drawn: distinct.len(),
            draw_stream: DRAW_STREAM,
        }
    }

    /// The columns `runs.csv` gains: `posterior_row` and each parameter's key.
    pub fn run_columns(&self) -> Vec<&str> {
        std::iter::once("posterior_row")
            .chain(self.keys.iter().map(String::as_str))
            .collect()
    }
}

/// A posterior and the row each replicate drew: what the output files record.
#[derive(Debug, Clone, Copy)]
pub struct PosteriorDraws<'a> {
    pub posterior: &'a Posterior,
    /// The row each replicate drew, in replicate order.
    pub rows: &'a [usize],
}

impl PosteriorDraws<'_> {
    /// `metadata.json`'s `posterior`.
    pub fn metadata(&self) -> PosteriorMetadata {
        self.posterior.metadata(self.rows)
    }

    /// The row replicate `replicate` drew.
    pub fn row_of(&self, replicate: u32) -> usize {
        self.rows[replicate as usize]
    }

    /// One sentence on the posterior used, for the reports; `listed` says where the draws are.
    pub fn sentence(&self, listed: &str) -> String {
        let metadata = self.metadata();
        format!(
            "Parameter uncertainty: each replicate drew its values of {} from the posterior {} \
             ({} rows, effective sample size {:.1}, checksum {}) with probability proportional to \
             the rows' weights, from its own seed; {} distinct rows were drawn ({listed}).",
            metadata.parameters.join(", "),
            metadata.file,
            metadata.rows,
            metadata.effective_sample_size,
            metadata.checksum,
            metadata.rows_drawn
        )
    }
}

fn csv_reason(error: &csv::Error) -> String {
    format!("is not readable CSV: {error}")
}

/// `metadata.json`'s record of a posterior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PosteriorMetadata {
    pub file: String,
    pub checksum: String,
    pub rows: usize,
    /// Rows with a positive weight.
    pub rows_weighted: usize,
    pub effective_sample_size: f64,
    pub parameters: Vec<String>,
    /// Distinct rows the replicates drew.
    pub rows_drawn: usize,
    pub draw_stream: &'static str,
}

/// An arm's parameters per replicate under its drawn rows.
#[derive(Debug, Clone)]
pub struct DrawnParams {
    /// The row each replicate drew, in replicate order.
    pub draws: Vec<usize>,
    /// The scenario's parameters under each distinct row drawn, sorted by row.
    params: Vec<(usize, Params)>,
}

impl DrawnParams {
    /// The parameters of replicate `replicate`.
    pub fn of(&self, replicate: u32) -> &Params {
        let row = self.draws[replicate as usize];
        let index = self
            .params
            .binary_search_by_key(&row, |(row, _)| *row)
            .expect("every drawn row is built");
        &self.params[index].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Posterior, String> {
        let mut problems = Vec::new();
        let posterior = Posterior::parse(Path::new("p.csv"), text.as_bytes(), &mut problems);
        if problems.is_empty() {
            Ok(posterior.unwrap())
        } else {
            Err(ScenarioError::new(problems).to_string())
        }
    }

    #[test]
    fn reads_calibrates_posterior_and_skips_its_other_columns() {
        let posterior = parse(
            "particle,weight,ties.initial_mean,pressure.threshold_rise,referrals_per_10k,distance\n\
             0,0.25,0.2,0.1,150,1.5\n1,0.75,0.4,0.3,NA,2\n",
        )
        .unwrap();
        assert_eq!(
            posterior.keys,
            vec!["ties.initial_mean", "pressure.threshold_rise"]
        );
        assert_eq!(posterior.rows(), 2);
        assert_eq!(posterior.values(1), &[0.4, 0.3]);
        assert_eq!(posterior.total_weight(), 1.0);
        assert_eq!(
            posterior.sets(0),
            vec!["ties.initial_mean=0.2", "pressure.threshold_rise=0.1"]
        );
        let means = posterior.weighted_means();
        assert!((means[0] - 0.35).abs() < 1e-12);
        assert!((posterior.effective_sample_size() - 1.6).abs() < 1e-12);
        assert_eq!(posterior.run_columns()[0], "posterior_row");
    }

    #[test]
    fn whole_numbers_are_set_as_integers() {
        let posterior = parse("weight,locality.0.primaries\n1,7\n").unwrap();
        assert_eq!(posterior.sets(0), vec!["locality.0.primaries=7"]);
    }

    #[test]
    fn problems_are_located_at_line_and_column() {
        let error = parse("weight,ties.initial_mean,ties.initial_mean,run.seed\n").unwrap_err();
        assert!(
            error.contains("p.csv:1:3: ties.initial_mean: must name a column once"),
            "{error}"
        );
        assert!(
            error.contains("p.csv:1:4: run.seed: cannot be drawn"),
            "{error}"
        );
        let error = parse("weight,ties.initial_mean\n1,abc\n-1,0.5\n1\n").unwrap_err();
        assert!(
            error.contains("p.csv:2:2: ties.initial_mean: must be a finite number, found `abc`"),
            "{error}"
        );
        assert!(
            error.contains("p.csv:3:1: weight: must be zero or more, found -1"),
            "{error}"
        );
        assert!(
            error.contains("p.csv:4:1: must have 2 fields, as the header, found 1"),
            "{error}"
        );
        let error = parse("weight,ties.initial_mean\n0,0.5\n0,0.1\n").unwrap_err();
        assert!(
            error.contains("p.csv:1:1: weight: the weights must sum to a positive"),
            "{error}"
        );
        let error = parse("ties.initial_mean\n0.5\n").unwrap_err();
        assert!(error.contains("must have a `weight` column"), "{error}");
        let error = parse("weight,distance\n1,2\n").unwrap_err();
        assert!(
            error.contains("must have at least one parameter column"),
            "{error}"
        );
        let error = parse("").unwrap_err();
        assert!(
            error.contains("p.csv:1:1: must start with a header"),
            "{error}"
        );
        let error = parse("weight,ties.initial_mean\n").unwrap_err();
        assert!(
            error.contains("p.csv:2:1: must have at least one row"),
            "{error}"
        );
    }

    #[test]
    fn draws_follow_the_weights_and_never_a_zero_weight() {
        let posterior = parse("weight,ties.initial_mean\n1,0.1\n0,0.2\n3,0.3\n").unwrap();
        let draws = posterior.draws(42, 4000);
        let count = |row: usize| draws.iter().filter(|drawn| **drawn == row).count();
        assert_eq!(count(1), 0);
        assert_eq!(count(0) + count(2), 4000);
        let share = count(2) as f64 / 4000.0;
        assert!((share - 0.75).abs() < 0.03, "{share}");
        assert_eq!(draws, posterior.draws(42, 4000));
        assert_eq!(draws[..10], posterior.draws(42, 10)[..]);
        let last_zero = parse("weight,ties.initial_mean\n1,0.1\n0,0.2\n").unwrap();
        assert!(last_zero.draws(1, 200).iter().all(|row| *row == 0));
    }

    #[test]
    fn sets_and_axes_on_posterior_keys_are_refused() {
        let posterior = parse("weight,ties.initial_mean,locality.0.primaries\n1,0.1,4\n").unwrap();
        assert!(
            posterior
                .check_sets(&["ties.decay_per_week=0.1".into()])
                .is_ok()
        );
        let error = posterior
            .check_sets(&["ties.initial_mean=0.3".into(), "locality=[]".into()])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("p.csv:1:2: ties.initial_mean: is drawn from the posterior in every replicate, so --set `ties.initial_mean` cannot"),
            "{error}"
        );
        assert!(error.contains("p.csv:1:3: locality.0.primaries"), "{error}");
    }

    #[test]
    fn values_the_scenario_refuses_are_located_in_the_posterior() {
        let posterior = parse("weight,ties.initial_mean,ties.no_such_key\n1,0.1,2\n").unwrap();
        let error = posterior.check_rows(None, &[]).unwrap_err().to_string();
        assert!(
            error.contains("p.csv:1:3: ties.no_such_key: unknown key"),
            "{error}"
        );
        let posterior = parse("weight,ties.initial_mean\n1,0.1\n1,1.5\n").unwrap();
        let error = posterior.check_rows(None, &[]).unwrap_err().to_string();
        assert_eq!(
            error,
            "p.csv:3:2: ties.initial_mean: must be a number from 0 to 1, found 1.5"
        );
    }

    #[test]
    fn an_arm_holds_the_parameters_of_each_draw() {
        let posterior = parse("weight,ties.initial_mean\n1,0.1\n1,0.3\n").unwrap();
        let arm = posterior.arm(None, &[], &[1, 0, 1]).unwrap();
        assert_eq!(arm.of(0), arm.of(2));
        assert_ne!(arm.of(0), arm.of(1));
        assert_eq!(checksum(b"").len(), 32);
        assert_ne!(twin_seed(5), 5);
    }
}
