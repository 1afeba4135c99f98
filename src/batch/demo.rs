//! `patchwork demo`'s run: a narrated `Simulation` of the demo scenario (by default a consultation
//! team whose minder leaves in the second school year, `DEMO_SETS`), stepped week by week from
//! replicate 0's seed, and, with `--compare`, the same seed with the minder switched off. Narration
//! draws no random numbers, so the narrated run is the run `patchwork run` would make.
//!
//! `Demo::load` loads the scenarios, `run` runs them, `stories` tells them (`output::demo` words
//! them, `told_week` a week for the terminal), and `files` renders `timeline.md` and the animation (and,
//! with `--compare`, the same without the minder).

use std::path::Path;

use crate::estimate::{Job, RunCost};
use crate::model::{Params, RunOutput, Simulation, rng};
use crate::output::demo::{Story, timeline_markdown};
use crate::output::files::{self, DEMO_WITHOUT_MINDER_GIF, TIMELINE_WITHOUT_MINDER_MD};
use crate::output::{RenderedFile, ReportError};
use crate::scenario::{self, Scenario, ScenarioError};

/// The demo's built-in scenario, as overrides of the defaults: the phase 2 consultation team
/// with a minder, who leaves in term four (half-term four) of the second school year (week 76).
pub const DEMO_SETS: [&str; 4] = [
    "name=demo",
    "coordination.mode=team",
    "coordination.minder=true",
    "event=[{week=76, kind=\"minder_withdrawn\"}]",
];

/// The override that makes `--compare`'s second run: the same scenario without the minder.
const WITHOUT_MINDER: &str = "coordination.minder=false";

/// The demo's scenarios, loaded and checked.
#[derive(Debug)]
pub struct Demo {
    pub scenario: Scenario,
    /// With `--compare`: the same scenario without the minder.
    pub without: Option<Scenario>,
    /// Weeks told: those asked for, at most the horizon.
    pub weeks: u32,
    /// The seed of both runs: replicate 0's of the master seed.
    pub seed: u64,
}

/// The narrated runs of a demo.
#[derive(Debug)]
pub struct DemoRuns {
    pub with: RunOutput,
    pub without: Option<RunOutput>,
}

impl Demo {
    /// Loads the scenario (the built-in demo's when `path` is `None`) with `sets`, and with
    /// `compare` the same without the minder.
    pub fn load(
        path: Option<&Path>,
        sets: &[String],
        compare: bool,
        weeks: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Demo, ScenarioError> {
        let mut all_sets: Vec<String> = Vec::new();
        if path.is_none() {
            all_sets.extend(DEMO_SETS.iter().map(|set| set.to_string()));
        }
        all_sets.extend(sets.iter().cloned());
        let scenario = scenario::load(path, &all_sets)?;
        let without = if compare {
            let mut without_sets = all_sets.clone();
            without_sets.push(WITHOUT_MINDER.to_string());
            Some(scenario::load(path, &without_sets)?)
        } else {
            None
        };
        let horizon = scenario.params.horizon_weeks;
        Ok(Demo {
            weeks: weeks.unwrap_or(horizon).min(horizon),
            seed: rng::replicate_seed(seed.unwrap_or(scenario.seed), 0),
            scenario,
            without,
        })
    }

    /// What the demo costs, for the memory check.
    pub fn job(&self) -> Job {
        let narrated = if self.without.is_some() { 2.0 } else { 1.0 };
        Job {
            run: RunCost::of(&self.scenario.params),
            runs: narrated,
            threads: 1.0,
            kept: narrated,
            // A narrated run records its first patch's network every week.
            frames: narrated * f64::from(self.weeks),
        }
    }

    /// Runs the narrated simulations.
    pub fn run(&self) -> DemoRuns {
        let narrate = |params: &Params| {
            let mut simulation = Simulation::narrated(params, self.seed);
            for _ in 0..self.weeks {
                simulation.step();
            }
            simulation.finish()
        };
        DemoRuns {
            with: narrate(&self.scenario.params),
            without: self
                .without
                .as_ref()
                .map(|without| narrate(&without.params)),
        }
    }

    /// The stories of the runs, told of the scenario's first locality.
    pub fn stories<'a>(&'a self, runs: &'a DemoRuns) -> (Story<'a>, Option<Story<'a>>) {
        let locality = &self.scenario.params.localities[0];
        (
            Story {
                locality,
                output: &runs.with,
            },
            runs.without
                .as_ref()
                .map(|output| Story { locality, output }),
        )
    }

    /// `timeline.md` and `demo.gif` (with `--compare`, also those without the minder).
    pub fn files(&self, runs: &DemoRuns) -> Result<Vec<RenderedFile>, ReportError> {
        let (with_story, without_story) = self.stories(runs);
        let name = &self.scenario.name;
        let mut rendered = vec![RenderedFile {
            file_name: files::TIMELINE_MD,
            bytes: timeline_markdown(&format!("{name}: what happened"), &with_story, self.weeks)
                .into_bytes(),
        }];
        if let Some(without_story) = &without_story {
            rendered.push(RenderedFile {
                file_name: TIMELINE_WITHOUT_MINDER_MD,
                bytes: timeline_markdown(
                    &format!("{name} without the minder: what happened"),
                    without_story,
                    self.weeks,
                )
                .into_bytes(),
            });
        }
        // The animation: a frame every other week, a fifth of a second each, captioned with the
        // events of the patch it draws (the first).
        let gif = |file_name: &'static str, title: &str, output: &RunOutput| {
            let events: Vec<(u32, &str)> = output
                .events
                .iter()
                .filter(|event| event.locality == 0)
                .map(|event| (event.week, event.label.as_str()))
                .collect();
            crate::output::plot::animation::network_gif(&output.network, title, &events, 2, 20)
                .map(|bytes| RenderedFile { file_name, bytes })
                .map_err(|reason| ReportError::Render { file_name, reason })
        };
        rendered.push(gif(
            files::DEMO_GIF,
            "the professional network",
            &runs.with,
        )?);
        if let Some(without) = &runs.without {
            let title = "the network without the minder";
            rendered.push(gif(DEMO_WITHOUT_MINDER_GIF, title, without)?);
        }
        Ok(rendered)
    }
}
