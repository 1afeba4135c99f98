//! Net collaborative advantage (Huxham & Vangen): what collaboration gains over agencies working
//! in silos on the same seeds, less what it costs in coordination.
//!
//! The silo counterpart of a scenario is the same scenario with `coordination.mode = "adhoc"` and
//! no minder, direct line or core group, run on the same replicate seeds (the caller builds and
//! runs it). Against it, a scenario's advantage is, replicate by replicate:
//!
//! ```text
//! net = (unmet child-weeks in silos − unmet child-weeks with collaboration)
//!     − (coordination hours with collaboration − coordination hours in silos)
//! ```
//!
//! both per 100 pupils a year, so one hour of professional coordination is set against one
//! child-week of unmet need. The components (and the headline time-to-help and inertia) are kept
//! alongside with their own paired intervals, and `hours_per_child_week_avoided` gives the exchange
//! rate at which collaboration breaks even, for readers who value an hour differently.

use crate::metrics::measures::Measures;
use crate::metrics::paired::PairedDifference;
use crate::metrics::stats::Summary;

/// One scenario against its silo counterpart. Each paired difference is the scenario minus silos.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollaborativeAdvantage {
    pub median_weeks_to_help: PairedDifference,
    pub inertia: PairedDifference,
    /// Child-weeks of unmet need per 100 pupils a year.
    pub unmet_need: PairedDifference,
    /// Coordination hours per 100 pupils a year.
    pub coordination_hours: PairedDifference,
    /// Net advantage per 100 pupils a year (module docs), across replicates.
    pub net: Summary,
    /// Extra coordination hours per child-week of unmet need avoided (ratio of the mean
    /// differences): collaboration pays when a child-week is worth more hours than this. NaN when
    /// collaboration avoided no unmet need.
    pub hours_per_child_week_avoided: f64,
}

/// Why an arm's break-even rate is not shown: it means something only as a trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBreakEven {
    /// Collaboration did not clearly avoid unmet need (the interval reaches zero or above), so no
    /// value of a child-week makes its hours pay.
    NoNeedAvoided,
    /// Collaboration clearly avoided unmet need without clearly spending more hours: it pays at
    /// any value of a child-week.
    NoExtraHours,
}

impl CollaborativeAdvantage {
    /// The break-even rate (`hours_per_child_week_avoided`) where it means something: only when
    /// collaboration clearly avoids unmet need (the paired interval lies below zero) and clearly
    /// spends more coordination hours (its interval lies above zero). Otherwise there is no trade
    /// to price, and the ratio of two differences within the noise is noise itself.
    pub fn break_even(&self) -> Result<f64, NoBreakEven> {
        let clear = |paired: &PairedDifference| !paired.within_noise();
        let avoided = clear(&self.unmet_need) && self.unmet_need.difference < 0.0;
        let extra_hours =
            clear(&self.coordination_hours) && self.coordination_hours.difference > 0.0;
        match (avoided, extra_hours) {
            (false, _) => Err(NoBreakEven::NoNeedAvoided),
            (true, false) => Err(NoBreakEven::NoExtraHours),
            (true, true) => Ok(self.hours_per_child_week_avoided),
        }
    }
}

/// Coordination hours per 100 pupils a year, from the per-pupil measure.
fn coordination_per_100(measures: &Measures) -> f64 {
    measures.coordination_hours_per_child * 100.0
}

/// The advantage of `arm` over `silo`; `silo[r]` and `arm[r]` are replicate `r` of each, run from
/// the same seed.
pub fn collaborative_advantage(silo: &[Measures], arm: &[Measures]) -> CollaborativeAdvantage {
    let pick = |runs: &[Measures], field: fn(&Measures) -> f64| -> Vec<f64> {
        runs.iter().map(field).collect()
    };
    let paired =
        |field: fn(&Measures) -> f64| PairedDifference::of(&pick(silo, field), &pick(arm, field));

    let unmet_need = paired(|measures| measures.unmet_need_child_weeks_per_100);
    let coordination_hours = paired(coordination_per_100);
    let net_by_replicate: Vec<f64> = silo
        .iter()
        .zip(arm)
        .map(|(silo_run, arm_run)| {
            let child_weeks_avoided =
                silo_run.unmet_need_child_weeks_per_100 - arm_run.unmet_need_child_weeks_per_100;
            let extra_hours = coordination_per_100(arm_run) - coordination_per_100(silo_run);
            child_weeks_avoided - extra_hours
        })
        .collect();
    let child_weeks_avoided = -unmet_need.difference;
    let hours_per_child_week_avoided = if child_weeks_avoided > 0.0 {
        coordination_hours.difference / child_weeks_avoided
    } else {
        f64::NAN
    };
    CollaborativeAdvantage {
        median_weeks_to_help: paired(|measures| measures.median_weeks_to_help),
        inertia: paired(|measures| measures.inertia),
        unmet_need,
        coordination_hours,
        net: Summary::of(&net_by_replicate),
        hours_per_child_week_avoided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    fn run(unmet: f64, hours_per_child: f64, median: f64) -> Measures {
        Measures {
            unmet_need_child_weeks_per_100: unmet,
            coordination_hours_per_child: hours_per_child,
            median_weeks_to_help: median,
            inertia: 0.5,
            ..Measures::undefined()
        }
    }

    /// Silo replicates: unmet 300 and 320, 1.0 and 1.2 coordination hours per child (100 and 120
    /// per 100 pupils). With collaboration: unmet 200 and 260, 1.5 and 1.6 hours per child (150,
    /// 160). Replicate nets: (300 − 200) − (150 − 100) = 50 and (320 − 260) − (160 − 120) = 20,
    /// mean 35. Child-weeks avoided 80 on average, extra hours 45: 0.5625 hours per child-week.
    #[test]
    fn matches_hand_worked_example() {
        let silo = [run(300.0, 1.0, 12.0), run(320.0, 1.2, 14.0)];
        let arm = [run(200.0, 1.5, 9.0), run(260.0, 1.6, 10.0)];
        let advantage = collaborative_advantage(&silo, &arm);
        assert_close(advantage.unmet_need.difference, -80.0);
        assert_close(advantage.coordination_hours.difference, 45.0);
        assert_close(advantage.median_weeks_to_help.difference, -3.5);
        assert_close(advantage.inertia.difference, 0.0);
        assert_eq!(advantage.net.n, 2);
        assert_close(advantage.net.mean, 35.0);
        assert_close(advantage.hours_per_child_week_avoided, 45.0 / 80.0);
    }

    #[test]
    fn silos_against_themselves_have_no_advantage() {
        let silo = [run(300.0, 1.0, 12.0), run(320.0, 1.2, 14.0)];
        let advantage = collaborative_advantage(&silo, &silo);
        assert_eq!(advantage.net.mean, 0.0);
        assert_eq!((advantage.net.ci_low, advantage.net.ci_high), (0.0, 0.0));
        assert!(advantage.hours_per_child_week_avoided.is_nan());
    }

    /// The break-even rate is shown only as a clear trade: unmet need clearly avoided for
    /// clearly more hours.
    #[test]
    fn break_even_only_for_a_clear_trade() {
        let silo = [
            run(300.0, 1.0, 12.0),
            run(320.0, 1.2, 14.0),
            run(310.0, 1.1, 13.0),
        ];
        let dearer = [
            run(200.0, 1.5, 9.0),
            run(230.0, 1.6, 10.0),
            run(215.0, 1.6, 9.0),
        ];
        let break_even = collaborative_advantage(&silo, &dearer).break_even();
        assert!(
            matches!(break_even, Ok(rate) if rate > 0.0),
            "{break_even:?}"
        );
        let cheaper = [
            run(200.0, 0.5, 9.0),
            run(230.0, 0.6, 10.0),
            run(215.0, 0.6, 9.0),
        ];
        assert_eq!(
            collaborative_advantage(&silo, &cheaper).break_even(),
            Err(NoBreakEven::NoExtraHours)
        );
        let no_better = [
            run(290.0, 1.5, 9.0),
            run(330.0, 1.6, 10.0),
            run(310.0, 1.6, 9.0),
        ];
        assert_eq!(
            collaborative_advantage(&silo, &no_better).break_even(),
            Err(NoBreakEven::NoNeedAvoided)
        );
    }
}
