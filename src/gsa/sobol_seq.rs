//! The Sobol' low-discrepancy sequence in up to `MAX_DIMENSION` dimensions, in Gray-code order
//! (Antonov and Saleev 1979), optionally randomised by a digital shift or an Owen-style nested
//! uniform scramble seeded from a `u64`.
//!
//! Direction numbers are those of S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
//! two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635–2654, file
//! `new-joe-kuo-6.21201` (<https://web.maths.unsw.edu.au/~fkuo/sobol/>), rows for dimensions 2 to
//! 65; dimension 1 is van der Corput's sequence. The same table (and so the same unscrambled
//! points) is used by SciPy's `qmc.Sobol` and SALib. Points are 32-bit: at most 2^32 of them.
//!
//! Scrambling keeps the sequence's nets: each block of 2^m consecutive points from a multiple of
//! 2^m still puts one point in each interval of width 2^-m in every coordinate. The Owen-style
//! scramble is Burley's hash-based nested uniform scramble ("Practical hash-based Owen
//! scrambling", JCGT 9(4), 2020): the bits are reversed, permuted by the Laine–Karras hash (each
//! output bit depending only on the bits below it) and reversed back, so each bit is flipped by a
//! pseudo-random function of the bits above it, as in Owen (1995). Seeds per dimension come from
//! the named stream `gsa.sobol.scramble`, so the same seed gives the same points everywhere.

use rand::Rng;

use super::error::GsaError;
use crate::model::rng;

/// Bits of each coordinate.
const BITS: usize = 32;

/// The number of dimensions the table supports.
pub const MAX_DIMENSION: usize = 1 + JOE_KUO.len();

/// `(s, a, m_1..m_s)` for dimensions 2.. of `new-joe-kuo-6.21201`: the degree `s` of the
/// primitive polynomial, its inner coefficients `a` as bits, and the initial direction integers.
#[rustfmt::skip]
const JOE_KUO: [(u32, u32, &[u32]); 64] = [
    (1, 0, &[1]), // 2
    (2, 1, &[1, 3]), // 3
    (3, 1, &[1, 3, 1]), // 4
    (3, 2, &[1, 1, 1]), // 5
    (4, 1, &[1, 1, 3, 3]), // 6
    (4, 4, &[1, 3, 5, 13]), // 7
    (5, 2, &[1, 1, 5, 5, 17]), // 8
    (5, 4, &[1, 1, 5, 5, 5]), // 9
    (5, 7, &[1, 1, 7, 11, 19]), // 10
    (5, 11, &[1, 1, 5, 1, 1]), // 11
    (5, 13, &[1, 1, 1, 3, 11]), // 12
    (5, 14, &[1, 3, 5, 5, 31]), // 13
    (6, 1, &[1, 3, 3, 9, 7, 49]), // 14
    (6, 13, &[1, 1, 1, 15, 21, 21]), // 15
    (6, 16, &[1, 3, 1, 13, 27, 49]), // 16
    (6, 19, &[1, 1, 1, 15, 7, 5]), // 17
    (6, 22, &[1, 3, 1, 15, 13, 25]), // 18
    (6, 25, &[1, 1, 5, 5, 19, 61]), // 19
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]), // 20
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]), // 21
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]), // 22
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]), // 23
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]), // 24
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]), // 25
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]), // 26
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]), // 27
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]), // 28
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]), // 29
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]), // 30
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]), // 31
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]), // 32
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]), // 33
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]), // 34
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]), // 35
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]), // 36
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]), // 37
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]), // 38
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]), // 39
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]), // 40
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]), // 41
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]), // 42
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]), // 43
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]), // 44
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]), // 45
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]), // 46
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]), // 47
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]), // 48
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]), // 49
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]), // 50
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]), // 51
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]), // 52
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]), // 53
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]), // 54
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]), // 55
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]), // 56
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]), // 57
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]), // 58
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]), // 59
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]), // 60
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]), // 61
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]), // 62
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]), // 63
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]), // 64
    (9, 67, &[1, 1, 1, 11, 21, 53, 125, 249, 293]), // 65
];

/// How the sequence is randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrambling {
    /// The plain sequence (its first point is the origin).
    None,
    /// Each coordinate's bits XORed with a random 32-bit word (a random digital shift).
    DigitalShift,
    /// Burley's hash-based nested uniform (Owen-style) scramble.
    Owen,
}

/// A Sobol' sequence of a fixed dimension.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    /// `directions[d][k]`: direction number `k` (bit `k` from the top) of dimension `d`.
    directions: Vec<[u32; BITS]>,
    scrambling: Scrambling,
    /// One random word per dimension: the shift, or the scramble's seed.
    words: Vec<u32>,
}

impl SobolSequence {
    /// The first `dimension` coordinates of the sequence (`1..=MAX_DIMENSION`), randomised as
    /// `scrambling` says from `seed` (ignored when `Scrambling::None`).
    pub fn new(
        dimension: usize,
        scrambling: Scrambling,
        seed: u64,
    ) -> Result<SobolSequence, GsaError> {
        if dimension == 0 || dimension > MAX_DIMENSION {
            return Err(GsaError::TooManyDimensions {
                needed: dimension,
                available: MAX_DIMENSION,
            });
        }
        let directions = (0..dimension).map(direction_numbers).collect();
        let mut stream = rng::stream(seed, "gsa.sobol.scramble", 0);
        let words = match scrambling {
            Scrambling::None => vec![0; dimension],
            Scrambling::DigitalShift | Scrambling::Owen => {
                (0..dimension).map(|_| stream.random::<u32>()).collect()
            }
        };
        Ok(SobolSequence {
            directions,
            scrambling,
            words,
        })
    }

    pub fn dimension(&self) -> usize {
        self.directions.len()
    }

    /// Point `index` (0-based, Gray-code order) as 32-bit integers, `x / 2^32` in `[0, 1)`.
    pub fn point_bits(&self, index: u32) -> Vec<u32> {
        let gray = index ^ (index >> 1);
        self.directions
            .iter()
            .zip(&self.words)
            .map(|(directions, &word)| {
                let mut x = 0u32;
                let mut bits = gray;
                let mut k = 0;
                while bits != 0 {
                    if bits & 1 == 1 {
                        x ^= directions[k];
                    }
                    bits >>= 1;
                    k += 1;
                }
                match self.scrambling {
                    Scrambling::None => x,
                    Scrambling::DigitalShift => x ^ word,
                    Scrambling::Owen => nested_uniform_scramble(x, word),
                }
            })
            .collect()
    }

    /// Point `index` in `[0, 1)^dimension`.
    pub fn point(&self, index: u32) -> Vec<f64> {
        const SCALE: f64 = 1.0 / 4_294_967_296.0;
        self.point_bits(index)
            .into_iter()
            .map(|x| f64::from(x) * SCALE)
            .collect()
    }

    /// Points `start..start + count`.
    pub fn points(&self, start: u32, count: u32) -> Vec<Vec<f64>> {
        (start..start + count).map(|i| self.point(i)).collect()
    }
}

/// The 32 direction numbers of dimension `d` (0-based) by the Bratley–Fox recurrence.
fn direction_numbers(d: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    if d == 0 {
        for (k, slot) in v.iter_mut().enumerate() {
            *slot = 1 << (BITS - 1 - k);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[d - 1];
    let s = s as usize;
    for k in 0..BITS {
        v[k] = if k < s {
            m[k] << (BITS - 1 - k)
        } else {
            let mut x = v[k - s] ^ (v[k - s] >> s);
            for l in 1..s {
                if (a >> (s - 1 - l)) & 1 == 1 {
                    x ^= v[k - l];
                }
            }
            x
        };
    }
    v
}

/// Burley's nested uniform scramble of one 32-bit coordinate.
fn nested_uniform_scramble(x: u32, seed: u32) -> u32 {
    laine_karras_permutation(x.reverse_bits(), seed).reverse_bits()
}

/// Laine and Karras's hash: a bijection of `u32` in which each output bit depends only on the
/// input bits at or below it (Burley 2020, improved constants).
fn laine_karras_permutation(mut x: u32, seed: u32) -> u32 {
    x = x.wrapping_add(seed);
    x ^= x.wrapping_mul(0x6c50_b47c);
    x ^= x.wrapping_mul(0xb82f_1e52);
    x ^= x.wrapping_mul(0xc7af_e638);
    x ^= x.wrapping_mul(0x8d22_f6e6);
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    // The first ten points of the unscrambled sequence in three dimensions, as published with
    // Joe and Kuo's generator and printed by SciPy's `qmc.Sobol(d=3, scramble=False)`.
    #[test]
    fn first_points_match_the_published_sequence() {
        let expected = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
            [0.1875, 0.3125, 0.9375],
            [0.6875, 0.8125, 0.4375],
        ];
        let sequence = SobolSequence::new(3, Scrambling::None, 0).unwrap();
        for (index, point) in expected.iter().enumerate() {
            assert_eq!(
                sequence.point(index as u32),
                point.to_vec(),
                "point {index}"
            );
        }
    }

    // Direction integers of dimension 4 (s = 3, a = 1, m = 1 3 1) continued by the recurrence
    // of Bratley and Fox, worked by hand.
    #[test]
    fn recurrence_continues_the_initial_numbers() {
        let v = direction_numbers(3);
        let m: Vec<u32> = (0..6).map(|k| v[k] >> (BITS - 1 - k)).collect();
        // m_k = 2 a_1 m_{k-1} ^ 2^2 a_2 m_{k-2} ^ 2^3 m_{k-3} ^ m_{k-3}, with a_1 = 0, a_2 = 1:
        // m_4 = 4*3 ^ 8*1 ^ 1 = 12 ^ 8 ^ 1 = 5; m_5 = 4*1 ^ 8*3 ^ 3 = 4 ^ 24 ^ 3 = 31;
        // m_6 = 4*5 ^ 8*1 ^ 1 = 20 ^ 8 ^ 1 = 29.
        assert_eq!(m, vec![1, 3, 1, 5, 31, 29]);
    }

    /// Whether `2^m` points put exactly one coordinate `d` value in each interval of width 2^-m.
    fn stratified(points: &[Vec<f64>], d: usize, m: u32) -> bool {
        let cells = 1usize << m;
        let mut seen = vec![false; cells];
        for point in points {
            let cell = (point[d] * cells as f64) as usize;
            if seen[cell] {
                return false;
            }
            seen[cell] = true;
        }
        seen.into_iter().all(|s| s)
    }

    // Every dimension of the table, plain and randomised both ways, is a (0, m, 1)-net: 2^10
    // points, from 0 and from 2^10, one in each interval of width 2^-10. A wrong direction
    // number that is even, or a scramble that is not a bijection on each level, breaks this.
    #[test]
    fn every_dimension_is_stratified() {
        for scrambling in [Scrambling::None, Scrambling::DigitalShift, Scrambling::Owen] {
            let sequence = SobolSequence::new(MAX_DIMENSION, scrambling, 7).unwrap();
            for start in [0u32, 1024] {
                let points = sequence.points(start, 1024);
                for d in 0..MAX_DIMENSION {
                    assert!(stratified(&points, d, 10), "{scrambling:?} dimension {d}");
                }
            }
        }
    }

    // Two-dimensional projections of the first dimensions are (0, m, 2)-nets: each of the
    // 2^a x 2^b boxes with a + b = 8 holds exactly one of 256 points (Sobol' dimensions 1 and 2
    // have t = 0). Scrambling keeps this.
    #[test]
    fn first_two_dimensions_form_a_net() {
        for scrambling in [Scrambling::None, Scrambling::Owen] {
            let sequence = SobolSequence::new(2, scrambling, 3).unwrap();
            let points = sequence.points(0, 256);
            for a in 0..=8u32 {
                let (rows, columns) = (1usize << a, 1usize << (8 - a));
                let mut count = vec![0; 256];
                for p in &points {
                    let r = (p[0] * rows as f64) as usize;
                    let c = (p[1] * columns as f64) as usize;
                    count[r * columns + c] += 1;
                }
                assert!(count.iter().all(|&n| n == 1), "{scrambling:?} a = {a}");
            }
        }
    }

    #[test]
    fn scrambling_is_deterministic_and_depends_on_the_seed() {
        let a = SobolSequence::new(5, Scrambling::Owen, 11).unwrap();
        let b = SobolSequence::new(5, Scrambling::Owen, 11).unwrap();
        let c = SobolSequence::new(5, Scrambling::Owen, 12).unwrap();
        assert_eq!(a.points(0, 64), b.points(0, 64));
        assert_ne!(a.points(0, 64), c.points(0, 64));
        assert_ne!(a.point(0), vec![0.0; 5]);
    }

    #[test]
    fn dimensions_are_bounded() {
        assert!(SobolSequence::new(0, Scrambling::None, 0).is_err());
        assert!(SobolSequence::new(MAX_DIMENSION + 1, Scrambling::None, 0).is_err());
        assert_eq!(MAX_DIMENSION, 65);
    }
}
