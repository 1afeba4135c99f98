//! The trainer's demo: a narrated run told in plain language, week by week.
//!
//! `tell_week` turns what a narrated run recorded (`model::Happening`) into sentences a room of
//! practitioners can follow ("week 14: the SENCO at Hill Primary left; 4 open cases handed to
//! colleagues"); `timeline_markdown` writes the same story as a Markdown file. Pure text: the
//! binary runs the model, paces the printing and writes the files.

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

    /// The sentences for week `week` of locality 0 (the patch the room watches).
    pub fn tell_week(&self, week: u32) -> Vec<String> {
        self.output
            .story
            .iter()
            .filter(|h| h.week == week && h.locality == 0)
            .filter_map(|h| self.sentence(h))
            .collect()
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
                let open = handed_over + restarted;
                if open == 0 {
                    format!("{who} left")
                } else {
                    format!(
                        "{who} left: {handed_over} of {open} open case{} handed over with their history, {restarted} must start again",
                        if open == 1 { "" } else { "s" }
                    )
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
            What::Event { label } => format!("** {label} **"),
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

/// What one week of the story prints: its heading and lines, or nothing when the week has no news.
/// With two stories, each under its own heading with its waiting count.
pub fn told_week(with: &Story, without: Option<&Story>, week: u32) -> Vec<String> {
    let lines = with.tell_week(week);
    let other = without.map(|story| story.tell_week(week));
    if lines.is_empty() && other.as_ref().is_none_or(|other| other.is_empty()) {
        return Vec::new();
    }
    let mut told = vec![week_heading(week)];
    match (without, other) {
        (Some(without), Some(other)) => {
            told.push(format!(
                "  with the minder ({} waiting):",
                with.waiting(week)
            ));
            told.extend(lines.iter().map(|line| format!("    {line}")));
            told.push(format!("  without ({} waiting):", without.waiting(week)));
            told.extend(other.iter().map(|line| format!("    {line}")));
        }
        _ => {
            told.extend(lines.iter().map(|line| format!("  {line}")));
            told.push(format!(
                "  children waiting for help: {}",
                with.waiting(week)
            ));
        }
    }
    told
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
}
