//! The school calendar: which simulated weeks are term weeks, and counting term weeks.
//!
//! Week 0 of a run is the first week of a school year in September. A school year is 52 weeks:
//! six half-terms of 7, 7, 6, 6, 6 and 7 term weeks, separated by holidays of 1, 2, 1, 2 and 1
//! weeks (October half-term, Christmas, February half-term, Easter, May half-term), then six weeks
//! of summer holiday. That gives 39 term weeks a year, as in English maintained schools. Term
//! weeks of a year are 0-6, 8-14, 17-22, 24-29, 32-37 and 39-45; holidays are 7, 15-16, 23, 30-31,
//! 38 and 46-51. Pure functions of the week number, shared by the model (forums meet in term time
//! only) and by `metrics` (the action window of `inertia` counts term weeks).

/// Weeks in a school year.
pub const WEEKS_PER_YEAR: u32 = 52;

/// Term weeks in a school year.
pub const TERM_WEEKS_PER_YEAR: u32 = 39;

/// Half-terms in a school year.
pub const HALF_TERMS_PER_YEAR: u32 = 6;

/// Each half-term as (first week of the year, number of term weeks).
pub const HALF_TERMS: [(u32, u32); HALF_TERMS_PER_YEAR as usize] =
    [(0, 7), (8, 7), (17, 6), (24, 6), (32, 6), (39, 7)];

/// For each week of the year, the half-term it belongs to (`u8::MAX` in holidays).
const HALF_TERM_BY_WEEK_OF_YEAR: [u8; WEEKS_PER_YEAR as usize] = build_half_term_table();

/// For each week of the year w, the number of term weeks in weeks 0..w of the same year.
const TERM_WEEKS_BEFORE_WEEK_OF_YEAR: [u32; WEEKS_PER_YEAR as usize + 1] = build_prefix_table();

const fn build_half_term_table() -> [u8; WEEKS_PER_YEAR as usize] {
    let mut table = [u8::MAX; WEEKS_PER_YEAR as usize];
    let mut half_term_index = 0;
    while half_term_index < HALF_TERMS.len() {
        let (first_week, term_weeks) = HALF_TERMS[half_term_index];
        let mut week = first_week;
        while week < first_week + term_weeks {
            table[week as usize] = half_term_index as u8;
            week += 1;
        }
        half_term_index += 1;
    }
    table
}

const fn build_prefix_table() -> [u32; WEEKS_PER_YEAR as usize + 1] {
    let half_terms = build_half_term_table();
    let mut table = [0; WEEKS_PER_YEAR as usize + 1];
    let mut week = 0;
    while week < WEEKS_PER_YEAR as usize {
        let is_term = half_terms[week] != u8::MAX;
        table[week + 1] = table[week] + if is_term { 1 } else { 0 };
        week += 1;
    }
    table
}

/// The week within its school year, 0 (first week of September) to 51.
pub fn week_of_year(week: u32) -> u32 {
    week % WEEKS_PER_YEAR
}

/// The school year a week falls in, counted from 0 at the start of the run.
pub fn school_year_of(week: u32) -> u32 {
    week / WEEKS_PER_YEAR
}

/// Whether schools are open in this week.
pub fn is_term_week(week: u32) -> bool {
    HALF_TERM_BY_WEEK_OF_YEAR[week_of_year(week) as usize] != u8::MAX
}

/// The half-term (0 to 5 within its school year) a term week belongs to; `None` in holidays.
pub fn half_term_of(week: u32) -> Option<u32> {
    match HALF_TERM_BY_WEEK_OF_YEAR[week_of_year(week) as usize] {
        u8::MAX => None,
        half_term_index => Some(u32::from(half_term_index)),
    }
}

/// The running number of the half-term a term week belongs to, counted from 0 at the start of
/// the run across school years (`school_year * 6 + half_term_of`); `None` in holidays.
pub fn half_term_number(week: u32) -> Option<u32> {
    half_term_of(week)
        .map(|half_term_index| school_year_of(week) * HALF_TERMS_PER_YEAR + half_term_index)
}

/// The number of term weeks in weeks `0..week` (before `week`, not counting it).
pub fn term_weeks_before(week: u32) -> u32 {
    school_year_of(week) * TERM_WEEKS_PER_YEAR
        + TERM_WEEKS_BEFORE_WEEK_OF_YEAR[week_of_year(week) as usize]
}

/// The number of term weeks in the half-open range `from..until` (`from` counted, `until` not);
/// 0 when `until <= from`. When every week in between is a term week this is `until - from`, so
/// a wait from week `from` to week `until` lasted this many term weeks.
pub fn term_weeks_between(from: u32, until: u32) -> u32 {
    if until <= from {
        return 0;
    }
    term_weeks_before(until) - term_weeks_before(from)
}

/// The first term week at or after `week` (`week` itself when it is a term week).
pub fn next_term_week_at_or_after(week: u32) -> u32 {
    let mut candidate = week;
    while !is_term_week(candidate) {
        candidate += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERM_WEEKS_OF_YEAR: [std::ops::RangeInclusive<u32>; 6] =
        [0..=6, 8..=14, 17..=22, 24..=29, 32..=37, 39..=45];

    #[test]
    fn term_weeks_of_the_year_are_the_documented_ones() {
        for week in 0..WEEKS_PER_YEAR {
            let expected = TERM_WEEKS_OF_YEAR.iter().any(|range| range.contains(&week));
            assert_eq!(is_term_week(week), expected, "week {week}");
        }
        let holidays: Vec<u32> = (0..WEEKS_PER_YEAR)
            .filter(|week| !is_term_week(*week))
            .collect();
        let expected_holidays: Vec<u32> = [7, 15, 16, 23, 30, 31, 38]
            .into_iter()
            .chain(46..52)
            .collect();
        assert_eq!(holidays, expected_holidays);
    }

    #[test]
    fn a_year_has_39_term_weeks_and_the_pattern_repeats() {
        assert_eq!(term_weeks_between(0, 52), 39);
        assert_eq!(term_weeks_between(52, 104), 39);
        for week in 0..WEEKS_PER_YEAR {
            assert_eq!(is_term_week(week), is_term_week(week + 3 * WEEKS_PER_YEAR));
            assert_eq!(half_term_of(week), half_term_of(week + WEEKS_PER_YEAR));
        }
    }

    #[test]
    fn half_terms_have_the_documented_lengths() {
        let lengths: Vec<usize> = (0..HALF_TERMS_PER_YEAR)
            .map(|half_term| {
                (0..WEEKS_PER_YEAR)
                    .filter(|week| half_term_of(*week) == Some(half_term))
                    .count()
            })
            .collect();
        assert_eq!(lengths, vec![7, 7, 6, 6, 6, 7]);
        assert_eq!(half_term_of(7), None);
        assert_eq!(half_term_of(8), Some(1));
        assert_eq!(half_term_of(45), Some(5));
        assert_eq!(half_term_number(52 + 8), Some(7));
        assert_eq!(half_term_number(52 + 7), None);
    }

    #[test]
    fn term_weeks_between_counts_the_half_open_range() {
        assert_eq!(term_weeks_between(0, 0), 0);
        assert_eq!(term_weeks_between(5, 3), 0);
        assert_eq!(term_weeks_between(0, 7), 7);
        // Week 7 is a holiday: 0..8 still holds 7 term weeks.
        assert_eq!(term_weeks_between(0, 8), 7);
        assert_eq!(term_weeks_between(5, 10), 4); // 5, 6, 8, 9
        // Across the summer holiday into the next year.
        assert_eq!(term_weeks_between(44, 54), 4); // 44, 45, 52, 53
        for from in 0..120 {
            for until in from..140 {
                let counted = (from..until).filter(|week| is_term_week(*week)).count() as u32;
                assert_eq!(term_weeks_between(from, until), counted, "{from}..{until}");
            }
        }
    }

    #[test]
    fn next_term_week_skips_holidays() {
        assert_eq!(next_term_week_at_or_after(3), 3);
        assert_eq!(next_term_week_at_or_after(7), 8);
        assert_eq!(next_term_week_at_or_after(15), 17);
        assert_eq!(next_term_week_at_or_after(46), 52);
    }
}
