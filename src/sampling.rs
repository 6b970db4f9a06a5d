//! Fast exact samplers for the per-day hot path.
//!
//! Daily truck arrivals are Poisson: the engine draws one Poisson(λ_f) count
//! per flow and day, with λ_f an uncertain input that changes every
//! replicate (typically 1–200). [`PoissonSampler`] therefore needs both a
//! cheap draw (a few ns) and a cheap re-targeting [`set`](PoissonSampler::set)
//! (tens of ns, no table build). It splits the mean, λ = j + r with
//! j = ⌊λ⌋ and r ∈ [0, 1):
//!
//! * **Poisson(j)**, for integer j < [`ALIAS_MAX_LAMBDA`]: Walker's alias
//!   method (Vose's construction) on the Poisson(j) pmf. The table of each j
//!   is built once per process, the first time any thread needs it, and is
//!   then shared read-only by all threads (`set` only fetches it). A draw
//!   takes one 64-bit word: its top bits pick an entry, its remaining low
//!   bits are compared with the entry's integer threshold.
//! * **Poisson(r)**: inversion of its distribution function with the first
//!   three cdf values precomputed by `set` as 53-bit integer thresholds
//!   (a second word, its top 53 bits compared with them without branches);
//!   only beyond 2 (probability below 8 %, a predictable branch) the
//!   inversion continues with the recurrence pₖ = pₖ₋₁·r/k.
//! * For λ ≥ [`ALIAS_MAX_LAMBDA`]: Hörmann's transformed rejection with
//!   squeeze (PTRS, 1993), with log k! from a table.
//!
//! Below the alias limit every draw consumes exactly two words of the
//! stream (the second even when r = 0), so the stream position after d
//! days does not depend on λ or on the values drawn (common random numbers
//! stay aligned across scenario variants).
//!
//! # Exactness
//!
//! * The decomposition is exact: independent Poisson(j) and Poisson(r) sum
//!   to Poisson(j + r).
//! * The alias method is an exact sampler of the weights it stores: the
//!   top `b` bits of a uniform word pick each of the 2ᵇ entries with
//!   probability 2⁻ᵇ, the other 64 − b bits are uniform on [0, 2⁶⁴⁻ᵇ) and
//!   independent of them, so entry i yields `lo + i` with probability
//!   `thr[i]·2⁻⁶⁴` and its alias otherwise. The thresholds are built in
//!   integer arithmetic from integer weights wₖ that sum to exactly 2⁶⁴, so
//!   value `lo + k` is drawn with probability exactly wₖ·2⁻⁶⁴. The wₖ differ
//!   from the Poisson(j) pmf by (a) the truncated tails: the mass left out
//!   beyond each end of the support [lo, hi] is below 10⁻²⁰ + 2⁻⁶⁵, under
//!   the 2⁻⁶⁴ ≈ 5.4·10⁻²⁰ resolution of one 64-bit generator output;
//!   (b) rounding the cumulative sums to multiples of 2⁻⁶⁴ and the
//!   double-precision evaluation of the pmf (~10⁻¹⁶ relative). `tests/sampling.rs` checks the implied probabilities
//!   ([`alias_implied_pmf`]) against an independent evaluation of the pmf
//!   to 10⁻¹⁵ absolute.
//! * The cdf thresholds of Poisson(r) are floored to multiples of 2⁻⁵³
//!   (error below 1.1·10⁻¹⁶ each), as in inversion of a 53-bit uniform.
//!
//! The total-variation distance to Poisson(λ) is thus of order 10⁻¹⁵:
//! detecting it would take of the order of 10³⁰ draws. The chi-square
//! goodness-of-fit tests in `tests/sampling.rs` cover λ from 0.3 to 3000.5.
//!
//! [`PoissonInversion`] is the previous sampler (guide-table inversion below
//! λ = 40, rebuilt by every `set`), kept for the benchmark comparison that
//! justified the change and as a cross-check in the tests.

use crate::rng::Xoshiro256pp;
use std::sync::OnceLock;

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
/// occur (each at most 1024 entries of 16 bytes).
pub const ALIAS_MAX_LAMBDA: f64 = 1024.0;
const ALIAS_LIMIT: usize = ALIAS_MAX_LAMBDA as usize;

/// Mass allowed beyond each end of a table's support, relative to the total.
const TAIL_MASS: f64 = 1e-20;

/// 2⁶⁴, exact in both types.
const TWO64: u128 = 1 << 64;
const TWO64_F: f64 = 18_446_744_073_709_551_616.0;
/// 2⁵³ as a float.
const TWO53_F: f64 = 9_007_199_254_740_992.0;

/// One alias-table entry: keep `lo + index` when the low bits of the word
/// are below `thr`, else return `lo + alias`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Entry {
    /// Threshold in units of 2⁻⁶⁴, in [0, 2⁶⁴⁻ᵇ] (b = index bits).
    thr: u64,
    /// Offset from `lo` of the value returned when the entry is not kept.
    alias: u32,
}

/// The alias table of Poisson(j): 2ᵇ entries over the support `[lo, hi]`
/// (padding entries beyond `hi` have threshold 0: always their alias).
/// Copied by value into each sampler; the entries are shared.
#[derive(Clone, Copy)]
struct AliasTable {
    entries: &'static [Entry],
    /// Smallest value of the support.
    lo: u32,
    /// 64 − b: the word's top b bits are the index.
    shift: u32,
    /// 2⁶⁴⁻ᵇ − 1: the word's low bits compared with the threshold.
    mask: u64,
}

impl std::fmt::Debug for AliasTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AliasTable")
            .field("lo", &self.lo)
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl AliasTable {
    /// Placeholder of a sampler that never draws from a table.
    const EMPTY: AliasTable = AliasTable {
        entries: &[],
        lo: 0,
        shift: 63,
        mask: (1 << 63) - 1,
    };

    /// Builds the table of Poisson(j).
    ///
    /// The pmf is evaluated relative to the mode (qⱼ = 1, then
    /// qₖ₊₁ = qₖ·j/(k+1) upward and qₖ₋₁ = qₖ·k/j downward: only correctly
    /// rounded operations, so the table is the same on every platform),
    /// truncated where the remaining tail, bounded by a geometric series,
    /// is below [`TAIL_MASS`] of the total, and turned into integer weights
    /// in units of 2⁻⁶⁴ that sum to exactly 2⁶⁴ ([`integer_weights`]).
    /// Vose's construction then runs in exact integer arithmetic.
    fn build(j: u32) -> AliasTable {
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
        // Values of weight 0 leave the support (their mass is in the
        // rounding of the cumulative sums, below 2⁻⁶⁵ on each side).
        let first = w.iter().position(|&x| x > 0).unwrap_or(0);
        let last = w.iter().rposition(|&x| x > 0).unwrap_or(0);
        let lo = lo + first as u32;
        let mut w = w[first..=last].to_vec();
        let size = w.len().next_power_of_two().max(2);
        let bits = size.trailing_zeros();
        let cap: u128 = TWO64 >> bits; // one entry's mass, 2^(64−b)
        w.resize(size, 0);

        // Vose: pair each under-full entry with an over-full one. Every
        // step keeps Σ(remaining w) = (#remaining)·cap exactly, so when one
        // list runs dry the other holds only entries of exactly `cap`.
        let mut entries = vec![Entry::default(); size];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..size).partition(|&i| w[i] < cap);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            entries[s] = Entry {
                thr: w[s] as u64,
                alias: l as u32,
            };
            w[l] -= cap - w[s];
            if w[l] < cap {
                large.pop();
                small.push(l);
            }
        }
        for i in large.into_iter().chain(small) {
            assert_eq!(w[i], cap, "alias table of Poisson({j}) unbalanced");
            entries[i] = Entry {
                thr: cap as u64,
                alias: i as u32,
            };
        }
        AliasTable {
            entries: Box::leak(entries.into_boxed_slice()),
            lo,
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

    /// One draw of Poisson(j) from the 64-bit word `u`, as an offset from 0.
    #[inline(always)]
    fn draw(&self, u: u64) -> u32 {
        let idx = (u >> self.shift) as usize;
        let e = self.entries[idx];
        let keep = (u & self.mask) < e.thr;
        self.lo + std::hint::select_unpredictable(keep, idx as u32, e.alias)
    }

    /// Probability of each value `lo + i` in units of 2⁻⁶⁴ (over all 2ᵇ
    /// entries, padding included).
    fn implied_weights(&self) -> Vec<u128> {
        let cap = self.mask as u128 + 1;
        let mut w = vec![0u128; self.entries.len()];
        for (i, e) in self.entries.iter().enumerate() {
            w[i] += e.thr as u128;
            w[e.alias as usize] += cap - e.thr as u128;
        }
        w
    }
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

/// Test hook: the probabilities that the alias table of Poisson(j)
/// (integer j < [`ALIAS_MAX_LAMBDA`]) actually draws, reconstructed from
/// its thresholds and aliases. Returns `(lo, p)` where `p[i]` is the
/// probability of the value `lo + i`; `p` covers the padded table, so its
/// last entries (beyond the support) are 0. Each `p[i]` is a multiple of
/// 2⁻⁶⁴ and they sum to exactly 1 before conversion to `f64`.
pub fn alias_implied_pmf(j: u32) -> (u32, Vec<f64>) {
    assert!((j as usize) < ALIAS_LIMIT, "no alias table for j = {j}");
    let t = AliasTable::get(j);
    let w = t.implied_weights();
    (t.lo, w.iter().map(|&x| x as f64 / TWO64_F).collect())
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
        } else {
            self.mode = Mode::Ptrs;
            self.ptrs = Ptrs::new(lam);
        }
    }

    /// One draw (a whole number, as `f64`). Below [`ALIAS_MAX_LAMBDA`] it
    /// consumes exactly two words of `rng`.
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        match self.mode {
            Mode::Alias => {
                let k = self.table.draw(rng.next_u64());
                let v = rng.next_u64() >> 11;
                let [c0, c1, c2] = self.cdf;
                let n = if v >= c2 {
                    self.fraction_tail(v)
                } else {
                    (v >= c0) as u32 + (v >= c1) as u32
                };
                (k + n) as f64
            }
            Mode::Zero => 0.0,
            Mode::Ptrs => self.ptrs.sample(rng),
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

    #[inline]
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

    /// Every table the sampler can use: weights sum to exactly 2⁶⁴, the
    /// thresholds fit their entries, padding entries never keep their own
    /// index, aliases stay inside the support, and the support contains
    /// the mode.
    #[test]
    fn every_alias_table_is_exact_in_integers() {
        for j in 0..ALIAS_LIMIT as u32 {
            let t = AliasTable::get(j);
            let n = t.entries.len();
            assert!(n.is_power_of_two() && n >= 2);
            assert_eq!(64 - t.shift, n.trailing_zeros(), "j={j}");
            let cap = t.mask as u128 + 1;
            assert_eq!(cap * n as u128, TWO64, "j={j}");
            let w = t.implied_weights();
            assert_eq!(w.iter().sum::<u128>(), TWO64, "j={j}");
            let support = w.iter().rposition(|&x| x > 0).unwrap() + 1;
            assert!(
                support > n / 2 || n == 2,
                "j={j}: table padded beyond a power of two"
            );
            assert!(t.lo <= j && j < t.lo + support as u32, "j={j}");
            for (i, e) in t.entries.iter().enumerate() {
                assert!(e.thr as u128 <= cap, "j={j} entry {i}");
                assert!((e.alias as usize) < support, "j={j} entry {i}");
                if i >= support {
                    assert_eq!(e.thr, 0, "j={j}: padding entry {i} keeps itself");
                }
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
        // A full entry keeps its index for every low-bit pattern; the
        // boundary of a partial entry is exactly at its threshold.
        let t = AliasTable::get(30);
        let (i, e) = t
            .entries
            .iter()
            .enumerate()
            .find(|(_, e)| e.thr > 0 && e.thr <= t.mask)
            .unwrap();
        let base = (i as u64) << t.shift;
        assert_eq!(t.draw(base + e.thr - 1), t.lo + i as u32);
        assert_eq!(t.draw(base + e.thr), t.lo + e.alias);
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
