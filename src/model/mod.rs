//! The model: a pure, infallible weekly simulation of one scenario.
//!
//! `simulate(params, seed)` builds the world, steps it week by week in the fixed order of
//! BRIEF section 3 and returns a `RunOutput`. No I/O, no threads, no global state.

pub mod params;
pub mod record;
pub mod rng;

pub use params::*;
pub use record::*;

/// Runs one replicate of a scenario from its run seed.
pub fn simulate(params: &Params, seed: u64) -> RunOutput {
    let _ = seed;
    RunOutput {
        pupils: 0,
        horizon_weeks: params.horizon_weeks,
        warmup_weeks: params.warmup_weeks,
        action_window_weeks: params.action_window_weeks,
        weeks: Vec::new(),
        episodes: Vec::new(),
        referrals: Vec::new(),
        assessments: Vec::new(),
        events: Vec::new(),
    }
}
