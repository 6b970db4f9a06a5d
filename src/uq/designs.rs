//! Sampling designs: `n × d` matrices of uniforms in (0, 1), one row per
//! sample and one column per uncertain input. Map a column through an
//! input's quantile function (inverse CDF) to get the input's values.
//!
//! | design | what it promises |
//! |---|---|
//! | [`monte_carlo`] | independent uniforms |
//! | [`latin_hypercube`] | in each column, each of the `n` strata `[k/n, (k+1)/n)` holds exactly one point |
//! | [`antithetic`] | rows come in mirrored pairs: row `2i+1 = 1 − row 2i` exactly |
//! | [`sobol`] | the unscrambled Sobol low-discrepancy sequence (deterministic) |
//! | [`scrambled_sobol`] | Sobol points randomized by a random linear matrix scramble and a digital shift: each point is uniform on (0,1)^d, the net structure is kept |
//!
//! [`rqmc_estimate`] averages a function over independent scrambles to give
//! a randomized-QMC estimate with a standard error.

use super::sobol_table::{JOE_KUO, JOE_KUO_LEN};
use super::{Matrix, open_unit, uniform_index};
use crate::rng::Xoshiro256pp;

/// Largest dimension supported by [`SobolSequence`], [`ScrambledSobol`],
/// [`sobol`] and [`scrambled_sobol`] (the embedded Joe–Kuo table covers
/// dimensions 1 to 1024).
pub const SOBOL_MAX_DIM: usize = 1 + JOE_KUO_LEN;

/// Value returned for an exact 0 coordinate of the unscrambled sequence (the
/// origin, point 0): `2^-53`, the smallest value of [`open_unit`].
pub const SOBOL_ZERO: f64 = 1.0 / (1u64 << 53) as f64;

/// `n × d` independent uniforms, filled row by row from `rng`.
pub fn monte_carlo(n: usize, d: usize, rng: &mut Xoshiro256pp) -> Matrix {
    let data = (0..n * d).map(|_| open_unit(rng.next_u64())).collect();
    Matrix::from_vec(n, d, data)
}

/// Latin hypercube sample of `n` points in `d` dimensions.
///
/// Each column is an independent random permutation of the strata
/// `0..n`, with a uniform jitter inside each stratum: the value in stratum `k`
/// satisfies `floor(u · n) == k` in floating point (values that would round
/// onto a stratum boundary are nudged back inside), so every stratum
/// `[k/n, (k+1)/n)` holds exactly one point per column. All values are in
/// (0, 1). Columns are generated one after another (permutation, then
/// jitters), so the result is a fixed function of the generator state.
pub fn latin_hypercube(n: usize, d: usize, rng: &mut Xoshiro256pp) -> Matrix {
    let mut m = Matrix::zeros(n, d);
    let nf = n as f64;
    let mut perm: Vec<usize> = Vec::with_capacity(n);
    for j in 0..d {
        perm.clear();
        perm.extend(0..n);
        shuffle(&mut perm, rng);
        for (i, &k) in perm.iter().enumerate() {
            let mut u = (k as f64 + open_unit(rng.next_u64())) / nf;
            // Keep floor(u * n) == k despite rounding.
            while u > 0.0 && (u * nf).floor() > k as f64 {
                u = u.next_down();
            }
            while (u * nf).floor() < k as f64 {
                u = u.next_up();
            }
            m[(i, j)] = u;
        }
    }
    m
}

/// `n` points in `d` dimensions as `n / 2` antithetic pairs: rows `2i` are
/// independent uniforms and row `2i + 1 = 1 − row 2i`, exactly (both lie on
/// the grid of [`open_unit`], which is closed under `u ↦ 1 − u`).
///
/// # Panics
/// If `n` is odd.
pub fn antithetic(n: usize, d: usize, rng: &mut Xoshiro256pp) -> Matrix {
    assert!(
        n.is_multiple_of(2),
        "antithetic design needs an even n, got {n}"
    );
    let mut m = Matrix::zeros(n, d);
    for i in (0..n).step_by(2) {
        for j in 0..d {
            let u = open_unit(rng.next_u64());
            m[(i, j)] = u;
            m[(i + 1, j)] = 1.0 - u;
        }
    }
    m
}

/// Points `skip .. skip + n` of the unscrambled `d`-dimensional Sobol
/// sequence (Joe–Kuo direction numbers, Gray-code order as in Joe & Kuo's
/// and SciPy's generators).
///
/// Convention: point 0 is the origin; since designs must stay inside (0, 1)
/// its coordinates are returned as [`SOBOL_ZERO`] (`2^-53`). Pass `skip = 1`
/// to start at `(0.5, 0.5, …)`. In two dimensions the sequence is
/// `(0,0), (0.5,0.5), (0.75,0.25), (0.25,0.75), (0.375,0.375), …`. Other
/// coordinates are exact dyadic rationals (for indices below `2^53`).
///
/// Unscrambled points are deterministic, so they carry no error estimate;
/// use [`scrambled_sobol`] for randomized QMC.
///
/// # Panics
/// If `d == 0` or `d > SOBOL_MAX_DIM`.
pub fn sobol(n: usize, d: usize, skip: u64) -> Matrix {
    SobolSequence::new(d).matrix(n, skip)
}

/// The first `n` points of a randomly scrambled `d`-dimensional Sobol
/// sequence (see [`ScrambledSobol`]): a fresh scramble drawn from `rng`.
///
/// For `n` a power of two, each one-dimensional projection has exactly one
/// point in every interval `[k/n, (k+1)/n)`, and the full point set is a
/// scrambled (t, m, d)-net. Other `n` are allowed but lose that balance.
///
/// # Panics
/// If `d == 0` or `d > SOBOL_MAX_DIM`.
pub fn scrambled_sobol(n: usize, d: usize, rng: &mut Xoshiro256pp) -> Matrix {
    ScrambledSobol::new(d, rng).matrix(n, 0)
}

/// Direction numbers `v_1 … v_64` of one dimension, left-aligned in 64 bits
/// (`v_j = m_j · 2^(64 − j)`).
type Directions = [u64; 64];

fn directions(dim: usize) -> Directions {
    let mut m = [0u64; 64];
    if dim == 0 {
        m = [1; 64];
    } else {
        let (s, a, init) = JOE_KUO[dim - 1];
        let s = s as usize;
        for (j, &mj) in init.iter().enumerate() {
            m[j] = mj as u64;
        }
        for j in s..64 {
            // m_j = 2 a_1 m_{j-1} ^ 4 a_2 m_{j-2} ^ … ^ 2^{s-1} a_{s-1} m_{j-s+1}
            //       ^ 2^s m_{j-s} ^ m_{j-s}   (0-based j here)
            let mut v = m[j - s] ^ (m[j - s] << s);
            for k in 1..s {
                if (a >> (s - 1 - k)) & 1 == 1 {
                    v ^= m[j - k] << k;
                }
            }
            m[j] = v;
        }
    }
    let mut dirs = [0u64; 64];
    for (j, d) in dirs.iter_mut().enumerate() {
        *d = m[j] << (63 - j);
    }
    dirs
}

/// Visits points `skip .. skip + n` of the digital sequence with direction
/// numbers `dirs` XOR `shift`, in Gray-code order, as raw 64-bit fractions.
fn visit_bits(dirs: &[Directions], shift: &[u64], n: usize, skip: u64, mut f: impl FnMut(&[u64])) {
    let d = dirs.len();
    let mut x = vec![0u64; d];
    if n == 0 {
        return;
    }
    gray_point(dirs, shift, skip, &mut x);
    f(&x);
    for i in 1..n as u64 {
        let k = skip + i;
        let c = k.trailing_zeros() as usize;
        for (xj, dj) in x.iter_mut().zip(dirs) {
            *xj ^= dj[c];
        }
        f(&x);
    }
}

/// Coordinate of point `k` (Gray-code order) of one dimension of the digital
/// sequence, XOR `shift`.
#[inline]
fn gray_coord(dirs: &Directions, shift: u64, k: u64) -> u64 {
    let mut x = shift;
    let mut bits = k ^ (k >> 1);
    while bits != 0 {
        x ^= dirs[bits.trailing_zeros() as usize];
        bits &= bits - 1;
    }
    x
}

/// Point `k` (Gray-code order) of the digital sequence, XOR `shift`.
fn gray_point(dirs: &[Directions], shift: &[u64], k: u64, out: &mut [u64]) {
    for ((o, dj), s) in out.iter_mut().zip(dirs).zip(shift) {
        *o = gray_coord(dj, *s, k);
    }
}

fn check_dim(d: usize) {
    assert!(
        (1..=SOBOL_MAX_DIM).contains(&d),
        "Sobol sequences support 1 to {SOBOL_MAX_DIM} dimensions, got {d}"
    );
}

/// The unscrambled Sobol sequence in `d` dimensions, with random access to
/// any point.
#[derive(Clone, Debug)]
pub struct SobolSequence {
    dirs: Vec<Directions>,
    zero_shift: Vec<u64>,
}

impl SobolSequence {
    /// The first `d` dimensions of the sequence.
    ///
    /// # Panics
    /// If `d == 0` or `d > SOBOL_MAX_DIM`.
    pub fn new(d: usize) -> Self {
        check_dim(d);
        Self {
            dirs: (0..d).map(directions).collect(),
            zero_shift: vec![0; d],
        }
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.dirs.len()
    }

    /// Point `k` as 64-bit binary fractions (`x = bits · 2^-64`, origin
    /// included as zeros). `out.len()` must equal `dims()`.
    pub fn point_bits(&self, k: u64, out: &mut [u64]) {
        assert_eq!(out.len(), self.dims(), "point_bits: wrong output length");
        gray_point(&self.dirs, &self.zero_shift, k, out);
    }

    /// Point `k` as uniforms (origin mapped to [`SOBOL_ZERO`]); `out.len()`
    /// must equal `dims()`.
    pub fn point(&self, k: u64, out: &mut [f64]) {
        assert_eq!(out.len(), self.dims(), "point: wrong output length");
        for (o, dj) in out.iter_mut().zip(&self.dirs) {
            *o = plain_unit(gray_coord(dj, 0, k));
        }
    }

    /// Points `skip .. skip + n` as an `n × d` matrix (see [`sobol`]).
    pub fn matrix(&self, n: usize, skip: u64) -> Matrix {
        let d = self.dims();
        let mut data = Vec::with_capacity(n * d);
        visit_bits(&self.dirs, &self.zero_shift, n, skip, |x| {
            data.extend(x.iter().map(|&b| plain_unit(b)))
        });
        Matrix::from_vec(n, d, data)
    }
}

fn plain_unit(bits: u64) -> f64 {
    if bits == 0 {
        SOBOL_ZERO
    } else {
        bits as f64 * (1.0 / 18_446_744_073_709_551_616.0)
    }
}

/// A randomly scrambled Sobol sequence: Matoušek's random linear matrix
/// scramble followed by a random digital shift (LMS + DS), on all 64 bits of
/// each coordinate.
///
/// For each dimension, a random lower-triangular 64 × 64 binary matrix `L`
/// with unit diagonal multiplies the digit vector of every point (digit `i`
/// of the result depends only on digits `1..=i` of the input), and the result
/// is XOR-ed with a random 64-bit shift. The scramble keeps the (t, m, d)-net
/// structure of the sequence (so `2^m` points are still stratified in every
/// projection the unscrambled points were), while the shift makes every
/// point uniformly distributed on (0,1)^d: averages over the points are
/// unbiased, and independent scrambles give independent replicates of the
/// estimate. Owen (2003) shows this scramble has the same variance as
/// Owen's nested uniform scramble for every square-integrable integrand.
///
/// Coordinates are returned through [`open_unit`] (top 52 bits plus half a
/// step), so they are strictly inside (0, 1).
///
/// References: J. Matoušek, "On the L2-discrepancy for anchored boxes",
/// J. Complexity 14 (1998); A. B. Owen, "Variance with alternative
/// scramblings of digital nets", ACM TOMACS 13 (2003).
#[derive(Clone, Debug)]
pub struct ScrambledSobol {
    dirs: Vec<Directions>,
    shift: Vec<u64>,
}

impl ScrambledSobol {
    /// Draws a scramble of the first `d` dimensions from `rng`: for each
    /// dimension in turn, 63 words for the strictly-lower part of `L` and
    /// one word for the shift.
    ///
    /// # Panics
    /// If `d == 0` or `d > SOBOL_MAX_DIM`.
    pub fn new(d: usize, rng: &mut Xoshiro256pp) -> Self {
        check_dim(d);
        let mut dirs = Vec::with_capacity(d);
        let mut shift = Vec::with_capacity(d);
        for dim in 0..d {
            // Row i (digit i + 1, bit 63 - i) of L: the diagonal bit plus
            // random bits for the more significant digits.
            let mut rows = [0u64; 64];
            rows[0] = 1 << 63;
            for (i, row) in rows.iter_mut().enumerate().skip(1) {
                let above = !0u64 << (64 - i);
                *row = (rng.next_u64() & above) | (1 << (63 - i));
            }
            let plain = directions(dim);
            let mut scrambled = [0u64; 64];
            for (s, &v) in scrambled.iter_mut().zip(&plain) {
                let mut y = 0u64;
                for (i, row) in rows.iter().enumerate() {
                    y |= (((row & v).count_ones() & 1) as u64) << (63 - i);
                }
                *s = y;
            }
            dirs.push(scrambled);
            shift.push(rng.next_u64());
        }
        Self { dirs, shift }
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.dirs.len()
    }

    /// Point `k` of the scrambled sequence (random access, any `k`);
    /// `out.len()` must equal `dims()`. `matrix(n, 0)` row `k` equals
    /// `point(k)`.
    pub fn point(&self, k: u64, out: &mut [f64]) {
        assert_eq!(out.len(), self.dims(), "point: wrong output length");
        for ((o, dj), &s) in out.iter_mut().zip(&self.dirs).zip(&self.shift) {
            *o = open_unit(gray_coord(dj, s, k));
        }
    }

    /// Points `skip .. skip + n` as an `n × d` matrix.
    pub fn matrix(&self, n: usize, skip: u64) -> Matrix {
        let d = self.dims();
        let mut data = Vec::with_capacity(n * d);
        visit_bits(&self.dirs, &self.shift, n, skip, |x| {
            data.extend(x.iter().map(|&b| open_unit(b)))
        });
        Matrix::from_vec(n, d, data)
    }

    /// Calls `f` with each of the points `skip .. skip + n` in turn, without
    /// storing them.
    pub fn for_each_point(&self, n: usize, skip: u64, mut f: impl FnMut(&[f64])) {
        let mut u = vec![0.0; self.dims()];
        visit_bits(&self.dirs, &self.shift, n, skip, |x| {
            for (o, &b) in u.iter_mut().zip(x) {
                *o = open_unit(b);
            }
            f(&u)
        });
    }
}

/// A randomized quasi-Monte Carlo estimate of `∫_{(0,1)^d} f`.
#[derive(Clone, Debug, PartialEq)]
pub struct RqmcEstimate {
    /// Average of the per-scramble means.
    pub mean: f64,
    /// Standard error of `mean`: the sample standard deviation of the
    /// per-scramble means divided by `sqrt(replicates)`; NaN for a single
    /// scramble.
    pub standard_error: f64,
    /// The mean of `f` over the `n` points of each scramble, in order.
    pub replicate_means: Vec<f64>,
}

/// Estimates `∫_{(0,1)^d} f(x) dx` by averaging `f` over the first `n`
/// points of `replicates` independent scrambles of the Sobol sequence
/// ([`ScrambledSobol`], drawn from `rng` one after the other).
///
/// Each scramble's mean is an unbiased estimate; their spread gives the
/// standard error. Use a power of two for `n`: the error then typically
/// falls like `n^-1` to `n^-3/2` for smooth `f`, against `n^-1/2` for plain
/// Monte Carlo.
///
/// # Panics
/// If `n == 0`, `replicates == 0`, `d == 0` or `d > SOBOL_MAX_DIM`.
pub fn rqmc_estimate<F>(
    mut f: F,
    n: usize,
    d: usize,
    replicates: usize,
    rng: &mut Xoshiro256pp,
) -> RqmcEstimate
where
    F: FnMut(&[f64]) -> f64,
{
    assert!(
        n > 0 && replicates > 0,
        "rqmc_estimate needs n > 0 and replicates > 0"
    );
    let mut means = Vec::with_capacity(replicates);
    for _ in 0..replicates {
        let s = ScrambledSobol::new(d, rng);
        let mut sum = 0.0;
        s.for_each_point(n, 0, |x| sum += f(x));
        means.push(sum / n as f64);
    }
    let r = replicates as f64;
    let mean = means.iter().sum::<f64>() / r;
    let standard_error = if replicates < 2 {
        f64::NAN
    } else {
        let ss: f64 = means.iter().map(|m| (m - mean) * (m - mean)).sum();
        (ss / (r - 1.0) / r).sqrt()
    };
    RqmcEstimate {
        mean,
        standard_error,
        replicate_means: means,
    }
}

/// Fisher–Yates shuffle driven by `rng`.
pub(crate) fn shuffle<T>(v: &mut [T], rng: &mut Xoshiro256pp) {
    for i in (1..v.len()).rev() {
        let j = uniform_index(rng, i + 1);
        v.swap(i, j);
    }
}
