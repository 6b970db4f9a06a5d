//! From a tabulated quantile function to what the distribution figures
//! draw: the distribution function, histogram bins and exceedance points.
//! Pure arithmetic, no drawing.
//!
//! The quantile function is taken as piecewise linear between grid points
//! (`p_i`, `x_i`), so the distribution function is its inverse: linear
//! between them, with jumps where the quantile function is flat (a point
//! mass, e.g. many replicates with no spoilage at all).

use super::QuantileFn;

/// Probability below which the histogram's right edge cuts the tail: the
/// axes run to the 99.5th percentile so that one extreme replicate does not
/// squeeze the rest into a single bar.
pub const UPPER_P: f64 = 0.995;

/// Number of histogram bars.
pub const BINS: usize = 40;

impl QuantileFn<'_> {
    /// Whether the function is usable: at least two points, `p` from 0 to
    /// 1 increasing, `x` finite and non-decreasing.
    pub fn is_valid(&self) -> bool {
        self.p.len() >= 2
            && self.p.len() == self.x.len()
            && self.p.windows(2).all(|w| w[0] < w[1])
            && self.x.iter().all(|x| x.is_finite())
            && self.x.windows(2).all(|w| w[0] <= w[1])
    }

    /// Quantile at `q` (linear between grid points).
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.p.len();
        let k = self.p.partition_point(|&p| p < q);
        if k == 0 {
            return self.x[0];
        }
        if k >= n {
            return self.x[n - 1];
        }
        let (p0, p1) = (self.p[k - 1], self.p[k]);
        let (x0, x1) = (self.x[k - 1], self.x[k]);
        x0 + (x1 - x0) * (q - p0) / (p1 - p0)
    }

    /// Distribution function `P(X ≤ v)`, right-continuous.
    pub fn cdf(&self, v: f64) -> f64 {
        let n = self.x.len();
        // Number of grid values ≤ v.
        let k = self.x.partition_point(|&x| x <= v);
        if k == 0 {
            return 0.0;
        }
        if k >= n {
            return 1.0;
        }
        let i = k - 1; // x[i] ≤ v < x[i + 1]
        let (x0, x1) = (self.x[i], self.x[i + 1]);
        let (p0, p1) = (self.p[i], self.p[i + 1]);
        p0 + (p1 - p0) * (v - x0) / (x1 - x0)
    }

    /// The horizontal range the distribution figures show: from the
    /// minimum to the 99.5th percentile.
    pub fn display_range(&self) -> (f64, f64) {
        (self.x[0], self.quantile(UPPER_P))
    }
}

/// One histogram bar: `[lo, hi)` and the probability it holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub mass: f64,
}

/// `bins` equal bars over `[lo, hi]`. The first bar also holds everything
/// below `lo`; mass above `hi` is left out (it is at most 1 − F(hi)).
pub fn histogram(q: &QuantileFn<'_>, lo: f64, hi: f64, bins: usize) -> Vec<Bin> {
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut prev = 0.0;
    (0..bins)
        .map(|i| {
            let a = lo + width * i as f64;
            let b = if i + 1 == bins {
                hi
            } else {
                lo + width * (i + 1) as f64
            };
            let f = q.cdf(b);
            let mass = (f - prev).max(0.0);
            prev = f;
            Bin { lo: a, hi: b, mass }
        })
        .collect()
}

/// Points `(x, P(X > x))` of the exceedance curve for `x ≤ hi`, ending
/// exactly at `hi`.
///
/// The curve starts at the minimum with `P(X > min)`: a point mass at the
/// minimum (say, many replicates with no price rise at all) shows as a
/// curve starting below 100%, not as a vertical line along the left edge.
pub fn exceedance(q: &QuantileFn<'_>, hi: f64) -> Vec<(f64, f64)> {
    let x0 = q.x[0];
    let first = q.x.iter().rposition(|&x| x == x0).unwrap_or(0);
    let mut pts: Vec<(f64, f64)> = q.x[first..]
        .iter()
        .zip(&q.p[first..])
        .take_while(|(x, _)| **x <= hi)
        .map(|(x, p)| (*x, 1.0 - p))
        .collect();
    if pts.last().is_none_or(|l| l.0 < hi) {
        pts.push((hi, 1.0 - q.cdf(hi)));
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Vec<f64> {
        (0..=200).map(|i| i as f64 / 200.0).collect()
    }

    #[test]
    fn uniform_gives_a_flat_histogram() {
        let p = grid();
        let x: Vec<f64> = p.iter().map(|p| 10.0 * p).collect();
        let q = QuantileFn { p: &p, x: &x };
        assert!(q.is_valid());
        assert!((q.cdf(2.5) - 0.25).abs() < 1e-12);
        assert!((q.quantile(0.995) - 9.95).abs() < 1e-12);
        let h = histogram(&q, 0.0, 10.0, 10);
        let total: f64 = h.iter().map(|b| b.mass).sum();
        assert!((total - 1.0).abs() < 1e-12);
        for b in &h {
            assert!((b.mass - 0.1).abs() < 1e-12, "{b:?}");
        }
    }

    #[test]
    fn point_mass_lands_in_one_bar() {
        // 40% of replicates at exactly 0, the rest uniform on (0, 100].
        let p = grid();
        let x: Vec<f64> = p
            .iter()
            .map(|&p| {
                if p <= 0.4 {
                    0.0
                } else {
                    (p - 0.4) / 0.6 * 100.0
                }
            })
            .collect();
        let q = QuantileFn { p: &p, x: &x };
        assert!((q.cdf(0.0) - 0.4).abs() < 1e-12);
        assert_eq!(q.cdf(-1.0), 0.0);
        let h = histogram(&q, 0.0, 100.0, 10);
        assert!((h[0].mass - 0.46).abs() < 1e-9, "{:?}", h[0]);
        let total: f64 = h.iter().map(|b| b.mass).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn exceedance_is_one_minus_p() {
        let p = grid();
        let x: Vec<f64> = p.iter().map(|p| p * p).collect();
        let q = QuantileFn { p: &p, x: &x };
        let e = exceedance(&q, 0.25);
        assert_eq!(e[0], (0.0, 1.0));
        // A point mass at the minimum: the curve starts below 100%.
        let x2: Vec<f64> = p
            .iter()
            .map(|&p| if p <= 0.3 { 1.0 } else { 1.0 + p })
            .collect();
        let e2 = exceedance(&QuantileFn { p: &p, x: &x2 }, 2.0);
        assert!(
            (e2[0].0 - 1.0).abs() < 1e-12 && (e2[0].1 - 0.7).abs() < 1e-9,
            "{:?}",
            e2[0]
        );
        let last = *e.last().unwrap();
        assert!((last.0 - 0.25).abs() < 1e-12 && (last.1 - 0.5).abs() < 1e-12);
        assert!(e.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn degenerate_function() {
        let p = [0.0, 0.5, 1.0];
        let x = [3.0, 3.0, 3.0];
        let q = QuantileFn { p: &p, x: &x };
        assert!(q.is_valid());
        assert_eq!(q.cdf(3.0), 1.0);
        assert_eq!(q.cdf(2.9), 0.0);
        let h = histogram(&q, 2.0, 4.0, 4);
        assert_eq!(h.iter().map(|b| b.mass).sum::<f64>(), 1.0);
    }
}
