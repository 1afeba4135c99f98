//! Design generation: the values each axis takes and which of them make each point.
//!
//! Every design reduces to the same shape: each axis has a list of *levels* (values, each with the
//! place in the sweep file it came from) and point `p` takes one level of each axis. Factorial:
//! every combination, the last axis varying fastest (nested loops in the order the axes were
//! written). Zip: level `p` of every axis. Latin hypercube: `samples` levels per axis, drawn once
//! from the named stream `sweep.lhs` of the master seed (so the same file gives the same points),
//! level `p` of every axis. Points are computed from their index, never listed, so a sweep of a
//! million points costs no memory here.
//!
//! Generated numbers are rounded to six decimals, the precision of the output files, so that the
//! value written in `runs.csv` is exactly the value the run used.

use rand::Rng;

use crate::model::rng;
use crate::scenario::{Location, Node, Problem, Value};

use super::spec::{AxisValues, DesignKind, SweepSpec, axis_path};

/// One axis with its levels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub key: String,
    pub also: Vec<String>,
    pub levels: Vec<Node>,
    pub key_at: Location,
}

/// The points of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Design {
    pub kind: DesignKind,
    pub axes: Vec<Axis>,
    /// Number of points.
    pub points: u64,
}

impl Design {
    /// Builds the levels of every axis. `whole_key(key)` says whether a key holds whole numbers
    /// (its default is written as one), so that a range of whole bounds gives whole numbers;
    /// `seed` seeds the Latin hypercube.
    pub fn generate(
        spec: &SweepSpec,
        whole_key: &dyn Fn(&str) -> bool,
        seed: u64,
        problems: &mut Vec<Problem>,
    ) -> Option<Design> {
        let samples = u64::from(spec.samples.unwrap_or(1));
        let axes: Vec<Axis> = spec
            .axes
            .iter()
            .enumerate()
            .map(|(axis_index, axis)| {
                let whole = |range_whole: bool| range_whole && whole_key(&axis.key);
                let levels = match (&axis.values, spec.design) {
                    (AxisValues::List(items), DesignKind::Lhs) => {
                        let positions = lhs_positions("sweep.lhs", seed, axis_index, samples);
                        positions
                            .into_iter()
                            .map(|(_, position)| {
                                let index =
                                    ((position * items.len() as f64) as usize).min(items.len() - 1);
                                items[index].clone()
                            })
                            .collect()
                    }
                    (AxisValues::List(items), _) => items.clone(),
                    (
                        AxisValues::Range {
                            min,
                            max,
                            whole: range_whole,
                            at,
                            ..
                        },
                        DesignKind::Lhs,
                    ) => lhs_positions("sweep.lhs", seed, axis_index, samples)
                        .into_iter()
                        .map(|(stratum, position)| {
                            let width = max - min;
                            let value = min + position * width;
                            let value = if whole(*range_whole) {
                                Value::Integer(value.round() as i64)
                            } else {
                                let n = samples as f64;
                                let low = min + width * stratum as f64 / n;
                                let high = min + width * (stratum + 1) as f64 / n;
                                Value::Float(snap_within(value, low, high))
                            };
                            Node::new(value, at.clone())
                        })
                        .collect(),
                    (
                        AxisValues::Range {
                            min,
                            max,
                            steps,
                            whole: range_whole,
                            at,
                        },
                        _,
                    ) => {
                        let steps = steps.unwrap_or(1);
                        (0..steps)
                            .map(|step| {
                                let value = if steps == 1 {
                                    *min
                                } else {
                                    min + (max - min) * f64::from(step) / f64::from(steps - 1)
                                };
                                let value = if whole(*range_whole) {
                                    Value::Integer(value.round() as i64)
                                } else {
                                    Value::Float(round6(value))
                                };
                                Node::new(value, at.clone())
                            })
                            .collect()
                    }
                };
                Axis {
                    key: axis.key.clone(),
                    also: axis.also.clone(),
                    levels,
                    key_at: axis.key_at.clone(),
                }
            })
            .collect();
        let points = match spec.design {
            DesignKind::Factorial => axes.iter().try_fold(1u64, |product, axis| {
                product.checked_mul(axis.levels.len() as u64)
            }),
            DesignKind::Zip => Some(axes.first().map_or(1, |axis| axis.levels.len() as u64)),
            DesignKind::Lhs => Some(samples),
        };
        let points = points.filter(|&points| points <= crate::scenario::limits::SWEEP_POINTS);
        let Some(points) = points else {
            let last = axes
                .last()
                .map_or(String::new(), |axis| axis_path(&axis.key));
            let at = axes
                .last()
                .map(|axis| axis.key_at.clone())
                .expect("an overflow needs axes");
            problems.push(Problem::new(
                at,
                last,
                format!(
                    "a sweep may have at most {} points, found more (the product of the axes' \
                     lengths); use fewer values or an lhs design",
                    crate::scenario::limits::SWEEP_POINTS
                ),
            ));
            return None;
        };
        Some(Design {
            kind: spec.design,
            axes,
            points,
        })
    }

    /// The level of each axis at `point` (below `points`).
    pub fn level_indices(&self, point: u64) -> Vec<usize> {
        match self.kind {
            DesignKind::Factorial => {
                let mut remainder = point;
                let mut indices = vec![0; self.axes.len()];
                for (slot, axis) in indices.iter_mut().zip(&self.axes).rev() {
                    let count = axis.levels.len() as u64;
                    *slot = (remainder % count) as usize;
                    remainder /= count;
                }
                indices
            }
            DesignKind::Zip | DesignKind::Lhs => vec![point as usize; self.axes.len()],
        }
    }

    /// The value of each axis at `point`.
    pub(crate) fn point_values(&self, point: u64) -> Vec<&Node> {
        self.level_indices(point)
            .into_iter()
            .zip(&self.axes)
            .map(|(level, axis)| &axis.levels[level])
            .collect()
    }
}

/// For each sample of an lhs axis: its stratum and its position in 0..1 (inside the stratum).
/// The strata are a random permutation of `0..samples`; the position within each is uniform. The
/// axis draws from the named stream `stream` of `seed` (the sweep's is `sweep.lhs`; `robustness`
/// has its own).
pub(crate) fn lhs_positions(
    stream: &str,
    seed: u64,
    axis_index: usize,
    samples: u64,
) -> Vec<(u64, f64)> {
    let mut generator = rng::stream(seed, stream, axis_index as u64);
    let mut strata: Vec<u64> = (0..samples).collect();
    for last in (1..strata.len()).rev() {
        let other = generator.random_range(0..=last);
        strata.swap(last, other);
    }
    strata
        .into_iter()
        .map(|stratum| {
            let offset: f64 = generator.random();
            (stratum, (stratum as f64 + offset) / samples as f64)
        })
        .collect()
}

fn round6(value: f64) -> f64 {
    let rounded = (value * 1e6).round() / 1e6;
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// `value` rounded to six decimals, kept inside `low..high` (its stratum) when rounding would
/// carry it over an edge.
fn snap_within(value: f64, low: f64, high: f64) -> f64 {
    let rounded = round6(value);
    if rounded < low {
        (value * 1e6).ceil() / 1e6
    } else if rounded >= high && high > low {
        (value * 1e6).floor() / 1e6
    } else {
        rounded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::sweep::spec::AxisSpec;

    fn at() -> Location {
        Location::new("s.toml".into(), 1, Some((1, 1)))
    }

    fn list(key: &str, values: &[i64]) -> AxisSpec {
        AxisSpec {
            key: key.to_string(),
            also: Vec::new(),
            values: AxisValues::List(
                values
                    .iter()
                    .map(|value| Node::new(Value::Integer(*value), at()))
                    .collect(),
            ),
            key_at: at(),
        }
    }

    fn range(key: &str, min: f64, max: f64, steps: Option<u32>) -> AxisSpec {
        AxisSpec {
            key: key.to_string(),
            also: Vec::new(),
            values: AxisValues::Range {
                min,
                max,
                steps,
                whole: false,
                at: at(),
            },
            key_at: at(),
        }
    }

    fn design(kind: DesignKind, samples: Option<u32>, axes: Vec<AxisSpec>) -> Design {
        let spec = SweepSpec {
            design: kind,
            replicates: 1,
            samples,
            axes,
        };
        let mut problems = Vec::new();
        Design::generate(&spec, &|_| false, 9, &mut problems).expect("generates")
    }

    fn numbers(design: &Design, point: u64) -> Vec<f64> {
        design
            .point_values(point)
            .into_iter()
            .map(|node| match node.value {
                Value::Integer(number) => number as f64,
                Value::Float(number) => number,
                _ => f64::NAN,
            })
            .collect()
    }

    #[test]
    fn factorial_nests_the_last_axis_fastest() {
        let design = design(
            DesignKind::Factorial,
            None,
            vec![list("a", &[1, 2]), range("b", 0.1, 0.3, Some(3))],
        );
        assert_eq!(design.points, 6);
        let all: Vec<Vec<f64>> = (0..6).map(|point| numbers(&design, point)).collect();
        assert_eq!(
            all,
            [
                [1.0, 0.1],
                [1.0, 0.2],
                [1.0, 0.3],
                [2.0, 0.1],
                [2.0, 0.2],
                [2.0, 0.3]
            ]
        );
    }

    #[test]
    fn zip_pairs_values_by_position() {
        let design = design(
            DesignKind::Zip,
            None,
            vec![list("a", &[1, 2, 3]), range("b", 0.0, 1.0, Some(3))],
        );
        assert_eq!(design.points, 3);
        assert_eq!(numbers(&design, 2), [3.0, 1.0]);
        assert_eq!(numbers(&design, 1), [2.0, 0.5]);
    }

    #[test]
    fn lhs_has_one_point_per_stratum_of_each_axis() {
        let samples = 17;
        let design = design(
            DesignKind::Lhs,
            Some(samples),
            vec![range("a", 0.05, 0.35, None), range("b", -2.0, 10.0, None)],
        );
        assert_eq!(design.points, u64::from(samples));
        for (axis, (min, max)) in [(0, (0.05, 0.35)), (1, (-2.0, 10.0))] {
            let mut strata: Vec<u64> = (0..design.points)
                .map(|point| {
                    let value = numbers(&design, point)[axis];
                    ((value - min) / (max - min) * f64::from(samples)).floor() as u64
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..u64::from(samples)).collect::<Vec<_>>());
        }
        let again = self::design(
            DesignKind::Lhs,
            Some(samples),
            vec![range("a", 0.05, 0.35, None), range("b", -2.0, 10.0, None)],
        );
        assert_eq!(design, again, "the same seed gives the same points");
    }

    #[test]
    fn no_axes_is_one_point() {
        assert_eq!(design(DesignKind::Factorial, None, Vec::new()).points, 1);
        assert_eq!(design(DesignKind::Zip, None, Vec::new()).points, 1);
    }

    #[test]
    fn rounding_keeps_values_in_their_stratum() {
        assert_eq!(snap_within(0.099_999_9, 0.0, 0.1), 0.099_999);
        assert_eq!(snap_within(0.100_000_1, 0.1, 0.2), 0.1);
        assert_eq!(round6(0.1 + 0.2), 0.3);
    }
}
