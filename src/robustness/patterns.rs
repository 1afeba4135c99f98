//! The twelve patterns of docs/model.md ("Patterns"), as data: each pattern's arms (`--set`
//! overrides of the base scenario, in the order `tests/it/patterns.rs` runs them), the one effect
//! that says whether it holds, and the direction that means it does.
//!
//! `tests/it/patterns.rs` takes its arms from here, so the pattern tests and `patchwork
//! robustness` compare the same scenarios. The tests check more than one thing for some patterns
//! (pattern 1 four measures, pattern 7 tie strength in each of six terms as well); robustness
//! follows a single effect per pattern, the one named in `Pattern::effect_text`:
//!
//! - 4 (a staff loss with and without a minder) and 7 (a restructure) compare windows after an
//!   event: the effect is, replicate by replicate, the Kaplan–Meier median weeks to help of the
//!   needs recognised in the window after the event (six 13-week windows for 4, six terms for 7,
//!   the windows the test pools), the hit arm less its own calm arm; for 4, that excess with a
//!   minder less the excess without one.
//! - 5 (cluster size) compares three sizes: the effect is the smaller of the middle size's two
//!   paired gaps in benefit (over one school and over 24), the benefit being the fall in unmet need
//!   from ad hoc to a team with minder and core group; it holds when that gap's interval is above
//!   zero, that is when both are (the test's two assertions).
//! - 9 (co-location) is an equivalence: the 90% interval of the paired difference inside ±10% of
//!   the dispersed arm's mean (two one-sided tests, as the test).
//! - 10 (diminishing returns): the weeks saved per meeting a year added at the second step (every
//!   6 to every 3 term weeks) less those at the first (every 13 to every 6), meetings a year counted
//!   from the runs.
//!
//! Events happen at `event_week` (the tests use week 286, 26 weeks after the default five-year
//! warm-up); `catalogue` takes it so that a shorter run can place them inside its horizon.

/// A consultation team instead of ad hoc referral.
pub const TEAM: &str = "coordination.mode=team";

/// Weeks in a term window of pattern 4 and in the six windows it pools.
pub const LOSS_WINDOW_WEEKS: u32 = 13;
pub const LOSS_WINDOWS: u32 = 6;

/// One arm: a label and its overrides of the base scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    pub label: &'static str,
    pub sets: Vec<String>,
}

/// A number read from one replicate of one arm.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// A measure of `metrics::measures`, by name.
    Measure(&'static str),
    /// Kaplan–Meier median weeks from recognition to help of the needs recognised in weeks
    /// `[from, until)`, follow-up censored at closure or the horizon (interpolated between steps).
    MedianWeeksToHelpRecognisedIn { from: u32, until: u32 },
    /// Forum meetings a year over the measured weeks.
    MeetingsAYear,
}

/// How a pattern's arms combine into its effect, per replicate (arms by index into `arms`).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `b − a`.
    Difference { a: usize, b: usize },
    /// `(b − a) − (d − c)`.
    DifferenceOfDifferences {
        a: usize,
        b: usize,
        c: usize,
        d: usize,
    },
    /// With benefit `adhoc − team` at each size (pairs of arms, small, middle and large), the
    /// smaller (by its interval's lower end) of `benefit(middle) − benefit(small)` and
    /// `benefit(middle) − benefit(large)`.
    PeakAtMiddle {
        small: (usize, usize),
        middle: (usize, usize),
        large: (usize, usize),
    },
    /// `b − a`, judged by its 90% interval against ±`margin` × the mean of `a`.
    Equivalence { a: usize, b: usize, margin: f64 },
    /// Weeks saved per meeting a year added: `(x(usual) − x(often)) / (m(often) − m(usual)) −
    /// (x(rare) − x(usual)) / (m(usual) − m(rare))`, `m` the arms' mean `MeetingsAYear`.
    DiminishingReturns {
        rare: usize,
        usual: usize,
        often: usize,
    },
}

/// The side of zero on which the effect means the pattern holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The effect's 95% interval is below zero.
    Lower,
    /// The effect's 95% interval is above zero.
    Higher,
    /// The effect's 90% interval is inside the equivalence margin.
    Within,
}

impl Direction {
    /// `lower`, `higher` or `within` (as in the output files).
    pub fn name(self) -> &'static str {
        match self {
            Direction::Lower => "lower",
            Direction::Higher => "higher",
            Direction::Within => "within",
        }
    }
}

/// One pattern of docs/model.md.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// 1 to 12, as in docs/model.md.
    pub number: u32,
    /// The pattern in a few words.
    pub statement: &'static str,
    pub arms: Vec<Arm>,
    /// What each arm yields for the effect.
    pub reading: Reading,
    pub effect: Effect,
    pub direction: Direction,
    /// The effect in words, for the report.
    pub effect_text: &'static str,
}

fn sets(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn arm(label: &'static str, items: &[&str]) -> Arm {
    Arm {
        label,
        sets: sets(items),
    }
}

/// The twelve patterns, in order, with events at `event_week`.
pub fn catalogue(event_week: u32) -> Vec<Pattern> {
    let loss = format!("event=[{{week={event_week}, kind=\"leave\", who=\"any\", share=0.3}}]");
    let restructure = format!(
        "event=[{{week={event_week}, kind=\"restructure\", share=0.4, suspend_forum_weeks=8}}]"
    );
    let six_terms = (6.0 * 52.0 / 3.0_f64).round() as u32;
    let team_minder_core = [
        TEAM,
        "coordination.minder=true",
        "coordination.core_group=true",
    ];
    let with = |size: &[&str], extra: &[&str]| -> Vec<String> {
        size.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let one = ["locality.0.primaries=1", "locality.0.secondaries=0"];
    let middle = ["locality.0.primaries=5", "locality.0.secondaries=1"];
    let large = ["locality.0.primaries=20", "locality.0.secondaries=4"];
    let split = "locality.0.social_care_teams=3";
    let turnover = |minder: bool, rate: &str| Arm {
        label: match (minder, rate) {
            (false, "0.05") => "turnover 5%, no minder",
            (false, _) => "turnover 30%, no minder",
            (true, "0.05") => "turnover 5%, minder",
            (true, _) => "turnover 30%, minder",
        },
        sets: vec![
            TEAM.to_string(),
            format!("coordination.minder={minder}"),
            format!("turnover.annual_rate={rate}"),
            format!("turnover.roles.social_worker.annual_rate={rate}"),
        ],
    };
    let every = |label: &'static str, weeks: u32| Arm {
        label,
        sets: vec![
            TEAM.to_string(),
            format!("coordination.meeting_interval_weeks={weeks}"),
        ],
    };
    vec![
        Pattern {
            number: 1,
            statement: "a consultation team beats ad hoc referral",
            arms: vec![arm("ad hoc", &[]), arm("team", &[TEAM])],
            reading: Reading::Measure("median_weeks_to_help"),
            effect: Effect::Difference { a: 0, b: 1 },
            direction: Direction::Lower,
            effect_text: "median weeks to help, team less ad hoc",
        },
        Pattern {
            number: 2,
            statement: "a direct SENCO–social worker line cuts referrals",
            arms: vec![
                arm("ad hoc", &[]),
                arm("direct line", &["coordination.direct_line=true"]),
            ],
            reading: Reading::Measure("referrals_per_10k"),
            effect: Effect::Difference { a: 0, b: 1 },
            direction: Direction::Lower,
            effect_text: "school referrals per 10,000 pupils a year, direct line less ad hoc",
        },
        Pattern {
            number: 3,
            statement: "changing membership raises inertia",
            arms: vec![
                arm("team", &[TEAM]),
                arm("network", &["coordination.mode=network"]),
            ],
            reading: Reading::Measure("inertia"),
            effect: Effect::Difference { a: 0, b: 1 },
            direction: Direction::Higher,
            effect_text: "inertia, network less team",
        },
        Pattern {
            number: 4,
            statement: "a minder softens a loss of 30% of staff",
            arms: vec![
                Arm {
                    label: "team, minder",
                    sets: sets(&[TEAM, "coordination.minder=true"]),
                },
                Arm {
                    label: "team, minder, loss",
                    sets: vec![TEAM.into(), "coordination.minder=true".into(), loss.clone()],
                },
                Arm {
                    label: "team, no minder",
                    sets: sets(&[TEAM, "coordination.minder=false"]),
                },
                Arm {
                    label: "team, no minder, loss",
                    sets: vec![TEAM.into(), "coordination.minder=false".into(), loss],
                },
            ],
            reading: Reading::MedianWeeksToHelpRecognisedIn {
                from: event_week,
                until: event_week + LOSS_WINDOWS * LOSS_WINDOW_WEEKS,
            },
            effect: Effect::DifferenceOfDifferences {
                a: 0,
                b: 1,
                c: 2,
                d: 3,
            },
            direction: Direction::Lower,
            effect_text: "excess median weeks to help over the 78 weeks after the loss, \
                          with a minder less without",
        },
        Pattern {
            number: 5,
            statement: "the benefit per child peaks at a middle cluster size",
            arms: vec![
                arm("1 school, ad hoc", &one),
                Arm {
                    label: "1 school, team",
                    sets: with(&one, &team_minder_core),
                },
                arm("6 schools, ad hoc", &middle),
                Arm {
                    label: "6 schools, team",
                    sets: with(&middle, &team_minder_core),
                },
                arm("24 schools, ad hoc", &large),
                Arm {
                    label: "24 schools, team",
                    sets: with(&large, &team_minder_core),
                },
            ],
            reading: Reading::Measure("unmet_need_child_weeks_per_100"),
            effect: Effect::PeakAtMiddle {
                small: (0, 1),
                middle: (2, 3),
                large: (4, 5),
            },
            direction: Direction::Higher,
            effect_text: "the middle size's fall in unmet need per 100 pupils (team, minder and \
                          core group against ad hoc) less the larger of the two other sizes'",
        },
        Pattern {
            number: 6,
            statement: "three social-care teams erode the team's advantage",
            arms: vec![
                arm("team, 1 social-care team", &[TEAM]),
                arm("ad hoc, 1 social-care team", &[]),
                arm("team, 3 social-care teams", &[TEAM, split]),
                arm("ad hoc, 3 social-care teams", &[split]),
            ],
            reading: Reading::Measure("median_weeks_to_help"),
            effect: Effect::DifferenceOfDifferences {
                a: 0,
                b: 1,
                c: 2,
                d: 3,
            },
            direction: Direction::Higher,
            effect_text: "the team's advantage in median weeks to help with one social-care \
                          team less with three",
        },
        Pattern {
            number: 7,
            statement: "a restructure costs six terms",
            arms: vec![
                arm("team", &[TEAM]),
                Arm {
                    label: "team, restructure",
                    sets: vec![TEAM.into(), restructure],
                },
            ],
            reading: Reading::MedianWeeksToHelpRecognisedIn {
                from: event_week,
                until: event_week + six_terms,
            },
            effect: Effect::Difference { a: 0, b: 1 },
            direction: Direction::Higher,
            effect_text: "median weeks to help over the six terms after the restructure, \
                          restructured less calm",
        },
        Pattern {
            number: 8,
            statement: "a purposeful forum beats one that only meets",
            arms: vec![
                arm("purposeful team", &[TEAM]),
                arm(
                    "team without owners",
                    &[TEAM, "coordination.purposeful=false"],
                ),
            ],
            reading: Reading::Measure("median_weeks_to_help"),
            effect: Effect::Difference { a: 0, b: 1 },
            direction: Direction::Higher,
            effect_text: "median weeks to help, forum without owners less purposeful",
        },
        Pattern {
            number: 9,
            statement: "co-location is not essential",
            arms: vec![
                arm(
                    "team, minder, dispersed",
                    &[TEAM, "coordination.minder=true"],
                ),
                arm(
                    "team, minder, co-located",
                    &[
                        TEAM,
                        "coordination.minder=true",
                        "locality.0.co_located=true",
                    ],
                ),
            ],
            reading: Reading::Measure("median_weeks_to_help"),
            effect: Effect::Equivalence {
                a: 0,
                b: 1,
                margin: 0.10,
            },
            direction: Direction::Within,
            effect_text: "median weeks to help, co-located less dispersed, within ±10% of \
                          the dispersed mean (90% interval)",
        },
        Pattern {
            number: 10,
            statement: "meeting more often has diminishing returns",
            arms: vec![
                every("every 13 term weeks", 13),
                every("every 6 term weeks", 6),
                every("every 3 term weeks", 3),
            ],
            reading: Reading::Measure("median_weeks_to_help"),
            effect: Effect::DiminishingReturns {
                rare: 0,
                usual: 1,
                often: 2,
            },
            direction: Direction::Lower,
            effect_text: "weeks to help saved per meeting a year added, every 6 to every 3 \
                          term weeks less every 13 to every 6",
        },
        Pattern {
            number: 11,
            statement: "a minder flattens the turnover slope",
            arms: vec![
                turnover(true, "0.05"),
                turnover(true, "0.3"),
                turnover(false, "0.05"),
                turnover(false, "0.3"),
            ],
            reading: Reading::Measure("median_weeks_to_help"),
            effect: Effect::DifferenceOfDifferences {
                a: 0,
                b: 1,
                c: 2,
                d: 3,
            },
            direction: Direction::Lower,
            effect_text: "rise in median weeks to help from 5% to 30% turnover, with a minder \
                          less without",
        },
        Pattern {
            number: 12,
            statement: "small pastoral units recognise needs sooner",
            arms: vec![
                arm("undivided 1,500", &["locality.0.secondary_pupils=1500"]),
                arm(
                    "units of 100",
                    &[
                        "locality.0.secondary_pupils=1500",
                        "locality.0.pastoral_unit_pupils=100",
                    ],
                ),
            ],
            reading: Reading::Measure("median_weeks_to_recognition"),
            effect: Effect::Difference { a: 0, b: 1 },
            direction: Direction::Lower,
            effect_text: "median weeks to recognition, units of 100 less undivided",
        },
    ]
}

/// Pattern `number` (1 to 12) of the catalogue, with events at `event_week`.
pub fn pattern(number: u32, event_week: u32) -> Option<Pattern> {
    catalogue(event_week)
        .into_iter()
        .find(|p| p.number == number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Measures;

    // Twelve patterns numbered 1 to 12, every measure a measure, every arm index an arm, every arm
    // a scenario the built-in baseline accepts.
    #[test]
    fn the_catalogue_is_complete_and_loads() {
        let patterns = catalogue(286);
        assert_eq!(
            patterns.iter().map(|p| p.number).collect::<Vec<_>>(),
            (1..=12).collect::<Vec<_>>()
        );
        for p in &patterns {
            if let Reading::Measure(name) = p.reading {
                assert!(Measures::NAMES.contains(&name), "{name}");
            }
            let n = p.arms.len();
            let indices: Vec<usize> = match p.effect {
                Effect::Difference { a, b } | Effect::Equivalence { a, b, .. } => vec![a, b],
                Effect::DifferenceOfDifferences { a, b, c, d } => vec![a, b, c, d],
                Effect::PeakAtMiddle {
                    small,
                    middle,
                    large,
                } => vec![small.0, small.1, middle.0, middle.1, large.0, large.1],
                Effect::DiminishingReturns { rare, usual, often } => vec![rare, usual, often],
            };
            assert!(indices.iter().all(|&i| i < n), "pattern {}", p.number);
            for arm in &p.arms {
                crate::scenario::load(None, &arm.sets)
                    .unwrap_or_else(|e| panic!("pattern {} {}: {e}", p.number, arm.label));
            }
        }
        assert_eq!(pattern(7, 286).unwrap().arms.len(), 2);
        assert!(pattern(13, 286).is_none());
    }
}
