//! A whole analysis: sample the design, evaluate it through the `Model`, estimate the indices of
//! every output, and lay them out as tidy rows (method, output, parameter, index, estimate,
//! interval) for `indices.csv`.

use super::Model;
use super::bootstrap::Bootstrap;
use super::error::GsaError;
use super::evaluate::{Evaluations, evaluate_points};
use super::morris::{MorrisDesign, MorrisIndices, MorrisSample};
use super::saltelli::{SaltelliDesign, SaltelliSample, SobolIndices};
use super::space::ParameterSpace;

/// One estimated index: a row of `indices.csv`. `parameter` is `a` or, for a second-order
/// index, `a:b`; `index` is `S1`, `ST`, `S2`, `mu`, `mu_star` or `sigma`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub method: &'static str,
    pub output: String,
    pub parameter: String,
    pub index: &'static str,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A finished Sobol' analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolAnalysis {
    pub sample: SaltelliSample,
    /// The parameters' values at every row of the design.
    pub points: Vec<Vec<f64>>,
    pub evaluations: Evaluations,
    /// One per output, in the model's output order.
    pub indices: Vec<SobolIndices>,
}

/// Samples a Saltelli design over `space`, runs `model` at every row for `replicates`
/// replicates from `master_seed` (averaging the replicates), and estimates the Sobol' indices of
/// every output, bootstrapping output `k` on stream `k`.
pub fn sobol_analysis(
    model: &dyn Model,
    space: &ParameterSpace,
    design: &SaltelliDesign,
    bootstrap: &Bootstrap,
    replicates: u64,
    master_seed: u64,
    on_done: &(dyn Fn() + Sync),
) -> Result<SobolAnalysis, GsaError> {
    let sample = SaltelliSample::new(space.dimension(), design)?;
    let points = sample.values(space);
    let evaluations = evaluate_points(model, &points, replicates, master_seed, on_done)?;
    Ok(SobolAnalysis::estimate(
        sample,
        points,
        evaluations,
        bootstrap,
    ))
}

impl SobolAnalysis {
    /// The indices of every output from a design's evaluations (however they were obtained: in
    /// memory, or read back from a file), bootstrapping output `k` on stream `k`.
    pub fn estimate(
        sample: SaltelliSample,
        points: Vec<Vec<f64>>,
        evaluations: Evaluations,
        bootstrap: &Bootstrap,
    ) -> SobolAnalysis {
        let indices = (0..evaluations.outputs.len())
            .map(|k| sample.indices(&evaluations.point_means(k), bootstrap, k as u64))
            .collect();
        SobolAnalysis {
            sample,
            points,
            evaluations,
            indices,
        }
    }

    /// Every index as a tidy row: by output, then S1 and ST by parameter, then S2 by pair.
    pub fn rows(&self, space: &ParameterSpace) -> Vec<IndexRow> {
        let keys: Vec<&str> = space.parameters().iter().map(|p| p.key()).collect();
        let mut rows = Vec::new();
        for (output, indices) in self.evaluations.outputs.iter().zip(&self.indices) {
            let row = |parameter: String, index, estimate: &super::Estimate| IndexRow {
                method: "sobol",
                output: output.clone(),
                parameter,
                index,
                estimate: estimate.estimate,
                ci_low: estimate.ci_low,
                ci_high: estimate.ci_high,
            };
            for (i, key) in keys.iter().enumerate() {
                rows.push(row(key.to_string(), "S1", &indices.first[i]));
                rows.push(row(key.to_string(), "ST", &indices.total[i]));
            }
            for (i, j, estimate) in &indices.second {
                rows.push(row(format!("{}:{}", keys[*i], keys[*j]), "S2", estimate));
            }
        }
        rows
    }
}

/// A finished Morris analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisAnalysis {
    pub sample: MorrisSample,
    pub points: Vec<Vec<f64>>,
    pub evaluations: Evaluations,
    pub indices: Vec<MorrisIndices>,
}

/// Samples Morris trajectories over `space`, runs `model` at every point, and computes μ, μ* and
/// σ of every output.
pub fn morris_analysis(
    model: &dyn Model,
    space: &ParameterSpace,
    design: &MorrisDesign,
    bootstrap: &Bootstrap,
    replicates: u64,
    master_seed: u64,
    on_done: &(dyn Fn() + Sync),
) -> Result<MorrisAnalysis, GsaError> {
    let sample = MorrisSample::new(space.dimension(), design)?;
    let points = sample.values(space);
    let evaluations = evaluate_points(model, &points, replicates, master_seed, on_done)?;
    Ok(MorrisAnalysis::estimate(
        sample,
        points,
        evaluations,
        bootstrap,
    ))
}

impl MorrisAnalysis {
    /// μ, μ* and σ of every output from a design's evaluations (however they were obtained).
    pub fn estimate(
        sample: MorrisSample,
        points: Vec<Vec<f64>>,
        evaluations: Evaluations,
        bootstrap: &Bootstrap,
    ) -> MorrisAnalysis {
        let indices = (0..evaluations.outputs.len())
            .map(|k| sample.indices(&evaluations.point_means(k), bootstrap, k as u64))
            .collect();
        MorrisAnalysis {
            sample,
            points,
            evaluations,
            indices,
        }
    }

    /// Every measure as a tidy row: by output, then parameter: mu, mu_star (with its interval),
    /// sigma (μ and σ have no interval: NaN).
    pub fn rows(&self, space: &ParameterSpace) -> Vec<IndexRow> {
        let mut rows = Vec::new();
        for (output, indices) in self.evaluations.outputs.iter().zip(&self.indices) {
            for (i, parameter) in space.parameters().iter().enumerate() {
                let row = |index, estimate, ci_low, ci_high| IndexRow {
                    method: "morris",
                    output: output.clone(),
                    parameter: parameter.key().to_string(),
                    index,
                    estimate,
                    ci_low,
                    ci_high,
                };
                let star = indices.mu_star[i];
                rows.push(row("mu", indices.mu[i], f64::NAN, f64::NAN));
                rows.push(row("mu_star", star.estimate, star.ci_low, star.ci_high));
                rows.push(row("sigma", indices.sigma[i], f64::NAN, f64::NAN));
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsa::analytic::Ishigami;
    use crate::gsa::sobol_seq::Scrambling;

    // The whole pipeline through the trait gives the same rows on one thread and on two, and
    // lays them out by output, parameter and index.
    #[test]
    fn analyses_do_not_depend_on_thread_count() {
        let space = Ishigami::space();
        let design = SaltelliDesign {
            base_samples: 64,
            second_order: true,
            scrambling: Scrambling::Owen,
            seed: 1,
        };
        let bootstrap = Bootstrap {
            resamples: 50,
            ..Bootstrap::default()
        };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let sobol = sobol_analysis(
                    &Ishigami::default(),
                    &space,
                    &design,
                    &bootstrap,
                    1,
                    0,
                    &|| {},
                )
                .unwrap();
                let morris_design = MorrisDesign {
                    trajectories: 5,
                    levels: 4,
                    seed: 2,
                };
                let morris = morris_analysis(
                    &Ishigami::default(),
                    &space,
                    &morris_design,
                    &bootstrap,
                    1,
                    0,
                    &|| {},
                )
                .unwrap();
                (sobol.rows(&space), morris.rows(&space))
            })
        };
        let (sobol, morris) = run(1);
        // Debug text, because NaN (the intervals μ and σ lack) is not equal to itself.
        assert_eq!(format!("{:?}", (&sobol, &morris)), format!("{:?}", run(2)));
        assert_eq!(sobol.len(), 3 * 2 + 3);
        assert_eq!((sobol[0].parameter.as_str(), sobol[0].index), ("x1", "S1"));
        assert_eq!(sobol[8].parameter, "x2:x3");
        assert_eq!(morris.len(), 9);
        assert_eq!(morris[4].index, "mu_star");
        assert!(morris[3].ci_low.is_nan());
    }
}
