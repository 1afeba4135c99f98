//! `Shard`: a block of a long job's points (a sweep's points, a national run's patches, a
//! sensitivity analysis's points), so that machines can share it and `merge` join the blocks.

use std::fmt;
use std::ops::Range;

/// A slice of a job: shard `index` of `count`, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole job.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Reads `I/N` with `1 <= I <= N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("must be written I/N, for example 2/8, found {text:?}"))?;
        let number = |part: &str| part.trim().parse::<u32>().ok();
        match (number(index), number(count)) {
            (Some(index), Some(count)) if count >= 1 && (1..=count).contains(&index) => {
                Ok(Shard { index, count })
            }
            _ => Err(format!(
                "must be I/N with whole numbers 1 <= I <= N, for example 2/8, found {text:?}"
            )),
        }
    }

    /// The points this shard owns out of `points`.
    pub fn points(&self, points: u64) -> Range<u64> {
        let cut =
            |shard: u32| (u128::from(points) * u128::from(shard) / u128::from(self.count)) as u64;
        cut(self.index - 1)..cut(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_point_once_in_order() {
        for points in [0u64, 1, 5, 54, 1_000_003] {
            for count in [1u32, 2, 3, 7, 60] {
                let mut next = 0;
                for index in 1..=count {
                    let range = Shard { index, count }.points(points);
                    assert_eq!(range.start, next);
                    next = range.end;
                }
                assert_eq!(next, points);
            }
        }
    }

    #[test]
    fn shards_are_parsed_from_one() {
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(Shard::parse("1/1"), Ok(Shard::WHOLE));
        assert!(Shard::parse("0/8").is_err());
        assert!(Shard::parse("9/8").is_err());
        assert!(Shard::parse("2").is_err());
        assert!(Shard::parse("a/b").is_err());
        assert_eq!(Shard { index: 3, count: 4 }.to_string(), "3/4");
    }
}
