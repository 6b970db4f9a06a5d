//! Summary statistics for Monte Carlo output, built so that results are
//! bit-identical whatever the thread count.
//!
//! Two families of tools live here:
//!
//! * **Order-dependent, exact** — [`Moments`] (Welford mean/variance, min,
//!   max), [`quantile_sorted`], [`summarize`] and [`quantile_ci_sorted`]. The
//!   engine feeds per-replicate metric rows in replicate-index order, so
//!   floating-point accumulation order is fixed and results are reproducible.
//! * **Order-independent sketches** — [`LogHistogram`] and [`DailyBands`]. They
//!   hold only integer counts and order-independent extremes (per bucket, or
//!   per cell plus exact atoms), so inserting values in any order, split over
//!   any number of partial sketches that are merged in any order, gives
//!   bit-identical state and therefore bit-identical quantiles.
//!
//! Quantiles follow Hyndman–Fan type 7 (the default of numpy and R): for
//! `n` sorted values and probability `p`, the rank is `h = p * (n - 1)` and
//! the result interpolates linearly between order statistics `floor(h)` and
//! `floor(h) + 1` (0-based).
//!
//! Nothing in this module performs IO.

use serde::Serialize;

mod scan_four;

/// The probabilities of the quantiles reported in every [`Summary`]
/// (`p5`, `p25`, `p50`, `p75`, `p95`) and by [`DailyBands::bands`].
pub const SUMMARY_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The statistics reported for every metric.
///
/// For `n == 0` every floating-point field is NaN (serialized by `serde_json`
/// as `null`). For `n == 1`, `sd` and `mcse` are 0 and every quantile, `min`
/// and `max` equal the single value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Number of values summarized.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`; 0 when `n == 1`).
    pub sd: f64,
    /// Monte Carlo standard error of the mean, `sd / sqrt(n)`.
    pub mcse: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile (first quartile).
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile (third quartile).
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// p5, p25, p50, p75 and p95.
    pub fn bands(&self) -> [f64; 5] {
        [self.p5, self.p25, self.p50, self.p75, self.p95]
    }

    /// The summary of no values: `n == 0` and every other field NaN.
    pub fn empty() -> Self {
        Summary {
            n: 0,
            mean: f64::NAN,
            sd: f64::NAN,
            mcse: f64::NAN,
            min: f64::NAN,
            p5: f64::NAN,
            p25: f64::NAN,
            p50: f64::NAN,
            p75: f64::NAN,
            p95: f64::NAN,
            max: f64::NAN,
        }
    }

    /// Assembles a summary from moments and the five [`SUMMARY_QUANTILES`].
    fn from_parts(m: &Moments, q: [f64; 5]) -> Self {
        if m.n() == 0 {
            return Summary::empty();
        }
        Summary {
            n: m.n(),
            mean: m.mean(),
            sd: m.sd(),
            mcse: m.mcse(),
            min: m.min(),
            p5: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
            max: m.max(),
        }
    }
}

/// Linear interpolation `a + (b - a) * t` for `t` in `[0, 1]`, in the
/// two-sided form numpy uses: exact at both ends (`t == 0` gives `a`,
/// `t == 1` gives `b`), returns `a` exactly when `a == b`, and stays within
/// `[min(a, b), max(a, b)]`. Falls back to a weighted sum if `b - a`
/// overflows.
#[inline]
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    if a == b {
        return a;
    }
    let d = b - a;
    if !d.is_finite() {
        return a * (1.0 - t) + b * t;
    }
    if t < 0.5 {
        a + d * t
    } else {
        b - d * (1.0 - t)
    }
}

// ---------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------

/// Streaming count, mean and variance (Welford's algorithm) plus min and max.
///
/// Mergeable with the parallel formula of Chan, Golub & LeVeque. The result of
/// a merge depends on the order of merging in its last bits, so callers that
/// need reproducibility must merge in a fixed order.
///
/// NaN pushed into a `Moments` makes the mean and variance NaN (min and max
/// ignore it); callers should not push NaN.
#[derive(Clone, Debug, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Moments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if self.n == 0 {
            self.n = 1;
            self.mean = x;
            self.m2 = 0.0;
            self.min = x;
            self.max = x;
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Folds `other` into `self` (Chan et al. parallel update). Merging an
    /// empty accumulator is a no-op; merging into an empty one copies.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let na = self.n as f64;
        let nb = other.n as f64;
        let n = self.n + other.n;
        let nf = n as f64;
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / nf);
        self.m2 += other.m2 + delta * delta * (na * nb / nf);
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values pushed.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance (divisor `n - 1`); 0 when `n < 2`.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation, `sqrt(variance())`; 0 when `n < 2`.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Monte Carlo standard error of the mean, `sd / sqrt(n)`; 0 when
    /// `n == 1`, NaN when empty.
    pub fn mcse(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }

    /// Smallest value pushed; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }

    /// Largest value pushed; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }
}

// ---------------------------------------------------------------------------
// Exact quantiles and summaries
// ---------------------------------------------------------------------------

/// Exact quantile of a sample by linear interpolation between order
/// statistics (Hyndman–Fan type 7, the default of numpy and R).
///
/// `sorted` must be sorted ascending. `p` is clamped to `[0, 1]`. Returns NaN
/// if `sorted` is empty or `p` is NaN (never panics).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || p.is_nan() {
        return f64::NAN;
    }
    let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    if frac <= 0.0 || lo + 1 >= n {
        return sorted[lo];
    }
    lerp(sorted[lo], sorted[lo + 1], frac)
}

/// Summary of `values` with exact quantiles; `values` is left untouched (a
/// copy is sorted). See [`summarize_in_place`].
pub fn summarize(values: &[f64]) -> Summary {
    let mut v = values.to_vec();
    summarize_in_place(&mut v)
}

/// Summary of `values` with exact type-7 quantiles, sorting `values` in place
/// (ascending, by [`f64::total_cmp`]).
///
/// Mean, sd and mcse come from [`Moments`] fed in the given order *before*
/// sorting, so they equal bit for bit what a streaming `Moments` fed the same
/// sequence reports. Empty input gives [`Summary::empty`].
///
/// Callers must not pass NaN: a debug assertion rejects it. In release builds
/// NaN does not panic; it sorts to an end (by sign bit) and makes the mean and
/// sd NaN.
pub fn summarize_in_place(values: &mut [f64]) -> Summary {
    debug_assert!(
        values.iter().all(|x| !x.is_nan()),
        "summarize: input contains NaN"
    );
    let mut m = Moments::new();
    for &x in values.iter() {
        m.push(x);
    }
    if values.is_empty() {
        return Summary::empty();
    }
    values.sort_unstable_by(f64::total_cmp);
    let q = SUMMARY_QUANTILES.map(|p| quantile_sorted(values, p));
    let mut s = Summary::from_parts(&m, q);
    // Exact order statistics (agree with Moments unless NaN was passed).
    s.min = values[0];
    s.max = values[values.len() - 1];
    s
}

/// Standard normal quantile function (Acklam's rational approximation,
/// relative error below 1.2e-9). `p` outside `(0, 1)` gives ±infinity; NaN
/// gives NaN.
fn norm_inv_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Distribution-free confidence interval for the `p` quantile from sorted
/// data, using order statistics whose ranks come from the normal
/// approximation to Binomial(n, p).
///
/// With `z` the two-sided normal critical value for `level` and
/// `s = sqrt(n p (1 - p))`, the 1-based ranks are
/// `j = floor(n p + 0.5 - z s)` and `k = ceil(n p + 0.5 + z s)` (continuity
/// corrected, rounded outward, so coverage is at or slightly above `level`),
/// clamped to `[1, n]`; the interval is `(sorted[j-1], sorted[k-1])`.
/// Coverage is `P(j <= B <= k - 1)` for `B ~ Binomial(n, p)` when the data
/// are continuous.
///
/// `p` is clamped to `[0, 1]` and `level` to `[0, 1]` (`level == 1` gives
/// `(min, max)`). Empty input, or NaN `p` or `level`, gives `(NaN, NaN)`.
pub fn quantile_ci_sorted(sorted: &[f64], p: f64, level: f64) -> (f64, f64) {
    match quantile_ci_ranks(sorted.len(), p, level) {
        Some((j, k)) => (sorted[j - 1], sorted[k - 1]),
        None => (f64::NAN, f64::NAN),
    }
}

/// The 1-based ranks `(j, k)` of [`quantile_ci_sorted`]'s interval for a
/// sample of `n` (so a sketch can estimate the same order statistics);
/// `None` for `n == 0` or NaN arguments.
pub fn quantile_ci_ranks(n: usize, p: f64, level: f64) -> Option<(usize, usize)> {
    if n == 0 || p.is_nan() || level.is_nan() {
        return None;
    }
    let p = p.clamp(0.0, 1.0);
    let level = level.clamp(0.0, 1.0);
    let z = norm_inv_cdf(0.5 + 0.5 * level);
    let nf = n as f64;
    let centre = nf * p + 0.5;
    let half = z * (nf * p * (1.0 - p)).sqrt();
    // `half` may be infinite (level == 1) or NaN (0 * inf when p is 0 or 1
    // and level == 1); treat NaN as the widest interval.
    let (jf, kf) = if half.is_nan() {
        (1.0, nf)
    } else {
        ((centre - half).floor(), (centre + half).ceil())
    };
    // Float-to-int `as` casts saturate, so infinities are safe here.
    let j = (jf.clamp(1.0, nf) as usize).clamp(1, n);
    let k = (kf.clamp(1.0, nf) as usize).clamp(1, n);
    Some((j, k))
}

// ---------------------------------------------------------------------------
// LogHistogram
// ---------------------------------------------------------------------------

/// Number of leading mantissa bits used in a [`LogHistogram`] bucket index:
/// each bucket spans a relative width of `2^-MANTISSA_BITS` (≈ 0.78 %).
pub const MANTISSA_BITS: u32 = 7;

/// Bits dropped from an `f64` bit pattern to get its bucket key.
const KEY_SHIFT: u32 = 52 - MANTISSA_BITS;
/// Buckets per binade (power-of-two range).
const BUCKETS_PER_BINADE: u32 = 1 << MANTISSA_BITS;
const SIGN_MASK: u64 = 1 << 63;
const INF_BITS: u64 = 0x7FF0_0000_0000_0000;

/// Magnitudes below this are counted in the zero bucket.
pub const ZERO_THRESHOLD: f64 = 1e-300;

/// One histogram bucket: count plus the exact min and max value seen.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    count: u64,
    min: f64,
    max: f64,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        count: 0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };
}

/// Dense bucket store over keys `[offset, offset + buckets.len())`, holding
/// magnitudes (always positive finite values `>= ZERO_THRESHOLD`). The range
/// is always whole binades, i.e. `offset` and `offset + len` are multiples of
/// [`BUCKETS_PER_BINADE`].
#[derive(Clone, Debug, Default)]
struct Store {
    buckets: Vec<Bucket>,
    offset: u32,
}

impl Store {
    /// Counts `v` (of key `key`) `n` times.
    #[inline]
    fn add(&mut self, key: u32, v: f64, n: u64) {
        let mut idx = key.wrapping_sub(self.offset) as usize;
        if idx >= self.buckets.len() {
            self.grow(key, key + 1);
            idx = (key - self.offset) as usize;
        }
        let b = &mut self.buckets[idx];
        b.count += n;
        b.min = b.min.min(v);
        b.max = b.max.max(v);
    }

    /// Extends the range to cover keys `[lo, hi)`, rounded out to whole
    /// binades.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, lo: u32, hi: u32) {
        let mask = BUCKETS_PER_BINADE - 1;
        let lo = lo & !mask;
        let hi = (hi + mask) & !mask;
        if self.buckets.is_empty() {
            self.offset = lo;
            self.buckets.resize((hi - lo) as usize, Bucket::EMPTY);
            return;
        }
        let cur_hi = self.offset + self.buckets.len() as u32;
        let new_hi = hi.max(cur_hi);
        if lo < self.offset {
            let shift = (self.offset - lo) as usize;
            self.buckets
                .splice(0..0, std::iter::repeat_n(Bucket::EMPTY, shift));
            self.offset = lo;
        }
        self.buckets
            .resize((new_hi - self.offset) as usize, Bucket::EMPTY);
    }

    fn merge(&mut self, other: &Store) {
        if other.buckets.is_empty() {
            return;
        }
        let o_hi = other.offset + other.buckets.len() as u32;
        self.grow(other.offset, o_hi);
        let start = (other.offset - self.offset) as usize;
        for (a, b) in self.buckets[start..].iter_mut().zip(&other.buckets) {
            a.count += b.count;
            a.min = a.min.min(b.min);
            a.max = a.max.max(b.max);
        }
    }
}

/// The zero bucket: values with `|x| < ZERO_THRESHOLD` (signed zeros
/// included). Min and max use the IEEE total order so that `-0.0` and `+0.0`
/// are handled deterministically (and merges stay exactly commutative).
#[derive(Clone, Copy, Debug, Default)]
struct ZeroBucket {
    count: u64,
    min: f64,
    max: f64,
}

impl ZeroBucket {
    fn add(&mut self, x: f64, n: u64) {
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            if x.total_cmp(&self.min).is_lt() {
                self.min = x;
            }
            if x.total_cmp(&self.max).is_gt() {
                self.max = x;
            }
        }
        self.count += n;
    }

    fn merge(&mut self, o: &ZeroBucket) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *o;
            return;
        }
        if o.min.total_cmp(&self.min).is_lt() {
            self.min = o.min;
        }
        if o.max.total_cmp(&self.max).is_gt() {
            self.max = o.max;
        }
        self.count += o.count;
    }
}

/// A log-linear histogram sketch (HdrHistogram-style) for quantiles with
/// bounded relative error and memory independent of the count.
///
/// The bucket of a finite `x` with `|x| >= ZERO_THRESHOLD` is taken from the
/// bit pattern of `|x|`: its exponent and top [`MANTISSA_BITS`] mantissa bits,
/// so each bucket spans a relative width of `2^-7`. Negative values go to a
/// mirrored store keyed by magnitude; `|x| < ZERO_THRESHOLD` (including
/// `±0.0`) goes to a separate zero bucket. Every bucket keeps its count and the
/// exact min and max value it has seen. Non-finite values are ignored and
/// counted in [`rejected`](LogHistogram::rejected).
///
/// Storage is dense over a range of whole binades (128 buckets each) that
/// grows on demand; no memory is allocated until the first insert.
///
/// The state holds only integer counts and min/max values, so
/// [`merge`](LogHistogram::merge) is exactly commutative and associative: any
/// partition of the input into sketches, merged in any order, yields
/// bit-identical quantiles.
#[derive(Clone, Debug, Default)]
pub struct LogHistogram {
    pos: Store,
    neg: Store,
    zero: ZeroBucket,
    count: u64,
    rejected: u64,
}

impl LogHistogram {
    /// An empty histogram; allocates nothing until the first insert.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value. Non-finite values are counted in
    /// [`rejected`](LogHistogram::rejected) and otherwise ignored.
    #[inline]
    pub fn insert(&mut self, x: f64) {
        self.insert_n(x, 1);
    }

    /// Adds the value `x` `n` times (the same state as `n` inserts).
    #[inline]
    pub fn insert_n(&mut self, x: f64, n: u64) {
        let bits = x.to_bits();
        let abs_bits = bits & !SIGN_MASK;
        // Positive floats order like their bit patterns.
        if abs_bits >= ZERO_THRESHOLD.to_bits() && abs_bits < INF_BITS {
            let key = (abs_bits >> KEY_SHIFT) as u32;
            let store = if bits & SIGN_MASK == 0 {
                &mut self.pos
            } else {
                &mut self.neg
            };
            store.add(key, f64::from_bits(abs_bits), n);
            self.count += n;
        } else {
            self.insert_slow(x, abs_bits, n);
        }
    }

    #[cold]
    #[inline(never)]
    fn insert_slow(&mut self, x: f64, abs_bits: u64, n: u64) {
        if abs_bits < ZERO_THRESHOLD.to_bits() {
            self.zero.add(x, n);
            self.count += n;
        } else {
            self.rejected += n;
        }
    }

    /// Folds `other` into `self`. Exactly commutative and associative.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
        self.zero.merge(&other.zero);
        self.count += other.count;
        self.rejected += other.rejected;
    }

    /// Number of (finite) values counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of non-finite values passed to [`insert`](LogHistogram::insert)
    /// and ignored.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Total number of dense buckets currently allocated (positive plus
    /// negative store, excluding the zero bucket). Bounded by 128 per binade
    /// spanned by the data.
    pub fn buckets_len(&self) -> usize {
        self.pos.buckets.len() + self.neg.buckets.len()
    }

    /// Non-empty buckets in ascending value order, as
    /// `(lowest value, highest value, count)`.
    fn ascending(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let neg = self
            .neg
            .buckets
            .iter()
            .rev()
            .filter(|b| b.count > 0)
            .map(|b| (-b.max, -b.min, b.count));
        let zero = (self.zero.count > 0).then_some((self.zero.min, self.zero.max, self.zero.count));
        let pos = self
            .pos
            .buckets
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| (b.min, b.max, b.count));
        neg.chain(zero).chain(pos)
    }

    /// Estimates of the order statistics of 0-based ranks `r0 <= r1`
    /// (both `< count`).
    fn order_stats(&self, r0: u64, r1: u64) -> (f64, f64) {
        let est = |lo: f64, hi: f64, c: u64, j: u64| {
            if c <= 1 {
                lo
            } else {
                lerp(lo, hi, j as f64 / (c - 1) as f64)
            }
        };
        let mut before = 0u64;
        let mut v0 = f64::NAN;
        for (lo, hi, c) in self.ascending() {
            let end = before + c;
            if r0 >= before && r0 < end {
                v0 = est(lo, hi, c, r0 - before);
            }
            if r1 < end {
                return (v0, est(lo, hi, c, r1 - before));
            }
            before = end;
        }
        (v0, f64::NAN)
    }

    /// Quantile estimate on the type-7 rank scale.
    ///
    /// The rank is `h = p * (n - 1)`. Order statistics `floor(h)` and
    /// `floor(h) + 1` are each estimated inside their bucket by linear
    /// interpolation between the bucket's min and max according to the rank
    /// position within the bucket (exact when the bucket holds one distinct
    /// value or a single item), then combined by type-7 interpolation. For
    /// values of one sign the relative error is below `2^-7` (≈ 0.8 %); every
    /// estimate lies within `[min(), max()]`.
    ///
    /// `p` is clamped to `[0, 1]`. Returns NaN if the histogram is empty or
    /// `p` is NaN.
    pub fn quantile(&self, p: f64) -> f64 {
        let n = self.count;
        if n == 0 || p.is_nan() {
            return f64::NAN;
        }
        let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
        let lo = (h.floor() as u64).min(n - 1);
        let frac = h - lo as f64;
        if frac <= 0.0 || lo + 1 >= n {
            return self.order_stats(lo, lo).0;
        }
        let (a, b) = self.order_stats(lo, lo + 1);
        lerp(a, b, frac)
    }

    /// Smallest value inserted (exact); NaN if empty.
    pub fn min(&self) -> f64 {
        self.ascending().next().map_or(f64::NAN, |(lo, _, _)| lo)
    }

    /// Largest value inserted (exact); NaN if empty.
    pub fn max(&self) -> f64 {
        if let Some(b) = self.pos.buckets.iter().rev().find(|b| b.count > 0) {
            return b.max;
        }
        if self.zero.count > 0 {
            return self.zero.max;
        }
        if let Some(b) = self.neg.buckets.iter().find(|b| b.count > 0) {
            return -b.min;
        }
        f64::NAN
    }

    /// Removes all values (and the rejected count), keeping allocated
    /// capacity for reuse.
    pub fn clear(&mut self) {
        self.pos.buckets.clear();
        self.neg.buckets.clear();
        self.zero = ZeroBucket::default();
        self.count = 0;
        self.rejected = 0;
    }
}

// ---------------------------------------------------------------------------
// DailyBands
// ---------------------------------------------------------------------------

/// The bits of an `f64` below its bucket key.
const LOW_BITS: u64 = (1 << KEY_SHIFT) - 1;

/// Values a [`DailyBands`] cell takes at a time (a power of two).
const CHUNK: usize = 256;

/// Cells whose values [`DailyBands::add_rows`] transposes together (8
/// values of a row fill a cache line).
const TILE: usize = 8;

/// Magnitudes below this, `2^-996` (≈ 1.5e-300, a binade boundary just above
/// [`ZERO_THRESHOLD`]), go to a [`DailyBands`] cell's zero bucket; so a
/// cell's stores never cover a zero-bucket key.
const BAND_ZERO: f64 = f64::from_bits(27 << 52);

/// An integer with the order of [`f64::total_cmp`] on the value of bit
/// pattern `bits` (negative values have their magnitude bits flipped). It is
/// an involution on bit patterns: `total_key(total_key(b) as u64) == b`.
#[inline]
fn total_key(bits: u64) -> i64 {
    let b = bits as i64;
    b ^ ((b >> 63) as u64 >> 1) as i64
}

/// The value whose [`total_key`] is `k`.
#[inline]
fn from_total_key(k: i64) -> f64 {
    f64::from_bits(total_key(k as u64) as u64)
}

/// Bounds `[lo, hi)` of the magnitudes in bucket `key` (`hi` capped at
/// `f64::MAX`, so that differences stay finite).
#[inline]
fn bucket_bounds(key: u32) -> (f64, f64) {
    let lo = f64::from_bits(u64::from(key) << KEY_SHIFT);
    let hi = f64::from_bits(u64::from(key + 1) << KEY_SHIFT);
    (lo, if hi.is_finite() { hi } else { f64::MAX })
}

/// An unsigned bucket counter.
trait Counter: Copy + Default + Into<u64> + TryFrom<u64> {
    /// `self + 1` (the caller guarantees room).
    fn inc(self) -> Self;
}

macro_rules! counter {
    ($($t:ty),*) => {$(
        impl Counter for $t {
            #[inline]
            fn inc(self) -> Self {
                self + 1
            }
        }
    )*};
}
counter!(u16, u32, u64);

fn widen<T: Counter, U: Counter>(v: &[T]) -> Vec<U> {
    v.iter()
        .map(|&c| U::try_from(c.into()).ok().expect("widening"))
        .collect()
}

/// The counters of one [`CountStore`], as narrow as its counts allow:
/// `u16` at first, widened (the whole store at once) before one could
/// overflow. The width is representation only: every read goes through
/// `u64`, so it never affects a result.
#[derive(Clone, Debug)]
enum Counts {
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

macro_rules! each {
    ($self:expr, $v:ident => $e:expr) => {
        match $self {
            Counts::U16($v) => $e,
            Counts::U32($v) => $e,
            Counts::U64($v) => $e,
        }
    };
}

impl Counts {
    fn get(&self, i: usize) -> u64 {
        fn get<T: Counter>(v: &[T], i: usize) -> u64 {
            v[i].into()
        }
        each!(self, v => get(v, i))
    }

    /// Largest count.
    fn max(&self) -> u64 {
        fn max<T: Counter>(v: &[T]) -> u64 {
            v.iter().map(|&c| c.into()).max().unwrap_or(0)
        }
        each!(self, v => max(v))
    }

    /// Largest count representable.
    fn cap(&self) -> u64 {
        match self {
            Counts::U16(_) => u16::MAX.into(),
            Counts::U32(_) => u32::MAX.into(),
            Counts::U64(_) => u64::MAX,
        }
    }

    fn heap_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        each!(self, v => bytes(v))
    }

    /// Adds `n` to counter `i`; the caller guarantees room.
    fn add(&mut self, i: usize, n: u64) {
        fn add<T: Counter>(c: &mut T, n: u64) {
            let sum: u64 = (*c).into() + n;
            *c = T::try_from(sum).ok().expect("counter headroom");
        }
        each!(self, v => add(&mut v[i], n))
    }

    /// Rebuilds the counters as `front` zeros, the current ones and zeros
    /// up to `len` (exact capacity).
    fn regrow(&mut self, front: usize, len: usize) {
        fn regrow<T: Copy + Default>(v: &mut Vec<T>, front: usize, len: usize) {
            let mut w = Vec::with_capacity(len);
            w.resize(front, T::default());
            w.extend_from_slice(v);
            w.resize(len, T::default());
            *v = w;
        }
        each!(self, v => regrow(v, front, len))
    }

    /// The next wider representation (`U64` stays).
    fn widen(&mut self) {
        *self = match self {
            Counts::U16(v) => Counts::U32(widen(v)),
            Counts::U32(v) => Counts::U64(widen(v)),
            Counts::U64(v) => Counts::U64(std::mem::take(v)),
        };
    }
}

/// What one pass over a column of values found (see [`scan`]).
struct Scan {
    /// Ordinary values (counted).
    ordinary: usize,
    /// Values equal to the hot value.
    hot: u64,
    /// Extremes of the values' bit patterns.
    lo: u64,
    hi: u64,
}

impl Scan {
    /// Nothing seen yet.
    const EMPTY: Scan = Scan {
        ordinary: 0,
        hot: 0,
        lo: u64::MAX,
        hi: 0,
    };
}

/// The first pass of [`scan`], one value at a time, continuing from `s`:
/// stores the index of every ordinary value at `idx[s.ordinary]` (the
/// others' indices are stored too, then overwritten), so `idx` needs room
/// for `s.ordinary + values.len()` entries.
#[inline]
fn collect(mut s: Scan, offset: u32, len: u32, hot: u64, values: &[f64], idx: &mut [u32]) -> Scan {
    for &x in values {
        let b = x.to_bits();
        let (ord, i) = ordinary(b, offset, len);
        idx[s.ordinary] = i;
        s.ordinary += usize::from(ord);
        s.hot += u64::from(b == hot);
        s.lo = s.lo.min(b);
        s.hi = s.hi.max(b);
    }
    s
}

/// Whether the value of bit pattern `b` is ordinary for a store over bucket
/// keys `[offset, offset + len)`, and its store index if so: positive, not
/// an atom, and inside the range (negative values, NaN and infinities fall
/// outside it, as do zero-bucket values: the range never reaches below
/// `BAND_ZERO`).
#[inline(always)]
fn ordinary(b: u64, offset: u32, len: u32) -> (bool, u32) {
    let i = ((b >> KEY_SHIFT) as u32).wrapping_sub(offset);
    ((i < len) & (b & LOW_BITS != 0), i)
}

/// Counts the ordinary values among `values` (at most [`CHUNK`]) into
/// `counts` (bucket keys `[offset, offset + counts.len())`), counts the
/// values whose bit pattern is `hot` (a value that is never ordinary) and
/// takes the extremes of all bit patterns.
///
/// A branch-free pass (four values at a time with AVX2, see `scan_four`)
/// collects the store indices; a tight loop then adds them, so that the
/// increments' cache misses overlap.
#[inline]
fn scan<T: Counter>(counts: &mut [T], offset: u32, hot: u64, values: &[f64]) -> Scan {
    let len = counts.len() as u32;
    // (Room for the four-lane pass's last store.)
    let mut idx = [0u32; CHUNK + 3];
    let s = scan_four::collect(offset, len, hot, values, &mut idx)
        .unwrap_or_else(|| collect(Scan::EMPTY, offset, len, hot, values, &mut idx));
    for &i in &idx[..s.ordinary] {
        counts[i as usize] = counts[i as usize].inc();
    }
    s
}

/// Dense bucket counters for the magnitudes of one sign, over the bucket keys
/// `[offset, offset + len)`: always whole binades, grown on demand (like
/// [`Store`], but counts only).
#[derive(Clone, Debug)]
struct CountStore {
    offset: u32,
    counts: Counts,
    /// A lower bound on the room left in the fullest counter
    /// (`cap - max`), so that adding `n` counts anywhere can skip overflow
    /// checks while `n <= headroom`.
    headroom: u64,
}

impl CountStore {
    /// An empty store; allocates nothing.
    const EMPTY: CountStore = CountStore {
        offset: 0,
        counts: Counts::U16(Vec::new()),
        headroom: u16::MAX as u64,
    };

    /// Number of buckets.
    fn len(&self) -> u32 {
        each!(&self.counts, v => v.len()) as u32
    }

    /// Makes `headroom >= need`: recomputes it from the counters, widening
    /// them when the fullest is past half of the current width (so a rescan
    /// follows at least `cap / 2` counts later) or the room is short.
    #[cold]
    #[inline(never)]
    fn make_headroom(&mut self, need: u64) {
        loop {
            let (max, cap) = (self.counts.max(), self.counts.cap());
            self.headroom = cap - max;
            if matches!(self.counts, Counts::U64(_)) || (self.headroom >= need && max <= cap / 2) {
                return;
            }
            self.counts.widen();
        }
    }

    /// Counts the ordinary values among `values` (see [`scan`]).
    #[inline]
    fn scan(&mut self, hot: u64, values: &[f64]) -> Scan {
        let n = values.len() as u64;
        if n > self.headroom {
            self.make_headroom(n);
        }
        self.headroom -= n;
        let offset = self.offset;
        each!(&mut self.counts, v => scan(v, offset, hot, values))
    }

    /// Adds `n` counts at bucket key `key`.
    fn add(&mut self, key: u32, n: u64) {
        self.grow(key, key + 1);
        if n > self.headroom {
            self.make_headroom(n);
        }
        self.headroom -= n;
        self.counts.add((key - self.offset) as usize, n);
    }

    /// Extends the range to cover keys `[lo, hi)`, rounded out to whole
    /// binades.
    fn grow(&mut self, lo: u32, hi: u32) {
        let mask = BUCKETS_PER_BINADE - 1;
        let (lo, hi) = (lo & !mask, (hi + mask) & !mask);
        let len = self.len();
        if len == 0 {
            self.offset = lo;
            self.counts.regrow(0, (hi - lo) as usize);
            return;
        }
        let (cur_lo, cur_hi) = (self.offset, self.offset + len);
        if lo >= cur_lo && hi <= cur_hi {
            return;
        }
        let (new_lo, new_hi) = (lo.min(cur_lo), hi.max(cur_hi));
        self.counts
            .regrow((cur_lo - new_lo) as usize, (new_hi - new_lo) as usize);
        self.offset = new_lo;
    }

    fn merge(&mut self, o: &CountStore) {
        let len = o.len();
        if len == 0 {
            return;
        }
        self.grow(o.offset, o.offset + len);
        // Each counter grows by at most the other's largest count.
        let need = o.counts.max();
        if need > self.headroom {
            self.make_headroom(need);
        }
        self.headroom -= need;
        let start = (o.offset - self.offset) as usize;
        for i in 0..len as usize {
            let c = o.counts.get(i);
            if c > 0 {
                self.counts.add(start + i, c);
            }
        }
    }

    /// Non-empty buckets as `(key, count)`, in ascending key order.
    fn nonempty(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        (0..self.len())
            .map(|i| (self.offset + i, self.counts.get(i as usize)))
            .filter(|&(_, c)| c > 0)
    }
}

/// How the values of one run of ranks in a cell are estimated.
#[derive(Clone, Copy, Debug)]
enum Segment {
    /// Every value is exactly this one.
    Exact(f64),
    /// Values spread over the open interval `(lo, hi)` (a bucket's interior):
    /// the `j`-th of `c` is estimated at `lo + (hi - lo) (j + 1/2) / c`.
    Spread(f64, f64),
    /// The zero bucket with its exact extremes: interpolated by rank.
    Zero(f64, f64),
}

impl Segment {
    /// Estimate of the `j`-th smallest (0-based) of the `c` values here.
    fn estimate(self, j: u64, c: u64) -> f64 {
        match self {
            Segment::Exact(v) => v,
            Segment::Spread(lo, hi) => lo + (hi - lo) * ((j as f64 + 0.5) / c as f64),
            Segment::Zero(lo, hi) if c > 1 => lerp(lo, hi, j as f64 / (c - 1) as f64),
            Segment::Zero(lo, _) => lo,
        }
    }
}

/// One cell `(series, day)` of [`DailyBands`].
#[derive(Clone, Debug)]
struct BandCell {
    /// Finite values counted.
    count: u64,
    /// Non-finite values ignored.
    rejected: u64,
    /// Smallest and largest finite value as [`total_key`]s (`i64::MAX` and
    /// `i64::MIN` when empty).
    min: i64,
    max: i64,
    /// Values with `|x| < BAND_ZERO`.
    zero: ZeroBucket,
    /// Counts of the values that are neither in the zero bucket nor atoms,
    /// by bucket key of the magnitude; one store per sign.
    pos: CountStore,
    neg: CountStore,
    /// Values exactly at a bucket's lower magnitude bound (at most 8
    /// significant bits: 1, 0.5, 0.75, 3, …): `(total_key, count)`, sorted.
    atoms: Vec<(i64, u64)>,
    /// The bit pattern of a finite value with zero [`LOW_BITS`] (an atom or
    /// a zero, so never ordinary) that recurs in this cell, such as 0 or 1:
    /// [`add_values`](BandCell::add_values) counts it branch-free. A speed
    /// hint only: it depends on the order of insertion, the counts do not.
    hot: u64,
}

impl BandCell {
    const EMPTY: BandCell = BandCell {
        count: 0,
        rejected: 0,
        min: i64::MAX,
        max: i64::MIN,
        zero: ZeroBucket {
            count: 0,
            min: 0.0,
            max: 0.0,
        },
        pos: CountStore::EMPTY,
        neg: CountStore::EMPTY,
        atoms: Vec::new(),
        hot: 0,
    };

    /// Counts `values` (at most [`CHUNK`]).
    ///
    /// Ordinary values (positive, not an atom, inside the positive store's
    /// range) and the hot value are counted in one branch-free pass, which
    /// also takes the extremes of all the bit patterns (the values' order
    /// while all are non-negative and finite); the others, if any (zeros,
    /// atoms, negative, non-finite or outside the range), are then counted
    /// run by run, and the longest run of a candidate becomes the hot value
    /// if it beats the current one.
    #[inline]
    fn add_values(&mut self, values: &[f64]) {
        debug_assert!(values.len() <= CHUNK);
        let n = values.len();
        let (offset, len, hot) = (self.pos.offset, self.pos.len(), self.hot);
        let s = self.pos.scan(hot, values);
        if s.hi < INF_BITS {
            // All non-negative and finite: bit patterns are total keys.
            self.count += n as u64;
            if n > 0 {
                self.min = self.min.min(s.lo as i64);
                self.max = self.max.max(s.hi as i64);
            }
        } else {
            self.count_with_extremes(values);
        }
        if s.hot > 0 {
            self.add_other(hot, s.hot);
        }
        if s.ordinary + s.hot as usize == n {
            return;
        }
        let mut best = (hot, s.hot);
        let (mut x, mut c) = (0u64, 0u64);
        let others = values.iter().map(|x| x.to_bits());
        for y in others.filter(|&y| y != hot && !ordinary(y, offset, len).0) {
            if y == x && c > 0 {
                c += 1;
            } else {
                if c > 0 {
                    self.add_other(x, c);
                    if c > best.1 && Self::hot_candidate(x) {
                        best = (x, c);
                    }
                }
                (x, c) = (y, 1);
            }
        }
        if c > 0 {
            self.add_other(x, c);
            if c > best.1 && Self::hot_candidate(x) {
                best = (x, c);
            }
        }
        self.hot = best.0;
    }

    /// Whether the value of bit pattern `b` may be the hot value: finite
    /// with zero [`LOW_BITS`] (an atom or a zero), so never ordinary.
    fn hot_candidate(b: u64) -> bool {
        b & LOW_BITS == 0 && b & !SIGN_MASK < INF_BITS
    }

    /// Counts the finite `values` and takes their extremes in total order.
    #[cold]
    #[inline(never)]
    fn count_with_extremes(&mut self, values: &[f64]) {
        for &x in values.iter().filter(|x| x.is_finite()) {
            let t = total_key(x.to_bits());
            self.count += 1;
            self.min = self.min.min(t);
            self.max = self.max.max(t);
        }
    }

    /// Counts the value of bit pattern `bits` `n` times where it is not an
    /// ordinary value (the count and extremes are already updated).
    #[inline(never)]
    fn add_other(&mut self, bits: u64, n: u64) {
        let abs = bits & !SIGN_MASK;
        if abs >= INF_BITS {
            self.rejected += n;
        } else if abs < BAND_ZERO.to_bits() {
            self.zero.add(f64::from_bits(bits), n);
        } else if abs & LOW_BITS == 0 {
            self.add_atom(total_key(bits), n);
        } else {
            let key = (abs >> KEY_SHIFT) as u32;
            if bits == abs {
                self.pos.add(key, n);
            } else {
                self.neg.add(key, n);
            }
        }
    }

    fn add_atom(&mut self, t: i64, n: u64) {
        match self.atoms.binary_search_by_key(&t, |a| a.0) {
            Ok(i) => self.atoms[i].1 += n,
            Err(i) => self.atoms.insert(i, (t, n)),
        }
    }

    fn merge(&mut self, o: &BandCell) {
        self.count += o.count;
        self.rejected += o.rejected;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.zero.merge(&o.zero);
        self.pos.merge(&o.pos);
        self.neg.merge(&o.neg);
        for &(t, n) in &o.atoms {
            self.add_atom(t, n);
        }
    }

    fn heap_bytes(&self) -> usize {
        self.pos.counts.heap_bytes()
            + self.neg.counts.heap_bytes()
            + self.atoms.capacity() * std::mem::size_of::<(i64, u64)>()
    }

    /// Calls `f(count, segment)` for the cell's segments in ascending value
    /// order.
    fn segments(&self, mut f: impl FnMut(u64, Segment)) {
        let mut atoms = self.atoms.iter().copied().peekable();
        // Atoms up to `limit` (a total key), in order.
        let mut atoms_upto = |limit: i64, f: &mut dyn FnMut(u64, Segment)| {
            while let Some((t, n)) = atoms.next_if(|&(t, _)| t <= limit) {
                f(n, Segment::Exact(from_total_key(t)));
            }
        };
        // Negative values, largest magnitude first. A negative atom `-lo` is
        // the largest value of its bucket `(-hi, -lo]`.
        for (key, c) in self.neg.nonempty().rev() {
            let (lo, hi) = bucket_bounds(key);
            atoms_upto(total_key((-hi).to_bits()), &mut f);
            f(c, Segment::Spread(-hi, -lo));
        }
        atoms_upto(total_key((-BAND_ZERO).to_bits()), &mut f);
        if self.zero.count > 0 {
            f(self.zero.count, Segment::Zero(self.zero.min, self.zero.max));
        }
        // Positive values. A positive atom `lo` is the smallest value of its
        // bucket `[lo, hi)`.
        for (key, c) in self.pos.nonempty() {
            let (lo, hi) = bucket_bounds(key);
            atoms_upto(total_key(lo.to_bits()), &mut f);
            f(c, Segment::Spread(lo, hi));
        }
        atoms_upto(i64::MAX, &mut f);
    }

    /// Type-7 quantiles at `ps` (see [`DailyHist::quantile`]).
    fn quantiles<const N: usize>(&self, ps: [f64; N]) -> [f64; N] {
        let n = self.count;
        if n == 0 {
            return [f64::NAN; N];
        }
        // Rank `h = p (n - 1)`: order statistics `lo` and `lo + 1` (the
        // latter only when `frac > 0`, which implies `lo + 1 < n`).
        let parts = ps.map(|p| {
            (!p.is_nan()).then(|| {
                let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
                let lo = (h.floor() as u64).min(n - 1);
                (lo, h - lo as f64)
            })
        });
        let mut ranks: Vec<u64> = parts
            .iter()
            .flatten()
            .flat_map(|&(lo, frac)| [lo, if frac > 0.0 { lo + 1 } else { lo }])
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let (min, max) = (from_total_key(self.min), from_total_key(self.max));
        let mut est = vec![f64::NAN; ranks.len()];
        let (mut next, mut before) = (0, 0u64);
        self.segments(|c, seg| {
            while next < ranks.len() && ranks[next] < before + c {
                let e = seg.estimate(ranks[next] - before, c);
                // Clamping keeps estimates within the data (and exact for a
                // cell of identical values); it preserves their order.
                est[next] = if e < min {
                    min
                } else if e > max {
                    max
                } else {
                    e
                };
                next += 1;
            }
            before += c;
        });
        let at = |r: u64| est[ranks.partition_point(|&x| x < r)];
        parts.map(|part| match part {
            None => f64::NAN,
            Some((lo, frac)) if frac > 0.0 => lerp(at(lo), at(lo + 1), frac),
            Some((lo, _)) => at(lo),
        })
    }
}

/// Per-day quantile bands for a set of daily series: one order-independent
/// sketch per cell `(series, day)`.
///
/// Each cell counts its values in the buckets of [`LogHistogram`] (the
/// magnitude's exponent and top [`MANTISSA_BITS`] mantissa bits, so a
/// relative width of `2^-7`) but keeps only a count per bucket, not the
/// bucket's extremes: 2 bytes per bucket instead of 24, so that the counters
/// a thread updates stay a few MB. Besides the counts a cell keeps its exact
/// smallest and largest value, the zero bucket (`|x| < 2^-996`, about
/// 1.5e-300) with its exact extremes, and exact counts of *atoms*: values
/// lying exactly on a bucket's lower magnitude bound (at most 8 significant
/// bits: 1, 0.5, 0.75, 3, any integer below 256, …).
///
/// The `j`-th of the `c` other values of a bucket `[lo, hi)` is estimated at
/// `lo + (hi - lo) (j + 1/2) / c`; atoms and zero-bucket values as in the
/// data (the latter interpolated between the bucket's extremes by rank);
/// every estimate is then clamped to the cell's `[min, max]`, and quantiles
/// combine order statistics by type-7 interpolation. So:
///
/// * for values of one sign the relative error is at most `2^-7`
///   (≈ 0.78 %), as each estimate lies in the bucket of the order statistic
///   it estimates (zero-bucket values: absolute error below `2^-996`);
/// * a cell whose values are all equal reports that value exactly, and a band
///   that falls on an atom (an open share of exactly 1, a price multiplier of
///   exactly 1) or on exact zeros is exact;
/// * every band lies within `[min, max]` of the cell's values.
///
/// Non-finite values are ignored (counted as rejected). The state is integer
/// counts, exact extremes and exact atoms, so inserting in any order, split
/// over any sketches merged in any order, gives bit-identical bands. Memory
/// is 2 bytes per bucket over the binades a cell's values span, whatever the
/// number of values (a store's counters widen to 4, then 8 bytes, all at
/// once, before one could overflow; in practice past tens of thousands of
/// values in one bucket).
#[derive(Clone, Debug)]
pub struct DailyBands {
    series: usize,
    days: usize,
    cells: Vec<BandCell>,
}

impl DailyBands {
    /// Empty bands for `series` series of `days` days each. Allocates only the
    /// (empty) cell headers.
    pub fn new(series: usize, days: usize) -> Self {
        DailyBands {
            series,
            days,
            cells: vec![BandCell::EMPTY; series.saturating_mul(days)],
        }
    }

    /// Adds one replicate's daily values for series `s`
    /// (`values.len()` should equal `days()`; extra values are ignored and
    /// missing days are left untouched, with a debug assertion).
    ///
    /// # Panics
    /// If `s >= series()`.
    pub fn add_series(&mut self, s: usize, values: &[f64]) {
        assert!(s < self.series, "DailyBands: series {s} out of range");
        debug_assert_eq!(values.len(), self.days, "DailyBands: wrong day count");
        let row = &mut self.cells[s * self.days..(s + 1) * self.days];
        for (c, x) in row.iter_mut().zip(values) {
            c.add_values(std::slice::from_ref(x));
        }
    }

    /// Adds several replicates' values of one cell `(series, day)`.
    ///
    /// # Panics
    /// If `s >= series()` or `day >= days()`.
    pub fn add_cell(&mut self, s: usize, day: usize, values: &[f64]) {
        assert!(
            s < self.series && day < self.days,
            "DailyBands: cell out of range"
        );
        let cell = &mut self.cells[s * self.days + day];
        for chunk in values.chunks(CHUNK) {
            cell.add_values(chunk);
        }
    }

    /// Adds whole replicates: `rows` holds one or more replicates' values,
    /// each in cell order (`rows[k · cells + s · days() + day]` for the
    /// `k`-th replicate, `cells = series() · days()`). The same state as
    /// [`add_series`](DailyBands::add_series) for each replicate and series,
    /// but much faster for many replicates (say 256): each cell then takes
    /// all its values at once.
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `series() · days()`.
    pub fn add_rows(&mut self, rows: &[f64]) {
        let cells = self.cells.len();
        if cells == 0 {
            return;
        }
        assert!(
            rows.len().is_multiple_of(cells),
            "DailyBands: rows of {} values, not a multiple of {cells}",
            rows.len()
        );
        // Transposed values of a tile of cells: `tile[j][k]`, cell `c0 + j`,
        // row `k`.
        // (Rows padded by a cache line, so that the tile's rows do not
        // alias in the store buffer at 4 KiB strides.)
        let mut tile = vec![[0.0; CHUNK + 8]; TILE];
        for block in rows.chunks(CHUNK * cells) {
            let n = block.len() / cells;
            for c0 in (0..cells).step_by(TILE) {
                let w = TILE.min(cells - c0);
                for (k, row) in block.chunks_exact(cells).enumerate() {
                    for (t, &x) in tile.iter_mut().zip(&row[c0..c0 + w]) {
                        t[k] = x;
                    }
                }
                // Touch the next tile's values: their cache misses overlap
                // with the work on this one.
                if c0 + TILE < cells {
                    let last = (c0 + 2 * TILE - 1).min(cells - 1);
                    let touch = block
                        .chunks_exact(cells)
                        .map(|row| row[c0 + TILE].to_bits() ^ row[last].to_bits());
                    std::hint::black_box(touch.fold(0, |a, b| a ^ b));
                }
                for (cell, t) in self.cells[c0..c0 + w].iter_mut().zip(&tile) {
                    cell.add_values(&t[..n]);
                }
            }
        }
    }

    /// Folds `other` into `self`. Exactly commutative and associative.
    ///
    /// # Panics
    /// If the shapes (`series`, `days`) differ.
    pub fn merge(&mut self, other: &DailyBands) {
        assert!(
            self.series == other.series && self.days == other.days,
            "DailyBands: merging different shapes"
        );
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
    }

    /// Number of series.
    pub fn series(&self) -> usize {
        self.series
    }

    /// Number of days per series.
    pub fn days(&self) -> usize {
        self.days
    }

    /// Heap memory held, in bytes: the cells (about 180 bytes each) and
    /// their counters and atoms.
    pub fn heap_bytes(&self) -> usize {
        self.cells.capacity() * std::mem::size_of::<BandCell>()
            + self.cells.iter().map(BandCell::heap_bytes).sum::<usize>()
    }

    /// The sketch behind (series `s`, day `day`).
    ///
    /// # Panics
    /// If `s >= series()` or `day >= days()`.
    pub fn hist(&self, s: usize, day: usize) -> DailyHist<'_> {
        assert!(
            s < self.series && day < self.days,
            "DailyBands: index out of range"
        );
        DailyHist(&self.cells[s * self.days + day])
    }

    /// Quantiles at [`SUMMARY_QUANTILES`] (`[p5, p25, p50, p75, p95]`) for
    /// (series `s`, day `day`); NaN if no value has been added there.
    ///
    /// # Panics
    /// If `s >= series()` or `day >= days()`.
    pub fn bands(&self, s: usize, day: usize) -> [f64; 5] {
        self.hist(s, day).0.quantiles(SUMMARY_QUANTILES)
    }
}

/// A read-only view of one cell of [`DailyBands`].
#[derive(Clone, Copy, Debug)]
pub struct DailyHist<'a>(&'a BandCell);

impl DailyHist<'_> {
    /// Number of (finite) values counted.
    pub fn count(&self) -> u64 {
        self.0.count
    }

    /// Number of non-finite values passed in and ignored.
    pub fn rejected(&self) -> u64 {
        self.0.rejected
    }

    /// Smallest value (exact; of `-0.0` and `0.0`, `-0.0`); NaN if empty.
    pub fn min(&self) -> f64 {
        if self.0.count == 0 {
            f64::NAN
        } else {
            from_total_key(self.0.min)
        }
    }

    /// Largest value (exact); NaN if empty.
    pub fn max(&self) -> f64 {
        if self.0.count == 0 {
            f64::NAN
        } else {
            from_total_key(self.0.max)
        }
    }

    /// Quantile estimate on the type-7 rank scale (`h = p (n - 1)`, linear
    /// interpolation between order statistics `floor(h)` and `floor(h) + 1`,
    /// each estimated as described on [`DailyBands`]). `p` is clamped to
    /// `[0, 1]`; NaN if the cell is empty or `p` is NaN.
    pub fn quantile(&self, p: f64) -> f64 {
        self.0.quantiles([p])[0]
    }
}

// ---------------------------------------------------------------------------
// StreamingSummary
// ---------------------------------------------------------------------------

/// A [`Summary`] for runs too large to keep every value: moments (and exact
/// min/max) from [`Moments`], quantiles from a [`LogHistogram`].
///
/// `moments` sees every pushed value, `hist` only finite ones, so the
/// reported `n` includes non-finite values (which also make mean/sd NaN).
/// Merging is order-dependent in the moments' last bits only.
#[derive(Clone, Debug, Default)]
pub struct StreamingSummary {
    /// Mean, variance, min, max.
    pub moments: Moments,
    /// Quantile sketch.
    pub hist: LogHistogram,
}

impl StreamingSummary {
    /// An empty streaming summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
        self.hist.insert(x);
    }

    /// Folds `o` into `self` (merge in a fixed order for reproducible moments).
    pub fn merge(&mut self, o: &Self) {
        self.moments.merge(&o.moments);
        self.hist.merge(&o.hist);
    }

    /// The summary: `n`, mean, sd, mcse, min, max from the moments; p5..p95
    /// estimated by the histogram. Empty gives [`Summary::empty`].
    pub fn summary(&self) -> Summary {
        let q = SUMMARY_QUANTILES.map(|p| self.hist.quantile(p));
        Summary::from_parts(&self.moments, q)
    }
}
