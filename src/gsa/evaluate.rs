//! A design's points through a `Model`: every point × replicate, in parallel, collected in order.
//!
//! Replicate `r` of every point runs from `rng::replicate_seed(master_seed, r)`, so points are
//! compared on common random numbers and a point's outputs depend only on the point, the master
//! seed and `r`, never on the thread count. A failure is reported for the first failing point in
//! design order, whichever thread met it first.

use rayon::prelude::*;

use super::Model;
use super::error::GsaError;
use crate::model::rng;

/// The outputs of every run of a design: `runs[point][replicate][output]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluations {
    pub outputs: Vec<String>,
    pub replicate_seeds: Vec<u64>,
    pub runs: Vec<Vec<Vec<f64>>>,
}

impl Evaluations {
    /// Output `output` of every point, averaged over replicates.
    pub fn point_means(&self, output: usize) -> Vec<f64> {
        self.runs
            .iter()
            .map(|replicates| {
                replicates.iter().map(|run| run[output]).sum::<f64>() / replicates.len() as f64
            })
            .collect()
    }
}

/// Evaluates `model` at each of `points` for replicates `0..replicates` (at least one), calling
/// `on_done` once per finished point from whichever thread ran it. Runs on the current rayon pool.
pub fn evaluate_points(
    model: &dyn Model,
    points: &[Vec<f64>],
    replicates: u64,
    master_seed: u64,
    on_done: &(dyn Fn() + Sync),
) -> Result<Evaluations, GsaError> {
    let outputs = model.outputs();
    let replicate_seeds: Vec<u64> = (0..replicates.max(1))
        .map(|r| rng::replicate_seed(master_seed, r))
        .collect();
    let results: Vec<Result<Vec<Vec<f64>>, GsaError>> = points
        .par_iter()
        .enumerate()
        .map(|(point_index, point)| {
            let runs = replicate_seeds
                .iter()
                .enumerate()
                .map(|(replicate, &seed)| {
                    let values =
                        model
                            .evaluate(point, seed)
                            .map_err(|source| GsaError::Evaluation {
                                point: point_index,
                                replicate: replicate as u64,
                                source,
                            })?;
                    if values.len() != outputs.len() {
                        return Err(GsaError::OutputCount {
                            point: point_index,
                            expected: outputs.len(),
                            found: values.len(),
                        });
                    }
                    Ok(values)
                })
                .collect();
            on_done();
            runs
        })
        .collect();
    let runs = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Evaluations {
        outputs,
        replicate_seeds,
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsa::EvaluationError;

    /// Returns the point's first value plus a number drawn from the seed; fails at x = 13.
    struct Noisy;

    impl Model for Noisy {
        fn outputs(&self) -> Vec<String> {
            vec!["y".into(), "seed_part".into()]
        }
        fn evaluate(&self, point: &[f64], seed: u64) -> Result<Vec<f64>, EvaluationError> {
            if point[0] == 13.0 {
                return Err(EvaluationError("unlucky".into()));
            }
            let noise = (seed % 1000) as f64;
            Ok(vec![point[0] + noise, noise])
        }
    }

    // Replicate r gets the same seed at every point (common random numbers), results come back
    // in point order on any pool size, and the first failing point in order is the one reported.
    #[test]
    fn runs_are_in_order_on_common_seeds() {
        let points: Vec<Vec<f64>> = (0..50).map(|i| vec![f64::from(i)]).collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| evaluate_points(&Noisy, &points[..13], 3, 9, &|| {}))
                .unwrap()
        };
        let one = run(1);
        assert_eq!(one, run(2));
        for (i, replicates) in one.runs.iter().enumerate() {
            for (r, values) in replicates.iter().enumerate() {
                assert_eq!(values[1], one.runs[0][r][1]);
                assert_eq!(values[0] - values[1], i as f64);
            }
        }
        let means = one.point_means(0);
        assert_eq!(means[5] - means[4], 1.0);
        let failed = evaluate_points(&Noisy, &points, 2, 9, &|| {}).unwrap_err();
        assert!(matches!(
            failed,
            GsaError::Evaluation {
                point: 13,
                replicate: 0,
                ..
            }
        ));
    }
}
