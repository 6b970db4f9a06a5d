//! Fast exact samplers for the per-day hot path.
//!
//! Daily truck arrivals are Poisson: the engine draws one Poisson(λ_f) count
//! per flow and day, with λ_f an uncertain input that changes every
//! replicate (typically 1–200). [`PoissonSampler`] therefore needs both a
//! cheap draw (a few ns, also when the 16 or so flows of a replicate each
//! use a different table that changes every replicate) and a cheap
//! re-targeting [`set`](PoissonSampler::set) (tens of ns, no table build).
//! It splits the mean, λ = j + r with j = ⌊λ⌋ and r ∈ [0, 1):
//!
//! * **Poisson(j)**, for integer j < [`ALIAS_MAX_LAMBDA`]: Walker's alias
//!   method (Vose's construction) over the *central range* of Poisson(j),
//!   the values that hold all but at most 2⁻¹⁴ ([`ESCAPE_MAX_LOG2`]) of the
//!   mass on each side, plus two *escape* values that carry the exact mass
//!   of the lower and of the upper tail. An entry is one `u64` (threshold
//!   and alias packed), so a table is 2ᵇ·8 bytes: 1 KB at j = 150, about
//!   840 bytes on average over j < 200, 167 KB for all of them (a full
//!   table down to the 2⁻⁶⁴ resolution took 16-byte entries over twice the
//!   range: 4 KB at j = 150, 16 tables overflowing L1). A draw takes one
//!   64-bit word: its top b bits pick an entry, its low 64 − b bits are
//!   compared with the entry's integer threshold. When an escape is drawn
//!   (probability below 2·2⁻¹⁴, far below for most j: the central range is
//!   widened to fill the power of two), the same low bits, which are then
//!   uniform on [0, escape weight), are inverted against the tail's
//!   cumulative weights from the cut outward (a cold path). Each table is
//!   built once per process, the first time any thread needs it, and is
//!   then shared read-only by all threads (`set` only fetches it).
//! * **Poisson(r)**: inversion of its distribution function with the first
//!   three cdf values precomputed by `set` as 53-bit integer thresholds
//!   (a second word, its top 53 bits compared with them without branches);
//!   only beyond 2 (probability below 8 %, a predictable branch) the
//!   inversion continues with the recurrence pₖ = pₖ₋₁·r/k.
//! * For λ ≥ [`ALIAS_MAX_LAMBDA`]: Hörmann's transformed rejection with
//!   squeeze (PTRS, 1993), with log k! from a table.
//!
//! Below the alias limit every draw consumes exactly two words of the
//! stream — the second even when r = 0, and also when an escape is drawn
//! (the tail reuses the first word's low bits, it draws no extra word) —
//! so the stream position after d days does not depend on λ or on the
//! values drawn (common random numbers stay aligned across scenario
//! variants). The values drawn from a given stream position do depend on
//! the tables' layout: changing [`ESCAPE_MAX_LOG2`] or the table
//! construction changes every run's draws (not their law).
//!
//! # Exactness
//!
//! * The decomposition is exact: independent Poisson(j) and Poisson(r) sum
//!   to Poisson(j + r).
//! * Poisson(j) is drawn from integer weights wₖ (units of 2⁻⁶⁴) that sum
//!   to exactly 2⁶⁴, with probability exactly wₖ·2⁻⁶⁴ for every k:
//!   - *central values*: the top `b` bits of a uniform word pick each of
//!     the 2ᵇ entries with probability 2⁻ᵇ, the other 64 − b bits are
//!     uniform on [0, 2⁶⁴⁻ᵇ) and independent of them, so entry i yields
//!     its own value with probability `thr[i]·2⁻⁶⁴` and its alias
//!     otherwise. The thresholds are built in exact integer arithmetic, so
//!     a central value `k` is drawn with probability exactly wₖ·2⁻⁶⁴, and
//!     each escape with probability exactly its weight W (the sum of the
//!     wₖ of its tail) times 2⁻⁶⁴.
//!   - *tail values*: an escape weighs less than one entry, so Vose's
//!     construction never uses it as an alias and keeps its whole weight
//!     in its own entry: it is drawn exactly when the index bits select
//!     that entry and the low bits are below W, so given the escape the
//!     low bits are uniform on the integers of [0, W). Inverting them
//!     against the tail's cumulative weights gives each tail value `k`
//!     exactly wₖ of those W residuals: probability (W·2⁻⁶⁴)·(wₖ/W) =
//!     wₖ·2⁻⁶⁴. No precision is lost in the tails: a 2⁻¹⁴ escape still
//!     leaves a 50-bit residual, one integer per 2⁻⁶⁴ of probability.
//!
//!   The wₖ are those of the whole-support table of the previous version
//!   (same construction, same integers; only their layout changed), and
//!   differ from the Poisson(j) pmf by (a) the truncated tails: the mass
//!   left out beyond each end of the support is below 10⁻²⁰ + 2⁻⁶⁵, under
//!   the 2⁻⁶⁴ ≈ 5.4·10⁻²⁰ resolution of one 64-bit generator output;
//!   (b) rounding the cumulative sums to multiples of 2⁻⁶⁴ and the
//!   double-precision evaluation of the pmf (~10⁻¹⁶ relative).
//!   `tests/sampling.rs` checks the implied probabilities ([`alias_law`]:
//!   central values, escapes, tail values) against an independent
//!   evaluation of the pmf to 10⁻¹⁵ absolute, and the unit tests check in
//!   integers that central and tail weights reproduce the whole-support
//!   weights exactly.
//! * The cdf thresholds of Poisson(r) are floored to multiples of 2⁻⁵³
//!   (error below 1.1·10⁻¹⁶ each), as in inversion of a 53-bit uniform.
//!
//! The total-variation distance to Poisson(λ) is thus of order 10⁻¹⁵:
//! detecting it would take of the order of 10³⁰ draws. The chi-square
//! goodness-of-fit tests in `tests/sampling.rs` cover λ from 0.3 to 3000.5,
//! and the tails reached through the escapes separately.
//!
//! [`PoissonInversion`] is the older sampler (guide-table inversion below
//! λ = 40, rebuilt by every `set`), kept for the benchmark comparison that
//! justified the change and as a cross-check in the tests.

use crate::rng::Xoshiro256pp;
use std::sync::OnceLock;

mod four;

/// Entries of the log-factorial table; larger k use Stirling's series.
const LOG_FACT_TABLE: usize = 2048;

fn log_fact_table() -> &'static [f64] {
    static T: OnceLock<Vec<f64>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Vec::with_capacity(LOG_FACT_TABLE);
        let mut acc = 0.0f64;
        t.push(0.0);
        for k in 1..LOG_FACT_TABLE {
            acc += (k as f64).ln();
            t.push(acc);
        }
        t
    })
}

/// `ln k!`, exact to double precision from the table, Stirling beyond.
#[inline]
pub fn log_factorial(k: u64) -> f64 {
    if (k as usize) < LOG_FACT_TABLE {
        log_fact_table()[k as usize]
    } else {
        let x = k as f64 + 1.0;
        // ln Γ(x) by Stirling's series (error < 1e-15 for x > 2048).
        (x - 0.5) * x.ln() - x + 0.918_938_533_204_672_8 + 1.0 / (12.0 * x)
            - 1.0 / (360.0 * x * x * x)
    }
}

// ---------------------------------------------------------------------------
// Alias tables of Poisson(j), integer j.

/// λ below which [`PoissonSampler`] uses the alias decomposition; from here
/// on it uses PTRS. Tables are built only for the integer parts ⌊λ⌋ that
/// occur (each at most 256 entries of 8 bytes, plus its cold tails).
pub const ALIAS_MAX_LAMBDA: f64 = 1024.0;
const ALIAS_LIMIT: usize = ALIAS_MAX_LAMBDA as usize;

/// Mass allowed beyond each end of the whole support, relative to the total.
const TAIL_MASS: f64 = 1e-20;

/// Each escape of an alias table carries at most 2^−`ESCAPE_MAX_LOG2` =
/// 2⁻¹⁴ of the mass (the central range is then widened to fill its power of
/// two, which leaves most escapes far lighter). A larger limit saves
/// little memory (2⁻¹⁰: 12 % less for all j < 200), a smaller one costs
/// some (2⁻²⁰: 23 % more); draws cost the same with all three, within
/// the noise of the measurement.
pub const ESCAPE_MAX_LOG2: u32 = 14;
/// [`ESCAPE_MAX_LOG2`] as a weight, in units of 2⁻⁶⁴.
const ESCAPE_MAX: u128 = TWO64 >> ESCAPE_MAX_LOG2;

/// 2⁶⁴, exact in both types.
const TWO64: u128 = 1 << 64;
const TWO64_F: f64 = 18_446_744_073_709_551_616.0;
/// 2⁵³ as a float.
const TWO53_F: f64 = 9_007_199_254_740_992.0;

/// The sampler of Poisson(j): an alias table over the central range
/// `[lo, lo + m)` and two escapes, plus the cold tails the escapes lead to.
///
/// The table has n = 2ᵇ entries of one `u64` each, `alias << (64 − b) | thr`:
/// the entry of index i keeps i when the word's low 64 − b bits are below
/// `thr` (< 2⁶⁴⁻ᵇ; a full entry is stored as alias i), else returns
/// `alias`. Index i stands for the value `lo + i` for i < m, for the escape
/// to the lower tail for i = m and to the upper tail for i = m + 1;
/// indices beyond are padding of weight 0 (only when the whole support is
/// shorter than the table). Copied by value into each sampler; entries and
/// tails are shared.
#[derive(Clone, Copy)]
struct AliasTable {
    entries: &'static [u64],
    tails: &'static Tails,
    /// Smallest value of the central range.
    lo: u32,
    /// Number of central values (the lower escape's index).
    m: u32,
    /// 64 − b: the word's top b bits are the index (and an entry's top b
    /// bits its alias).
    shift: u32,
    /// 2⁶⁴⁻ᵇ − 1: the word's low bits compared with the entry's threshold.
    mask: u64,
}

/// The tails beyond the central range `[lo, lo + m)`, drawn by inversion of
/// the escape entry's own low bits. `lower[i]` is the total weight (units
/// of 2⁻⁶⁴) of the values below `lo − 1 − i`, `upper[i]` that of the values
/// above `lo + m + i`; both decrease to 0, the last value of each tail.
#[derive(Debug, Default)]
struct Tails {
    lower: Vec<u64>,
    upper: Vec<u64>,
}

impl std::fmt::Debug for AliasTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AliasTable")
            .field("lo", &self.lo)
            .field("m", &self.m)
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl AliasTable {
    /// Placeholder of a sampler that never draws from a table.
    const EMPTY: AliasTable = AliasTable {
        entries: &[],
        tails: &Tails {
            lower: Vec::new(),
            upper: Vec::new(),
        },
        lo: 0,
        m: 0,
        shift: 63,
        mask: (1 << 63) - 1,
    };

    /// Builds the sampler of Poisson(j) from its integer weights
    /// ([`full_weights`]).
    ///
    /// The central range starts as the narrowest one that leaves at most
    /// [`ESCAPE_MAX`] to each side, and is then widened, one value at a
    /// time on the side of the heavier neighbour, until the central values
    /// and the two escapes fill the power of two the table has anyway (or
    /// the support is exhausted). Vose's construction then runs in exact
    /// integer arithmetic. Each escape weighs less than one entry (2⁶⁴⁻ᵇ),
    /// so it starts on Vose's "small" list, is never used as an alias, and
    /// its whole mass sits in its own entry as the kept part: given that the
    /// lower escape was drawn, the word's low 64 − b bits are uniform on
    /// [0, weight of the escape) — the residual that [`tail`](Self::tail)
    /// inverts.
    fn build(j: u32) -> AliasTable {
        let (lo_full, w) = full_weights(j);
        let len = w.len();
        let mode = (j - lo_full) as usize;
        // Narrowest central range [a, b] (indices into `w`).
        let mut a = 0;
        let mut below = 0u128;
        while a < mode && below + w[a] <= ESCAPE_MAX {
            below += w[a];
            a += 1;
        }
        let mut b = len - 1;
        let mut above = 0u128;
        while b > mode && above + w[b] <= ESCAPE_MAX {
            above += w[b];
            b -= 1;
        }
        let size = (b - a + 3).next_power_of_two();
        while b - a + 3 < size && (a > 0 || b + 1 < len) {
            if a > 0 && (b + 1 == len || w[a - 1] >= w[b + 1]) {
                a -= 1;
            } else {
                b += 1;
            }
        }
        let m = b - a + 1;
        let bits = size.trailing_zeros();
        let cap: u128 = TWO64 >> bits; // one entry's mass, 2^(64−b)
        let (esc_lo, esc_hi): (u128, u128) = (w[..a].iter().sum(), w[b + 1..].iter().sum());
        assert!(
            esc_lo <= ESCAPE_MAX && esc_hi <= ESCAPE_MAX && esc_lo.max(esc_hi) < cap,
            "Poisson({j}): escapes {esc_lo} {esc_hi}"
        );
        let mut tw = vec![0u128; size];
        tw[..m].copy_from_slice(&w[a..=b]);
        tw[m] = esc_lo;
        tw[m + 1] = esc_hi;

        // Vose: pair each under-full entry with an over-full one. Every
        // step keeps Σ(remaining w) = (#remaining)·cap exactly, so when one
        // list runs dry the other holds only entries of exactly `cap`.
        let mut thr = vec![0u128; size];
        let mut alias: Vec<usize> = (0..size).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..size).partition(|&i| tw[i] < cap);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            thr[s] = tw[s];
            alias[s] = l;
            tw[l] -= cap - tw[s];
            if tw[l] < cap {
                large.pop();
                small.push(l);
            }
        }
        for i in large.into_iter().chain(small) {
            assert_eq!(tw[i], cap, "alias table of Poisson({j}) unbalanced");
            // A full entry: kept or not, it returns i.
            (thr[i], alias[i]) = (0, i);
        }
        let entries: Vec<u64> = (0..size)
            .map(|i| ((alias[i] as u64) << (64 - bits)) | thr[i] as u64)
            .collect();
        // Outer sums of the tails, innermost value first.
        let mut lower = vec![0u64; a];
        let mut acc = 0u128;
        for i in 0..a {
            lower[a - 1 - i] = acc as u64;
            acc += w[i];
        }
        let mut upper = vec![0u64; len - 1 - b];
        let mut acc = 0u128;
        for i in (b + 1..len).rev() {
            upper[i - b - 1] = acc as u64;
            acc += w[i];
        }
        AliasTable {
            entries: Box::leak(entries.into_boxed_slice()),
            tails: Box::leak(Box::new(Tails { lower, upper })),
            lo: lo_full + a as u32,
            m: m as u32,
            shift: 64 - bits,
            mask: (cap - 1) as u64,
        }
    }

    /// The table of Poisson(j), j < [`ALIAS_MAX_LAMBDA`], built on first use
    /// and shared by all threads for the rest of the process.
    fn get(j: u32) -> AliasTable {
        static TABLES: [OnceLock<AliasTable>; ALIAS_LIMIT] =
            [const { OnceLock::new() }; ALIAS_LIMIT];
        *TABLES[j as usize].get_or_init(|| AliasTable::build(j))
    }

    /// One draw of Poisson(j) from the 64-bit word `u`.
    #[inline(always)]
    fn draw(&self, u: u64) -> u32 {
        let idx = (u >> self.shift) as usize;
        let e = self.entries[idx];
        let keep = (u & self.mask) < (e & self.mask);
        let v = std::hint::select_unpredictable(keep, idx as u32, (e >> self.shift) as u32);
        if v < self.m {
            self.lo + v
        } else {
            self.tail(v, u)
        }
    }

    /// The value drawn when the word `u` selected escape `v` (m: lower
    /// tail, m + 1: upper): `u`'s low 64 − b bits, uniform on [0, escape
    /// weight), inverted against the tail's outer sums, from the cut
    /// outward. A value whose outer sum is `s` and whose inner neighbour's
    /// is `s′` is returned for the `s′ − s` residuals in [s, s′): exactly
    /// its weight.
    #[cold]
    #[inline(never)]
    fn tail(&self, v: u32, u: u64) -> u32 {
        let low = u & self.mask;
        let (outer, lower) = if v == self.m {
            (&self.tails.lower, true)
        } else {
            debug_assert_eq!(v, self.m + 1, "padding entry drawn");
            (&self.tails.upper, false)
        };
        let i = outer
            .iter()
            .position(|&s| low >= s)
            .expect("outer sums end at 0") as u32;
        if lower {
            self.lo - 1 - i
        } else {
            self.lo + self.m + i
        }
    }

    /// Weight (units of 2⁻⁶⁴) of each table index, padding included.
    fn implied_weights(&self) -> Vec<u128> {
        let cap = self.mask as u128 + 1;
        let mut w = vec![0u128; self.entries.len()];
        for (i, &e) in self.entries.iter().enumerate() {
            let thr = (e & self.mask) as u128;
            w[i] += thr;
            w[(e >> self.shift) as usize] += cap - thr;
        }
        w
    }
}

/// Weights of the tail values, innermost first, from their outer sums
/// (the first of which is the escape weight `esc`).
fn tail_weights(esc: u128, outer: &[u64]) -> Vec<u128> {
    let mut prev = esc;
    outer
        .iter()
        .map(|&s| {
            let w = prev - s as u128;
            prev = s as u128;
            w
        })
        .collect()
}

/// Integer weights of Poisson(j), in units of 2⁻⁶⁴ and summing to exactly
/// 2⁶⁴, over the support `[lo, lo + len)` returned with them: the law every
/// sampler of Poisson(j) draws.
///
/// The pmf is evaluated relative to the mode (qⱼ = 1, then
/// qₖ₊₁ = qₖ·j/(k+1) upward and qₖ₋₁ = qₖ·k/j downward: only correctly
/// rounded operations, so the weights are the same on every platform),
/// truncated where the remaining tail, bounded by a geometric series, is
/// below [`TAIL_MASS`] of the total, and turned into integer weights by
/// [`integer_weights`]; values of weight 0 at either end are dropped.
fn full_weights(j: u32) -> (u32, Vec<u128>) {
    let jf = j as f64;
    // Relative pmf upward from the mode until negligible.
    let mut up = vec![1.0f64];
    loop {
        let k = j as usize + up.len();
        let q = up[up.len() - 1] * jf / k as f64;
        if q < 1e-30 {
            break;
        }
        up.push(q);
    }
    let mut down = Vec::new(); // q_{j-1}, q_{j-2}, …
    let mut q = 1.0f64;
    let mut k = j;
    while k > 0 {
        q *= k as f64 / jf;
        if q < 1e-30 {
            break;
        }
        down.push(q);
        k -= 1;
    }
    let total = neumaier_sum(up.iter().chain(down.iter()).copied());
    // Truncate: the tail beyond hi is at most q_{hi+1}/(1 − j/(hi+2)),
    // the tail below lo at most q_{lo−1}/(1 − (lo−1)/j) (the ratios of
    // successive terms only decrease outward).
    let mut n_up = up.len();
    for i in 0..up.len() {
        let next = up.get(i + 1).copied().unwrap_or(0.0);
        let hi = (j as usize + i) as f64;
        if next / (1.0 - jf / (hi + 2.0)) < TAIL_MASS * total {
            n_up = i + 1;
            break;
        }
    }
    let mut n_down = down.len();
    for i in 0..=down.len() {
        // lo = j − i; the next term below is down[i] (q_{lo−1}).
        let lo = j as usize - i;
        let next = if lo == 0 {
            0.0
        } else {
            down.get(i).copied().unwrap_or(0.0)
        };
        if next == 0.0 || next / (1.0 - (lo as f64 - 1.0) / jf) < TAIL_MASS * total {
            n_down = i;
            break;
        }
    }
    let lo = j - n_down as u32;
    // Relative pmf over [lo, hi], ascending.
    let q: Vec<f64> = down[..n_down]
        .iter()
        .rev()
        .chain(up[..n_up].iter())
        .copied()
        .collect();
    let w = integer_weights(&q, (j - lo) as usize);
    // Values of weight 0 leave the support (their mass is in the rounding
    // of the cumulative sums, below 2⁻⁶⁵ on each side).
    let first = w.iter().position(|&x| x > 0).unwrap_or(0);
    let last = w.iter().rposition(|&x| x > 0).unwrap_or(0);
    (lo + first as u32, w[first..=last].to_vec())
}

/// Integer weights in units of 2⁻⁶⁴, summing to exactly 2⁶⁴, of the
/// relative pmf `q` (any positive scale) whose mode is `q[mode]`.
///
/// The cumulative sums are rounded, not the terms: below the mode
/// Wₖ = round(2⁶⁴·P(X ≤ k)) accumulated from the lower end, above it
/// Tₖ = round(2⁶⁴·P(X ≥ k)) accumulated from the upper end (so small tail
/// terms keep their full relative precision), wₖ the differences, and the
/// mode takes what remains. Each weight is thus within about 2⁻⁶⁴ + 10⁻¹⁶·pₖ
/// of its probability, and every tail sum within 2⁻⁶⁵ (plus ~10⁻¹⁶
/// relative): tail values too small to be represented one by one still
/// carry their joint mass.
fn integer_weights(q: &[f64], mode: usize) -> Vec<u128> {
    let scale = TWO64_F / neumaier_sum(q.iter().copied());
    let round = |x: f64| (x * scale + 0.5) as u128;
    let mut w = vec![0u128; q.len()];
    let mut acc = Neumaier::default();
    let mut prev = 0u128;
    for i in 0..mode {
        acc.add(q[i]);
        let cum = round(acc.value()).max(prev);
        w[i] = cum - prev;
        prev = cum;
    }
    let below = prev;
    let (mut acc, mut prev) = (Neumaier::default(), 0u128);
    for i in (mode + 1..q.len()).rev() {
        acc.add(q[i]);
        let cum = round(acc.value()).max(prev);
        w[i] = cum - prev;
        prev = cum;
    }
    w[mode] = TWO64 - below - prev;
    w
}

/// Running sum with Neumaier's compensation.
#[derive(Default)]
struct Neumaier {
    s: f64,
    c: f64,
}

impl Neumaier {
    fn add(&mut self, x: f64) {
        let t = self.s + x;
        self.c += if self.s.abs() >= x.abs() {
            (self.s - t) + x
        } else {
            (x - t) + self.s
        };
        self.s = t;
    }

    fn value(&self) -> f64 {
        self.s + self.c
    }
}

/// Sum with Neumaier's compensation (error independent of the length).
fn neumaier_sum(xs: impl Iterator<Item = f64>) -> f64 {
    let mut acc = Neumaier::default();
    xs.for_each(|x| acc.add(x));
    acc.value()
}

/// What the sampler of Poisson(j) draws (integer j <
/// [`ALIAS_MAX_LAMBDA`]), reconstructed from its tables by
/// [`alias_law`]. Every probability is a multiple of 2⁻⁶⁴; `central` and
/// `escape` sum to exactly 1, and each tail to exactly its escape (before
/// conversion to `f64`).
#[derive(Clone, Debug)]
pub struct AliasLaw {
    /// Smallest value of the central range.
    pub lo: u32,
    /// Probability of drawing the central value `lo + i` from the table.
    pub central: Vec<f64>,
    /// Probability of drawing the escape to the lower and to the upper
    /// tail.
    pub escape: [f64; 2],
    /// Probability of the value `lo − 1 − i` (drawn through the lower
    /// escape), innermost first; the last one is the smallest value drawn.
    pub lower_tail: Vec<f64>,
    /// Probability of the value `lo + central.len() + i` (through the upper
    /// escape); the last one is the largest value drawn.
    pub upper_tail: Vec<f64>,
    /// Bytes the table occupies (the memory a draw touches; the tails are
    /// only read after an escape).
    pub table_bytes: usize,
}

/// Test hook: the law of the sampler of Poisson(j) ([`AliasLaw`]), as its
/// tables define it: the table's probabilities from its thresholds and
/// aliases, each tail's from its outer sums.
pub fn alias_law(j: u32) -> AliasLaw {
    assert!((j as usize) < ALIAS_LIMIT, "no alias table for j = {j}");
    let t = AliasTable::get(j);
    let w = t.implied_weights();
    let m = t.m as usize;
    let f = |x: &u128| *x as f64 / TWO64_F;
    let tail = |esc, outer| tail_weights(esc, outer).iter().map(f).collect();
    AliasLaw {
        lo: t.lo,
        central: w[..m].iter().map(f).collect(),
        escape: [f(&w[m]), f(&w[m + 1])],
        lower_tail: tail(w[m], &t.tails.lower),
        upper_tail: tail(w[m + 1], &t.tails.upper),
        table_bytes: std::mem::size_of_val(t.entries),
    }
}

// ---------------------------------------------------------------------------
// The sampler.

/// An exact Poisson(λ) sampler (see the module documentation for the
/// method and the exactness argument). One per flow in a thread's
/// workspace; [`set`](Self::set) re-targets it to a new λ without
/// allocating (after the first use of an integer part ⌊λ⌋ in the process).
#[derive(Clone, Debug)]
pub struct PoissonSampler {
    mode: Mode,
    /// Poisson(⌊λ⌋) (alias mode).
    table: AliasTable,
    /// Poisson(r), r = λ − ⌊λ⌋: P(X ≤ k)·2⁵³ floored, k = 0, 1, 2.
    cdf: [u64; 3],
    /// The thresholds of Poisson(r) at 3 and 4 that [`fraction_tail`]'s
    /// float comparisons amount to for whole numbers (the smallest 53-bit
    /// word it takes to 4, and to 5 or more), for the four-lane fill.
    ///
    /// [`fraction_tail`]: Self::fraction_tail
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    tail_cdf: [u64; 2],
    /// r, and P(X ≤ 2)·2⁵³ and P(X = 0)·2⁵³ unrounded (the tail beyond 2).
    r: f64,
    c2: f64,
    p0: f64,
    ptrs: Ptrs,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Zero,
    Alias,
    Ptrs,
}

impl Default for PoissonSampler {
    /// A sampler of the constant 0 (λ = 0).
    fn default() -> Self {
        Self {
            mode: Mode::Zero,
            table: AliasTable::EMPTY,
            cdf: [0; 3],
            tail_cdf: [0; 2],
            r: 0.0,
            c2: 0.0,
            p0: 0.0,
            ptrs: Ptrs::default(),
        }
    }
}

impl PoissonSampler {
    /// A sampler for mean `lam` (trucks a day; ≥ 0, finite).
    pub fn new(lam: f64) -> Self {
        let mut s = Self::default();
        s.set(lam);
        s
    }

    /// Re-targets the sampler to mean `lam`. λ ≤ 0 or NaN gives the
    /// constant 0 (and draws consume nothing from the stream).
    pub fn set(&mut self, lam: f64) {
        if lam.is_nan() || lam <= 0.0 {
            self.mode = Mode::Zero;
        } else if lam < ALIAS_MAX_LAMBDA {
            self.mode = Mode::Alias;
            let j = lam as u32; // ⌊λ⌋ for λ > 0
            let r = lam - j as f64; // exact (Sterbenz)
            self.table = AliasTable::get(j);
            let p0 = (-r).exp();
            let c1 = p0 * (1.0 + r);
            let c2 = c1 + 0.5 * p0 * r * r;
            self.r = r;
            self.p0 = p0 * TWO53_F;
            self.c2 = c2 * TWO53_F;
            // Floor (truncating conversion of non-negative values).
            self.cdf = [self.p0 as u64, (c1 * TWO53_F) as u64, self.c2 as u64];
            // `fraction_tail`'s first two cdf values, by its very operations:
            // a 53-bit word v (exact as f64) reaches c exactly when v ≥ ⌈c⌉
            // (c lies above 2⁵², where doubles are whole numbers anyway).
            let p3 = self.p0 * r * r * r / 6.0;
            let c3 = self.c2 + p3;
            let c4 = c3 + p3 * (r / 4.0);
            self.tail_cdf = [c3.ceil() as u64, c4.ceil() as u64];
        } else {
            self.mode = Mode::Ptrs;
            self.ptrs = Ptrs::new(lam);
        }
    }

    /// One draw (a whole number, as `f64`). Below [`ALIAS_MAX_LAMBDA`] it
    /// consumes exactly two words of `rng`, also when the value comes from
    /// a tail (through an escape).
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        match self.mode {
            Mode::Alias => self.alias_draw(rng),
            Mode::Zero => 0.0,
            Mode::Ptrs => self.ptrs.sample(rng),
        }
    }

    /// One draw in alias mode: Poisson(j) from one word, Poisson(r) from
    /// the next.
    #[inline(always)]
    fn alias_draw(&self, rng: &mut Xoshiro256pp) -> f64 {
        let u = rng.next_u64();
        self.alias_value(u, rng.next_u64())
    }

    /// The alias-mode draw made of the two words `u` (Poisson(j)) and `w`
    /// (Poisson(r)).
    #[inline(always)]
    fn alias_value(&self, u: u64, w: u64) -> f64 {
        let k = self.table.draw(u);
        let v = w >> 11;
        let [c0, c1, c2] = self.cdf;
        let n = if v >= c2 {
            self.fraction_tail(v)
        } else {
            (v >= c0) as u32 + (v >= c1) as u32
        };
        (k + n) as f64
    }

    /// Fills `out` with independent draws, in order: the same values and
    /// the same stream position as calling [`sample`](Self::sample) once
    /// per element, with the mode chosen once for the whole slice.
    #[inline]
    pub fn fill(&self, rng: &mut Xoshiro256pp, out: &mut [f64]) {
        match self.mode {
            Mode::Alias => {
                for x in out {
                    *x = self.alias_draw(rng);
                }
            }
            Mode::Zero => out.fill(0.0),
            Mode::Ptrs => {
                for x in out {
                    *x = self.ptrs.sample(rng);
                }
            }
        }
    }

    /// Fills four series at once, each from its own sampler and stream:
    /// `outs[l]` gets exactly the values of `samplers[l].fill(rngs[l],
    /// outs[l])`, and every generator ends where that call leaves it.
    ///
    /// When all four samplers are in alias mode, the series have one
    /// length and the CPU has AVX2, the four generators and lookups run in
    /// the four 64-bit lanes of one vector register (`sampling/four.rs`):
    /// about half the time of four scalar fills (`sampler/engine_pattern/*`
    /// in `benches/engine.rs`). Otherwise it makes the four calls.
    pub fn fill_four(
        samplers: [&PoissonSampler; 4],
        mut rngs: [&mut Xoshiro256pp; 4],
        mut outs: [&mut [f64]; 4],
    ) {
        let same_len = outs.iter().all(|o| o.len() == outs[0].len());
        let alias = samplers.iter().all(|s| s.mode == Mode::Alias);
        if same_len && alias && four::fill(samplers, &mut rngs, &mut outs) {
            return;
        }
        for ((s, r), o) in samplers.into_iter().zip(rngs).zip(outs) {
            s.fill(r, o);
        }
    }

    /// Fills one series per sampler, flow-major: `out[f·h..(f+1)·h]` from
    /// `samplers[f]` and `rngs[f]`, h = `out.len() / samplers.len()`. Four
    /// series at a time through [`fill_four`](Self::fill_four), the rest
    /// one by one: the values of one [`fill`](Self::fill) per series.
    pub fn fill_series(samplers: &[PoissonSampler], rngs: &mut [Xoshiro256pp], out: &mut [f64]) {
        let n = samplers.len();
        assert_eq!(rngs.len(), n, "one generator per sampler");
        if n == 0 {
            return;
        }
        let h = out.len() / n;
        assert_eq!(out.len(), n * h, "one series of equal length per sampler");
        if h == 0 {
            return;
        }
        let quads = n / 4 * 4;
        for ((s, r), o) in samplers[..quads]
            .chunks_exact(4)
            .zip(rngs[..quads].chunks_exact_mut(4))
            .zip(out[..quads * h].chunks_exact_mut(4 * h))
        {
            let [r0, r1, r2, r3] = r else {
                unreachable!("chunks of four")
            };
            let mut o = o.chunks_exact_mut(h);
            let outs = [(); 4].map(|_| o.next().expect("four series"));
            Self::fill_four([&s[0], &s[1], &s[2], &s[3]], [r0, r1, r2, r3], outs);
        }
        for f in quads..n {
            samplers[f].fill(&mut rngs[f], &mut out[f * h..(f + 1) * h]);
        }
    }

    /// Poisson(r) beyond 2: continues the inversion of the 53-bit uniform
    /// `v` in floating point, in units of 2⁻⁵³. Returns at least 3. Should
    /// rounding leave the cdf short of `v` once the terms no longer change
    /// it (a 2⁻⁵³-size event), the last value reached is returned.
    #[cold]
    #[inline(never)]
    fn fraction_tail(&self, v: u64) -> u32 {
        let (x, r) = (v as f64, self.r);
        let mut k = 3u32;
        let mut p = self.p0 * r * r * r / 6.0;
        let mut c = self.c2 + p;
        while x >= c {
            k += 1;
            p *= r / k as f64;
            let next = c + p;
            if next == c {
                break;
            }
            c = next;
        }
        k
    }
}

// ---------------------------------------------------------------------------
// PTRS, for large λ.

/// Constants of Hörmann's PTRS for one λ (≥ 10 for the method's guarantees).
#[derive(Clone, Copy, Debug, Default)]
struct Ptrs {
    lam: f64,
    log_lam: f64,
    a: f64,
    b: f64,
    vr: f64,
    log_inv_alpha: f64,
}

impl Ptrs {
    fn new(lam: f64) -> Self {
        let slam = lam.sqrt();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        Self {
            lam,
            log_lam: lam.ln(),
            a,
            b,
            vr,
            log_inv_alpha: inv_alpha.ln(),
        }
    }

    /// Not inlined: keeps [`PoissonSampler::sample`] small enough to be
    /// inlined into its callers (PTRS costs tens of ns a draw anyway).
    #[inline(never)]
    fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        loop {
            let u = rng.uniform() - 0.5;
            let v = rng.uniform();
            let us = 0.5 - u.abs();
            // `k` is below −0.5 only when rejected below; truncation toward
            // zero then equals floor for every value that is used.
            let t = (2.0 * self.a / us + self.b) * u + self.lam + 0.43;
            if t < 0.0 {
                continue;
            }
            let k = t.trunc();
            if us >= 0.07 && v <= self.vr {
                return k;
            }
            if us < 0.013 && v > us {
                continue;
            }
            let lhs = v.ln() + self.log_inv_alpha - (self.a / (us * us) + self.b).ln();
            if lhs <= -self.lam + k * self.log_lam - log_factorial(k as u64) {
                return k;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The previous sampler, kept for comparison.

/// Largest λ sampled by table inversion in [`PoissonInversion`].
pub const INVERSION_MAX_LAMBDA: f64 = 40.0;
/// Guide-table entries.
const GUIDE: usize = 64;

/// Cumulative table and guide table of a Poisson law with small λ.
#[derive(Clone, Debug, Default)]
pub struct PoissonTable {
    lam: f64,
    /// `cdf[k] = P(X ≤ k)`, up to where the remaining tail is below 1e-17.
    cdf: Vec<f64>,
    /// `guide[j]` = smallest k with `cdf[k] ≥ j / GUIDE`.
    guide: Vec<u32>,
}

impl PoissonTable {
    /// Rebuilds the tables for mean `lam` (reusing their memory).
    pub fn set(&mut self, lam: f64) {
        self.lam = lam;
        self.cdf.clear();
        let mut p = (-lam).exp();
        let mut c = p;
        let mut k = 0u32;
        self.cdf.push(c);
        while 1.0 - c > 1e-17 && (k as f64) < lam + 40.0 * lam.sqrt() + 40.0 {
            k += 1;
            p *= lam / k as f64;
            c += p;
            self.cdf.push(c);
        }
        self.guide.clear();
        let mut k = 0usize;
        for j in 0..GUIDE {
            let target = j as f64 / GUIDE as f64;
            while k + 1 < self.cdf.len() && self.cdf[k] < target {
                k += 1;
            }
            self.guide.push(k as u32);
        }
    }

    /// One draw: the smallest k with `u ≤ cdf[k]`.
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        let u = rng.uniform();
        let mut k = self.guide[((u * GUIDE as f64) as usize).min(GUIDE - 1)] as usize;
        let last = self.cdf.len() - 1;
        while k < last && self.cdf[k] < u {
            k += 1;
        }
        if k == last && self.cdf[k] < u {
            // Beyond the table (probability < 1e-17): continue the
            // recurrence so the sampler stays exact.
            let (mut c, mut p) = (self.cdf[k], 0.0);
            p += (-self.lam + k as f64 * self.lam.ln() - log_factorial(k as u64)).exp();
            while c < u && p > 0.0 {
                k += 1;
                p *= self.lam / k as f64;
                c += p;
            }
        }
        k as f64
    }
}

/// The previous exact Poisson sampler: inversion of a cumulative table with
/// a guide table (Chen & Asau 1974) below [`INVERSION_MAX_LAMBDA`], rebuilt
/// by every [`set`](Self::set) (an O(λ) cost each replicate), PTRS above.
/// No longer used by the engine; kept for the benchmark comparison
/// (`cargo bench --bench engine -- sampler`) and as a cross-check in the
/// tests. Its draws differ from [`PoissonSampler`]'s (same law, other
/// mapping of the stream).
#[derive(Clone, Debug, Default)]
pub struct PoissonInversion {
    table: PoissonTable,
    ptrs: Ptrs,
    mode: Mode,
}

impl PoissonInversion {
    /// A sampler for mean `lam` (≥ 0, finite).
    pub fn new(lam: f64) -> Self {
        let mut s = Self::default();
        s.set(lam);
        s
    }

    /// Re-targets the sampler to mean `lam`.
    pub fn set(&mut self, lam: f64) {
        if lam.is_nan() || lam <= 0.0 {
            self.mode = Mode::Zero;
        } else if lam < INVERSION_MAX_LAMBDA {
            // `Alias` stands for the inversion table here.
            self.mode = Mode::Alias;
            self.table.set(lam);
        } else {
            self.mode = Mode::Ptrs;
            self.ptrs = Ptrs::new(lam);
        }
    }

    /// One draw (a whole number, as `f64`).
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        match self.mode {
            Mode::Zero => 0.0,
            Mode::Alias => self.table.sample(rng),
            Mode::Ptrs => self.ptrs.sample(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits an entry into (threshold, alias).
    fn split(t: &AliasTable, e: u64) -> (u64, usize) {
        (e & t.mask, (e >> t.shift) as usize)
    }

    /// `fill` gives the values of one `sample` call per element, and leaves
    /// the stream where they would, in every mode.
    #[test]
    fn fill_equals_repeated_samples() {
        for lam in [0.0, 0.3, 5.7, 150.25, 999.9, 2000.5] {
            let s = PoissonSampler::new(lam);
            let (mut a, mut b) = (
                Xoshiro256pp::from_seed_u64(9),
                Xoshiro256pp::from_seed_u64(9),
            );
            let mut filled = vec![f64::NAN; 500];
            s.fill(&mut a, &mut filled);
            let one_by_one: Vec<f64> = (0..500).map(|_| s.sample(&mut b)).collect();
            assert_eq!(filled, one_by_one, "lambda {lam}");
            assert_eq!(a.next_u64(), b.next_u64(), "lambda {lam}");
        }
    }

    /// Every table the sampler can use draws exactly the integer weights of
    /// [`full_weights`] (central values from the table, the rest through
    /// the escapes and tails), its entries are well formed, each escape
    /// holds its whole mass as the kept part of its own entry (the premise
    /// of the tail inversion), and the table is as small as its power of
    /// two allows.
    #[test]
    fn every_alias_table_is_exact_in_integers() {
        for j in 0..ALIAS_LIMIT as u32 {
            let t = AliasTable::get(j);
            let n = t.entries.len();
            let m = t.m as usize;
            assert!(n.is_power_of_two() && n >= 4, "j={j}");
            assert_eq!(64 - t.shift, n.trailing_zeros(), "j={j}");
            let cap = t.mask as u128 + 1;
            assert_eq!(cap * n as u128, TWO64, "j={j}");
            let w = t.implied_weights();
            assert_eq!(w.iter().sum::<u128>(), TWO64, "j={j}");
            for (i, &e) in t.entries.iter().enumerate() {
                let (thr, alias) = split(&t, e);
                assert!((thr as u128) < cap && alias < m + 2, "j={j} entry {i}");
                if alias == i {
                    assert_eq!(thr, 0, "j={j}: full entry {i} not canonical");
                }
                if i != m && i != m + 1 {
                    assert!(alias < m, "j={j}: entry {i} aliases an escape");
                }
                if i >= m + 2 {
                    assert_eq!(w[i], 0, "j={j}: padding entry {i} drawn");
                }
            }
            for (k, outer) in [(m, &t.tails.lower), (m + 1, &t.tails.upper)] {
                let (thr, _) = split(&t, t.entries[k]);
                assert_eq!(thr as u128, w[k], "j={j}: escape {k} not kept whole");
                assert!(w[k] <= ESCAPE_MAX, "j={j}: escape {k} too heavy");
                assert_eq!(w[k] == 0, outer.is_empty(), "j={j}");
                assert!(outer.windows(2).all(|p| p[0] >= p[1]), "j={j}");
                assert!(outer.last().is_none_or(|&s| s == 0), "j={j}");
                assert!(outer.first().is_none_or(|&s| (s as u128) < w[k]), "j={j}");
            }
            // The same law as the full weights, value by value.
            let (lo_full, full) = full_weights(j);
            let mut law: Vec<u128> = tail_weights(w[m], &t.tails.lower);
            law.reverse();
            law.extend_from_slice(&w[..m]);
            law.extend(tail_weights(w[m + 1], &t.tails.upper));
            assert_eq!(lo_full, t.lo - t.tails.lower.len() as u32, "j={j}");
            assert_eq!(law, full, "j={j}");
            assert!(t.lo <= j && j < t.lo + t.m, "j={j}: mode outside");
            // Widened to fill the table, or the whole support.
            if w[m] + w[m + 1] > 0 {
                assert_eq!(m + 2, n, "j={j}");
            } else {
                assert_eq!((m + 2).next_power_of_two(), n, "j={j}");
            }
        }
    }

    #[test]
    fn alias_draw_follows_the_word() {
        // Poisson(0): every word gives 0.
        let t = AliasTable::get(0);
        for u in [0, 1, u64::MAX / 2, u64::MAX] {
            assert_eq!(t.draw(u), 0);
        }
        // The boundary of a partial entry is exactly at its threshold.
        let t = AliasTable::get(30);
        let (i, thr, alias) = (0..t.m as usize)
            .map(|i| {
                let (thr, alias) = split(&t, t.entries[i]);
                (i, thr, alias)
            })
            .find(|&(i, thr, alias)| thr > 0 && alias != i)
            .unwrap();
        let base = (i as u64) << t.shift;
        assert_eq!(t.draw(base + thr - 1), t.lo + i as u32);
        assert_eq!(t.draw(base + thr), t.lo + alias as u32);
        assert_eq!(t.draw(base + (1 << t.shift) - 1), t.lo + alias as u32);
    }

    /// Through an escape, the residual r of the word's low bits (uniform on
    /// [0, escape weight)) gives each tail value exactly the residuals
    /// between its outer sum and its inner neighbour's: checked at both
    /// ends of every cell, through `draw`.
    #[test]
    fn escapes_invert_the_residual() {
        let mut seen = [0usize; 2];
        for j in (1..ALIAS_LIMIT as u32).step_by(7) {
            let t = AliasTable::get(j);
            let w = t.implied_weights();
            let m = t.m as usize;
            for (side, outer) in [&t.tails.lower, &t.tails.upper].into_iter().enumerate() {
                let base = ((m + side) as u64) << t.shift;
                let mut prev = w[m + side] as u64;
                for (i, &s) in outer.iter().enumerate() {
                    let want = if side == 0 {
                        t.lo - 1 - i as u32
                    } else {
                        t.lo + t.m + i as u32
                    };
                    if s < prev {
                        assert_eq!(t.draw(base + s), want, "j={j}");
                        assert_eq!(t.draw(base + prev - 1), want, "j={j}");
                        seen[side] += 1;
                    }
                    prev = s;
                }
                // Residuals at or above the escape weight are the alias's.
                if w[m + side] > 0 {
                    let (thr, alias) = split(&t, t.entries[m + side]);
                    assert_eq!(t.draw(base + thr), t.lo + alias as u32, "j={j}");
                }
            }
        }
        assert!(seen[0] > 1000 && seen[1] > 1000, "{seen:?}");
    }

    #[test]
    fn fraction_thresholds() {
        let mut s = PoissonSampler::new(7.0);
        assert_eq!(s.cdf, [1 << 53; 3]);
        s.set(7.5);
        let p0 = (-0.5f64).exp();
        assert_eq!(s.cdf[0], (p0 * TWO53_F) as u64);
        assert!(s.cdf[0] < s.cdf[1] && s.cdf[1] < s.cdf[2] && s.cdf[2] < 1 << 53);
        // The tail starts at 3 and ends.
        assert_eq!(s.fraction_tail(s.cdf[2]), 3);
        assert!((3..20).contains(&s.fraction_tail((1 << 53) - 1)));
    }
}
