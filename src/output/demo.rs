//! The trainer's demo: a narrated run told in plain language, week by week.
//!
//! `tell_week` turns what a narrated run recorded (`model::Happening`) into sentences a room of
//! practitioners can follow ("week 14: the SENCO at Hill Primary left; 4 open cases handed to
//! colleagues"), each scheduled event once; `told_week` lays a week out for the terminal (two runs
//! in columns with `--compare`), `summary_lines` sums the run up at the end, and
//! `timeline_markdown` writes the same story as a Markdown file. Pure text: the binary runs the
//! model, paces the printing and writes the files.

use std::fmt::Write as _;

use crate::calendar;
use crate::model::{Domain, Happening, LocalityParams, Role, RunOutput, What};

/// Names for the schools of the demo's patch (primaries first, then secondaries, as the model
/// lays them out).
const SCHOOL_NAMES: [&str; 16] = [
    "Hill", "Brook", "Oak", "Moor", "Church", "Mill", "Castle", "Green", "Meadow", "Ash", "River",
    "Field", "Bridge", "Heath", "Orchard", "Vale",
];

/// The story of one locality of a run, ready to print.
pub struct Story<'a> {
    pub locality: &'a LocalityParams,
    pub output: &'a RunOutput,
}

impl Story<'_> {
    fn school_name(&self, school: u32) -> String {
        let base = SCHOOL_NAMES[school as usize % SCHOOL_NAMES.len()];
        let round = school as usize / SCHOOL_NAMES.len();
        let suffix = if round > 0 {
            format!(" {}", round + 1)
        } else {
            String::new()
        };
        let phase = if school < self.locality.primaries {
            "Primary"
        } else {
            "Secondary"
        };
        format!("{base}{suffix} {phase}")
    }

    /// The happenings of week `week` in locality 0 (the patch the room watches), in order.
    fn happenings(&self, week: u32) -> impl Iterator<Item = &Happening> {
        self.output
            .story
            .iter()
            .filter(move |h| h.week == week && h.locality == 0)
    }

    /// The sentences for week `week` of locality 0, each event told once. The scheduled events
    /// are applied first in a week (`Patch::step`), so whoever is recorded leaving before a week's
    /// event left because of it: their departures are folded into the event's sentence rather
    /// than told again ("the system minder left" under "minder withdrawn").
    pub fn tell_week(&self, week: u32) -> Vec<String> {
        let happenings: Vec<&Happening> = self.happenings(week).collect();
        let caused = happenings
            .iter()
            .rposition(|h| matches!(h.what, What::Event { .. }))
            .map_or(0, |last| last + 1);
        let mut lines = Vec::new();
        let (mut handed_over, mut restarted) = (0, 0);
        for (i, happening) in happenings.iter().enumerate() {
            match &happening.what {
                What::Left {
                    handed_over: h,
                    restarted: r,
                    ..
                } if i < caused => {
                    handed_over += h;
                    restarted += r;
                }
                What::Event { label } => {
                    lines.push(event_sentence(label, handed_over, restarted));
                    (handed_over, restarted) = (0, 0);
                }
                _ => lines.extend(self.sentence(happening)),
            }
        }
        lines
    }

    /// Children waiting for help at the end of `week` (recognised, not yet helped).
    pub fn waiting(&self, week: u32) -> u32 {
        self.output
            .weeks
            .get(week as usize)
            .map_or(0, |w| w.waiting_for_help)
    }

    fn sentence(&self, happening: &Happening) -> Option<String> {
        Some(match &happening.what {
            What::Recognised {
                school,
                domains,
                severity,
                ..
            } => format!(
                "staff at {} noticed a pupil's need ({}, {})",
                self.school_name(*school),
                domain_words(*domains),
                severity_words(*severity)
            ),
            What::Rejected {
                school,
                role,
                assessed,
                ..
            } => format!(
                "{} turned down a referral from {}{}; the child is back with the school",
                service_name(*role),
                self.school_name(*school),
                if *assessed {
                    " after assessing"
                } else {
                    " at the front door"
                }
            ),
            What::HelpStarted {
                school,
                role,
                weeks_waited,
                ..
            } => format!(
                "a pupil at {} started getting help from {} after {} week{}",
                self.school_name(*school),
                service_name(*role),
                weeks_waited,
                if *weeks_waited == 1 { "" } else { "s" }
            ),
            What::Meeting {
                present,
                seats,
                discussed,
                lapsed,
            } => {
                let mut s = format!(
                    "the consultation team met ({present} of {seats} members came) and discussed {discussed} case{}",
                    if *discussed == 1 { "" } else { "s" }
                );
                if *lapsed > 0 {
                    let _ = write!(
                        s,
                        "; {lapsed} action{} from last time had lapsed, nobody followed {} up",
                        if *lapsed == 1 { "" } else { "s" },
                        if *lapsed == 1 { "it" } else { "them" }
                    );
                }
                s
            }
            What::Left {
                role,
                school,
                handed_over,
                restarted,
                minder,
            } => {
                let who = self.who(*role, *school, *minder);
                match cases_fate(*handed_over, *restarted) {
                    None => format!("{who} left"),
                    Some(fate) => format!("{who} left: {fate}"),
                }
            }
            What::Joined {
                role,
                school,
                inducted,
                minder,
            } => {
                let who = self.who(*role, *school, *minder);
                if *inducted {
                    format!(
                        "a new {} arrived; the minder introduced them to the team",
                        strip_article(&who)
                    )
                } else {
                    format!("a new {} arrived, knowing nobody yet", strip_article(&who))
                }
            }
            What::Event { label } => event_sentence(label, 0, 0),
        })
    }

    fn who(&self, role: Role, school: Option<u32>, minder: bool) -> String {
        if minder {
            return "the system minder".to_string();
        }
        match school {
            Some(s) => format!("the {} at {}", role_name(role), self.school_name(s)),
            None => format!("a {}", role_name(role)),
        }
    }
}

/// The prefix of an event's sentence, which the terminal's columns tell once across both runs.
pub const EVENT_PREFIX: &str = "EVENT: ";

/// An event and what became of the open cases of those it made leave.
fn event_sentence(label: &str, handed_over: u32, restarted: u32) -> String {
    match cases_fate(handed_over, restarted) {
        None => format!("{EVENT_PREFIX}{label}"),
        Some(fate) => format!("{EVENT_PREFIX}{label}; of those who left, {fate}"),
    }
}

/// What became of the open cases of someone who left, or `None` when they had none.
fn cases_fate(handed_over: u32, restarted: u32) -> Option<String> {
    let open = handed_over + restarted;
    (open > 0).then(|| {
        format!(
            "{handed_over} of {open} open case{} handed over with their history, {restarted} must start again",
            if open == 1 { "" } else { "s" }
        )
    })
}

fn strip_article(who: &str) -> &str {
    who.strip_prefix("the ")
        .or_else(|| who.strip_prefix("a "))
        .unwrap_or(who)
}

/// Plain words for a role.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Head => "head",
        Role::Senco => "SENCO",
        Role::PastoralLead => "pastoral lead",
        Role::SocialWorker => "social worker",
        Role::EarlyHelp => "early help worker",
        Role::SchoolNurse => "school nurse",
        Role::SpeechTherapist => "speech and language therapist",
        Role::EdPsych => "educational psychologist",
        Role::MentalHealth => "mental health practitioner",
        Role::HomeSchoolLink => "home-school link worker",
    }
}

fn service_name(role: Role) -> &'static str {
    match role {
        Role::SocialWorker => "children's social care",
        Role::EarlyHelp => "early help",
        Role::SchoolNurse => "the school nursing service",
        Role::SpeechTherapist => "speech and language therapy",
        Role::EdPsych => "the educational psychology service",
        Role::MentalHealth => "mental health services",
        _ => "the school",
    }
}

fn domain_words(domains: u8) -> String {
    let words: Vec<&str> = Domain::ALL
        .into_iter()
        .filter(|d| domains & d.bit() != 0)
        .map(|d| match d {
            Domain::Learning => "learning",
            Domain::Speech => "speech and language",
            Domain::Semh => "mental health",
            Domain::Safeguarding => "safeguarding",
            Domain::Family => "family support",
            Domain::Physical => "physical health",
        })
        .collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => words.join(""),
    }
}

fn severity_words(severity: f64) -> &'static str {
    match severity {
        s if s >= 0.75 => "serious",
        s if s >= 0.5 => "significant",
        s if s >= 0.25 => "moderate",
        _ => "mild",
    }
}

/// A heading for a week: its number and where it falls in the school year.
pub fn week_heading(week: u32) -> String {
    let year = calendar::school_year_of(week) + 1;
    match calendar::half_term_of(week) {
        Some(half_term) => format!("Week {week} (year {year}, half-term {})", half_term + 1),
        None => format!("Week {week} (year {year}, holiday)"),
    }
}

/// The whole story as Markdown: a heading per week in which something happened, its sentences,
/// and the count of children waiting.
pub fn timeline_markdown(title: &str, story: &Story, weeks: u32) -> String {
    let mut md = format!("# {title}\n\n");
    for week in 0..weeks {
        let lines = story.tell_week(week);
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(md, "## {}\n", week_heading(week));
        for line in lines {
            let _ = writeln!(md, "- {line}");
        }
        let _ = writeln!(md, "\nChildren waiting for help: {}\n", story.waiting(week));
    }
    md
}

/// Width of the terminal the demo is told in: a projector's terminal, or a laptop's at a size a
/// room can read.
pub const TERMINAL_WIDTH: usize = 100;

/// Width of each of `--compare`'s two columns, either side of the gutter.
const COLUMN_WIDTH: usize = (TERMINAL_WIDTH - GUTTER.len()) / 2;

const GUTTER: &str = " | ";

/// What one week of the story prints: its heading and lines, or nothing when the week has no news.
/// With two stories, the two side by side in columns under the heading, each with its waiting
/// count, and an event told once across both (marked when only one run had it).
pub fn told_week(with: &Story, without: Option<&Story>, week: u32) -> Vec<String> {
    let lines = with.tell_week(week);
    let Some(without) = without else {
        if lines.is_empty() {
            return Vec::new();
        }
        let mut told = vec![week_heading(week)];
        for line in &lines {
            told.extend(wrap(line, TERMINAL_WIDTH, "  ", "    "));
        }
        told.push(format!(
            "  children waiting for help: {}",
            with.waiting(week)
        ));
        return told;
    };
    let other = without.tell_week(week);
    if lines.is_empty() && other.is_empty() {
        return Vec::new();
    }
    let mut told = vec![week_heading(week)];
    let is_event = |line: &&String| line.starts_with(EVENT_PREFIX);
    let events_with: Vec<&String> = lines.iter().filter(is_event).collect();
    let events_without: Vec<&String> = other.iter().filter(is_event).collect();
    for event in &events_with {
        let whose = if events_without.contains(event) {
            ""
        } else {
            " (with the minder only)"
        };
        told.extend(wrap(
            &format!("{event}{whose}"),
            TERMINAL_WIDTH,
            "  ",
            "    ",
        ));
    }
    for event in events_without.iter().filter(|e| !events_with.contains(e)) {
        let line = format!("{event} (without the minder only)");
        told.extend(wrap(&line, TERMINAL_WIDTH, "  ", "    "));
    }
    let column = |heading: String, lines: &[String]| {
        let mut column = vec![heading];
        for line in lines.iter().filter(|line| !line.starts_with(EVENT_PREFIX)) {
            column.extend(wrap(line, COLUMN_WIDTH, "  ", "    "));
        }
        column
    };
    told.extend(side_by_side(
        &column(
            format!("with the minder ({} waiting):", with.waiting(week)),
            &lines,
        ),
        &column(
            format!("without ({} waiting):", without.waiting(week)),
            &other,
        ),
    ));
    told
}

/// Two columns of lines, each at most `COLUMN_WIDTH` characters, side by side.
fn side_by_side(left: &[String], right: &[String]) -> Vec<String> {
    (0..left.len().max(right.len()))
        .map(|row| {
            let l = left.get(row).map_or("", String::as_str);
            let r = right.get(row).map_or("", String::as_str);
            format!("{l:<COLUMN_WIDTH$}{GUTTER}{r}")
                .trim_end()
                .to_string()
        })
        .collect()
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stands alone),
/// the first indented by `first`, the rest by `rest`.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// What a run came to, in a few plain sentences for the end of the demo: needs noticed, children
/// helped and their median wait, referrals turned down, people who left and the cases that had to
/// start again, children still waiting, and for each event the median wait for help before it
/// and after.
pub fn summary(story: &Story, weeks: u32) -> Vec<String> {
    let (mut noticed, mut turned_down, mut left, mut restarted) = (0, 0, 0, 0);
    let mut waits: Vec<(u32, u32)> = Vec::new();
    // Each event with the open cases that had to start again because it made people leave (those
    // told leaving earlier in its week: events come first in a week).
    let mut events: Vec<(u32, &str, u32)> = Vec::new();
    let (mut week_now, mut restarted_this_week) = (0, 0);
    for happening in story.output.story.iter().filter(|h| h.locality == 0) {
        if happening.week != week_now {
            (week_now, restarted_this_week) = (happening.week, 0);
        }
        match &happening.what {
            What::Recognised { .. } => noticed += 1,
            What::Rejected { .. } => turned_down += 1,
            What::HelpStarted { weeks_waited, .. } => {
                waits.push((happening.week, *weeks_waited));
            }
            What::Left { restarted: r, .. } => {
                left += 1;
                restarted += r;
                restarted_this_week += r;
            }
            What::Event { label } => {
                events.push((happening.week, label, restarted_this_week));
                restarted_this_week = 0;
            }
            _ => {}
        }
    }
    let all: Vec<u32> = waits.iter().map(|&(_, wait)| wait).collect();
    let helped = if all.is_empty() {
        "no child started getting help yet".to_string()
    } else {
        format!(
            "{} started getting help, after a median wait of {}",
            counted(all.len() as u32, "child", "children"),
            median_weeks(all)
        )
    };
    let still_waiting = story.waiting(weeks.saturating_sub(1));
    let mut lines = vec![
        format!(
            "{} noticed; {helped}.",
            counted(noticed, "pupil's need was", "pupils' needs were")
        ),
        format!(
            "{} turned down; {}, and {} of their open cases had to start again.",
            counted(turned_down, "referral was", "referrals were"),
            counted(left, "person left", "people left"),
            restarted
        ),
        format!(
            "{} still waiting for help at the end of week {}.",
            counted(still_waiting, "child was", "children were"),
            weeks.saturating_sub(1)
        ),
    ];
    for (week, label, restarted) in events {
        let split = |after: bool| -> Vec<u32> {
            waits
                .iter()
                .filter(|&&(started, _)| (started >= week) == after)
                .map(|&(_, wait)| wait)
                .collect()
        };
        let cases = if restarted > 0 {
            format!(
                "; {restarted} open case{} had to start again",
                if restarted == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        lines.push(format!(
            "The event of week {week} ({label}): the median wait for help was {} before it and {} after{cases}.",
            median_weeks(split(false)),
            median_weeks(split(true))
        ));
    }
    lines
}

/// The end of the demo: the summary of one run, or of two side by side.
pub fn summary_lines(with: &Story, without: Option<&Story>, weeks: u32) -> Vec<String> {
    let column = |heading: &str, story: &Story| {
        let width = if without.is_some() {
            COLUMN_WIDTH
        } else {
            TERMINAL_WIDTH
        };
        let mut column = vec![heading.to_string()];
        for sentence in summary(story, weeks) {
            column.extend(wrap(&sentence, width, "  ", "    "));
        }
        column
    };
    let title = format!("What happened in {weeks} weeks");
    match without {
        None => column(&format!("{title}:"), with),
        Some(without) => {
            let mut lines = vec![format!("{title}, side by side:")];
            lines.extend(side_by_side(
                &column("with the minder:", with),
                &column("without the minder:", without),
            ));
            lines
        }
    }
}

/// After the summary of a run with scheduled events: one run is one story, and where to weigh
/// the events over replicates. `scenario` is the file told (`None`: the built-in demo, whose
/// question `scenarios/minder-leaves.toml` asks in the settled years); nothing without events.
pub fn one_run_note(story: &Story, scenario: Option<&str>) -> Vec<String> {
    if story.output.events.is_empty() {
        return Vec::new();
    }
    let (what, file) = match scenario {
        None => (
            "the minder's going over 20 replicates on the same seeds, in the settled years",
            "scenarios/minder-leaves.toml",
        ),
        Some(path) => ("its events over replicates on the same seeds", path),
    };
    let mut lines = wrap(
        &format!(
            "This is one run, and chance alone can move a median wait by a week. To weigh {what}:"
        ),
        TERMINAL_WIDTH,
        "",
        "",
    );
    // The command on a line of its own, whole, to be copied.
    lines.push(format!("  patchwork compare {file} --set-b 'event=[]'"));
    lines
}

/// `count` and the words that follow it, singular or plural ("1 referral was", "3 referrals were").
fn counted(count: u32, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The median of some waits in words ("4 weeks", "2.5 weeks"), or "none" when nobody waited.
fn median_weeks(mut waits: Vec<u32>) -> String {
    if waits.is_empty() {
        return "none (no child started help)".to_string();
    }
    waits.sort_unstable();
    let middle = waits.len() / 2;
    let median = if waits.len().is_multiple_of(2) {
        (f64::from(waits[middle - 1]) + f64::from(waits[middle])) / 2.0
    } else {
        f64::from(waits[middle])
    };
    if median == 1.0 {
        "1 week".to_string()
    } else if median.fract() == 0.0 {
        format!("{median} weeks")
    } else {
        format!("{median:.1} weeks")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_plainly() {
        assert_eq!(
            domain_words(Domain::Safeguarding.bit() | Domain::Family.bit()),
            "safeguarding and family support"
        );
        assert_eq!(
            domain_words(Domain::Learning.bit() | Domain::Semh.bit() | Domain::Family.bit()),
            "learning, mental health and family support"
        );
        assert_eq!(domain_words(Domain::Speech.bit()), "speech and language");
        assert_eq!(severity_words(0.8), "serious");
        assert_eq!(
            strip_article("the SENCO at Hill Primary"),
            "SENCO at Hill Primary"
        );
        assert!(week_heading(0).starts_with("Week 0 (year 1, half-term 1)"));
        assert!(week_heading(7).contains("holiday"));
    }

    #[test]
    fn long_lines_wrap_and_columns_fit_the_terminal() {
        let text = "a pupil at Mill Secondary started getting help from the educational psychology service after 4 weeks";
        let lines = wrap(text, COLUMN_WIDTH, "  ", "    ");
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|line| line.chars().count() <= COLUMN_WIDTH)
        );
        assert!(lines[1].starts_with("    a") || lines[1].starts_with("    "));
        assert_eq!(
            lines
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            text
        );
        let rows = side_by_side(&lines, &["  short".to_string()]);
        assert!(rows.iter().all(|row| row.chars().count() <= TERMINAL_WIDTH));
        assert!(rows[0].contains(" | ") && rows[0].ends_with("short"));
    }

    #[test]
    fn medians_read_in_weeks() {
        assert_eq!(median_weeks(vec![4, 1, 9]), "4 weeks");
        assert_eq!(median_weeks(vec![2, 3]), "2.5 weeks");
        assert_eq!(median_weeks(vec![1]), "1 week");
        assert!(median_weeks(Vec::new()).starts_with("none"));
        assert_eq!(
            counted(1, "referral was", "referrals were"),
            "1 referral was"
        );
        assert_eq!(counted(0, "person left", "people left"), "0 people left");
    }
}
