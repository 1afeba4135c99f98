//! "Did you mean" suggestions for misspelt keys and names.
//!
//! A small Levenshtein distance is enough: the candidate lists are a few hundred keys at most, and
//! a name longer than `LONGEST` characters gets no suggestion, so the work is bounded whatever is
//! typed (a million-character key costs nothing here).

/// Names longer than this (in characters) get no suggestion: no key is anywhere near as long.
pub(crate) const LONGEST: usize = 64;

/// Edit distance between two strings in characters, counting a swap of two neighbouring
/// characters as one edit (optimal string alignment).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut distance = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in distance.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in distance[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (distance[i - 1][j] + 1)
                .min(distance[i][j - 1] + 1)
                .min(distance[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(distance[i - 2][j - 2] + 1);
            }
            distance[i][j] = best;
        }
    }
    distance[a.len()][b.len()]
}

/// The candidate closest to `given`, if one is close enough to be a likely misspelling: edits at
/// most a third of the longer name's length (so `mdoe` finds `mode` and `primary` finds
/// `primaries`, but `name` does not find `mode`). Case and `-` versus `_` do not count as
/// differences. Ties go to the earlier candidate. A name or candidate longer than `LONGEST`
/// characters is never suggested, and candidates whose length alone rules them out are skipped.
pub(crate) fn closest<'c>(
    given: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if given.len() > 4 * LONGEST || given.chars().count() > LONGEST {
        return None;
    }
    let normalise = |text: &str| text.to_lowercase().replace('-', "_");
    let given = normalise(given);
    let given_chars = given.chars().count();
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        if candidate.len() > 4 * LONGEST {
            continue;
        }
        let candidate_chars = candidate.chars().count();
        let longest = given_chars.max(candidate_chars);
        if given_chars.abs_diff(candidate_chars) * 3 > longest {
            continue;
        }
        let distance = edit_distance(&given, &normalise(candidate));
        if distance * 3 <= longest && best.is_none_or(|(best_distance, _)| distance < best_distance)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("é", "e"), 1);
        assert_eq!(edit_distance("mdoe", "mode"), 1);
    }

    #[test]
    fn close_misspellings_are_suggested() {
        let keys = ["meeting_interval_weeks", "meeting_hours", "mode", "minder"];
        assert_eq!(
            closest("meting_interval_weeks", keys),
            Some("meeting_interval_weeks")
        );
        assert_eq!(closest("Meeting-Hours", keys), Some("meeting_hours"));
        assert_eq!(closest("mdoe", keys), Some("mode"));
        assert_eq!(
            closest("primary", ["primaries", "secondaries"]),
            Some("primaries")
        );
    }

    #[test]
    fn unrelated_names_are_not_suggested() {
        let keys = ["meeting_interval_weeks", "mode", "minder"];
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("name", keys), None);
        assert_eq!(closest("xy", ["ab"]), None);
        assert_eq!(closest("anything", []), None);
    }

    #[test]
    fn long_names_are_not_searched() {
        let long = "m".repeat(LONGEST + 1);
        assert_eq!(closest(&long, [long.as_str()]), None);
        let huge = "x".repeat(1_000_000);
        assert_eq!(closest(&huge, ["mode", "minder"]), None);
        let just = "a".repeat(LONGEST);
        assert_eq!(closest(&just, [just.as_str()]), Some(just.as_str()));
    }
}
