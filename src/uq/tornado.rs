//! One-at-a-time sensitivity ("tornado"): each input swung between a low and
//! a high quantile with every other input at its median, and the rank
//! correlation of each input with each output across a sample.
//!
//! Inputs are handled as uniforms: a point of the [`TornadoDesign`] gives the
//! probability level of each input, to be mapped through its quantile
//! function by the caller. For a stochastic model, evaluate each point with
//! the same random streams (common random numbers) and enough replicates
//! that the swings are not noise.

use super::Matrix;
use super::correlation::{pearson, ranks};
use serde::Serialize;

/// The `2d + 1` evaluation points of a tornado analysis.
///
/// Row 0 has every input at `p_base` (the median, 0.5, by default); rows
/// `1 + 2i` and `2 + 2i` have input `i` at `p_low` and `p_high` respectively
/// and the others at `p_base`.
#[derive(Clone, Debug)]
pub struct TornadoDesign {
    d: usize,
    p_low: f64,
    p_high: f64,
    p_base: f64,
    points: Matrix,
}

impl TornadoDesign {
    /// Swings between `p_low` and `p_high` (e.g. 0.1 and 0.9) around the
    /// medians.
    ///
    /// # Panics
    /// If a probability is not in (0, 1).
    pub fn new(d: usize, p_low: f64, p_high: f64) -> Self {
        Self::with_base(d, p_low, p_high, 0.5)
    }

    /// Swings between `p_low` and `p_high` with the other inputs at
    /// probability level `p_base`.
    ///
    /// # Panics
    /// If a probability is not in (0, 1).
    pub fn with_base(d: usize, p_low: f64, p_high: f64, p_base: f64) -> Self {
        for p in [p_low, p_high, p_base] {
            assert!(
                p > 0.0 && p < 1.0,
                "tornado probabilities must be in (0, 1), got {p}"
            );
        }
        let mut points = Matrix::zeros(2 * d + 1, d);
        points.as_mut_slice().fill(p_base);
        for i in 0..d {
            points[(1 + 2 * i, i)] = p_low;
            points[(2 + 2 * i, i)] = p_high;
        }
        Self {
            d,
            p_low,
            p_high,
            p_base,
            points,
        }
    }

    /// Number of inputs.
    pub fn dims(&self) -> usize {
        self.d
    }

    /// The probability levels `(p_low, p_high, p_base)`.
    pub fn levels(&self) -> (f64, f64, f64) {
        (self.p_low, self.p_high, self.p_base)
    }

    /// The `(2d + 1) × d` evaluation points (probability levels).
    pub fn points(&self) -> &Matrix {
        &self.points
    }

    /// Row of the point with input `i` at `p_high` (if `high`) or `p_low`.
    pub fn row_of(&self, i: usize, high: bool) -> usize {
        1 + 2 * i + usize::from(high)
    }

    /// Swings of every output from the model's outputs at the design points
    /// (`(2d + 1) × k`, row order of [`points`](Self::points)). Returns, for
    /// each output column, the `d` swings sorted by decreasing `swing`
    /// (ties, and NaN swings, last in input order).
    ///
    /// # Panics
    /// If `outputs.rows() != 2d + 1`.
    pub fn swings(&self, outputs: &Matrix) -> Vec<Vec<Swing>> {
        assert_eq!(
            outputs.rows(),
            2 * self.d + 1,
            "tornado outputs must have 2d + 1 rows"
        );
        (0..outputs.cols())
            .map(|k| {
                let base = outputs[(0, k)];
                let mut s: Vec<Swing> = (0..self.d)
                    .map(|i| {
                        let low = outputs[(self.row_of(i, false), k)];
                        let high = outputs[(self.row_of(i, true), k)];
                        Swing {
                            input: i,
                            low,
                            high,
                            base,
                            swing: (high - low).abs(),
                        }
                    })
                    .collect();
                s.sort_by(|a, b| {
                    let key = |x: &Swing| {
                        if x.swing.is_nan() {
                            f64::NEG_INFINITY
                        } else {
                            x.swing
                        }
                    };
                    key(b).total_cmp(&key(a)).then(a.input.cmp(&b.input))
                });
                s
            })
            .collect()
    }
}

/// The swing of one output for one input.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Swing {
    /// Input index (0-based).
    pub input: usize,
    /// Output with the input at `p_low` (not necessarily the smaller value).
    pub low: f64,
    /// Output with the input at `p_high`.
    pub high: f64,
    /// Output with every input at `p_base`.
    pub base: f64,
    /// `|high − low|`.
    pub swing: f64,
}

/// Spearman rank correlation of every input with every output across a
/// sample: `inputs` is `n × d`, `outputs` is `n × k` (same rows), and the
/// result is `d × k` with entry `(i, j)` the Spearman correlation of input
/// `i` and output `j` (average ranks for ties; NaN for a constant column).
///
/// # Panics
/// If the row counts differ.
pub fn rank_correlations(inputs: &Matrix, outputs: &Matrix) -> Matrix {
    assert_eq!(
        inputs.rows(),
        outputs.rows(),
        "inputs and outputs must have the same rows"
    );
    let ranked = |m: &Matrix, j: usize| -> Option<Vec<f64>> {
        let c = m.column(j);
        (!c.iter().any(|v| v.is_nan())).then(|| ranks(&c))
    };
    let ri: Vec<Option<Vec<f64>>> = (0..inputs.cols()).map(|j| ranked(inputs, j)).collect();
    let ro: Vec<Option<Vec<f64>>> = (0..outputs.cols()).map(|j| ranked(outputs, j)).collect();
    let mut c = Matrix::zeros(inputs.cols(), outputs.cols());
    for (i, a) in ri.iter().enumerate() {
        for (j, b) in ro.iter().enumerate() {
            c[(i, j)] = match (a, b) {
                (Some(a), Some(b)) => pearson(a, b),
                _ => f64::NAN,
            };
        }
    }
    c
}
