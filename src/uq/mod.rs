//! Uncertainty quantification: the generic mathematics behind sampling
//! designs, correlated inputs, sensitivity analysis and sequential stopping.
//!
//! Everything here works on plain numbers: a model is "a function of `d`
//! independent inputs given as uniforms in (0, 1)" and nothing in this module
//! knows about scenarios, the engine or files. There is no IO.
//!
//! * [`designs`]: `n × d` matrices of uniforms — plain Monte Carlo, Latin
//!   hypercube, antithetic pairs, Sobol points (plain and randomly
//!   scrambled) and a randomized-QMC estimator with error bars.
//! * [`correlation`]: validation of correlation matrices, Spearman rank
//!   correlation, and two ways of imposing a target rank correlation:
//!   Iman–Conover (reorders, keeps marginals) and a Gaussian copula.
//! * [`sobol_indices`]: first-order and total Sobol indices from the Saltelli
//!   design with Jansen's estimators, with bootstrap confidence intervals.
//! * [`tornado`]: one-at-a-time swings and input–output rank correlations.
//! * [`convergence`]: relative standard error and batch schedules for
//!   sequential stopping.
//!
//! # Conventions
//!
//! * Matrices are row-major [`Matrix`] values: one row per sample (design
//!   point, replicate), one column per input or output.
//! * Uniforms produced by this module lie strictly inside (0, 1): they are of
//!   the form `(k + 1/2) · 2^-52`, so the smallest is `2^-53` and the largest
//!   `1 − 2^-53` (see [`open_unit`]). The one exception is
//!   [`designs::sobol`] (unscrambled), whose points are exact dyadic
//!   rationals, with the origin mapped to `2^-53`.
//! * Randomness comes only from a caller-provided
//!   [`Xoshiro256pp`](crate::rng::Xoshiro256pp); the same generator state
//!   gives the same result, whatever the number of rayon threads.
//! * Invalid arguments that are programming errors (a zero dimension, an odd
//!   `n` for antithetic pairs, a buffer of the wrong length) panic, with the
//!   condition documented under "Panics". Inputs that come from a user (a
//!   correlation matrix) are checked and return errors.

pub mod convergence;
pub mod correlation;
pub mod designs;
mod linalg;
pub mod sobol_indices;
mod sobol_table;
pub mod tornado;

use rayon::prelude::*;
use std::ops::{Index, IndexMut};

pub use crate::normal::{norm_cdf, norm_ppf};

/// A dense row-major matrix of `f64`.
///
/// Rows are samples, columns are variables. Element `(i, j)` is stored at
/// `data[i * cols + j]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// The `n × n` identity matrix.
    pub fn identity(n: usize) -> Self {
        let mut m = Self::zeros(n, n);
        for i in 0..n {
            m[(i, i)] = 1.0;
        }
        m
    }

    /// Wraps row-major `data` as a `rows × cols` matrix.
    ///
    /// # Panics
    /// If `data.len() != rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "Matrix::from_vec: {} values for a {rows} x {cols} matrix",
            data.len()
        );
        Self { rows, cols, data }
    }

    /// Builds a matrix from a list of rows (e.g. a correlation matrix read
    /// from a file). Returns `None` if the rows have different lengths. An
    /// empty list gives a `0 × 0` matrix.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Option<Self> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for r in rows {
            let r = r.as_ref();
            if r.len() != cols {
                return None;
            }
            data.extend_from_slice(r);
        }
        Some(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i` as a slice of length `cols()`.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i` as a mutable slice of length `cols()`.
    #[inline]
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Column `j`, copied into a new vector of length `rows()`.
    pub fn column(&self, j: usize) -> Vec<f64> {
        assert!(
            j < self.cols,
            "column {j} out of range (cols = {})",
            self.cols
        );
        (0..self.rows)
            .map(|i| self.data[i * self.cols + j])
            .collect()
    }

    /// Overwrites column `j` with `values`.
    ///
    /// # Panics
    /// If `j >= cols()` or `values.len() != rows()`.
    pub fn set_column(&mut self, j: usize, values: &[f64]) {
        assert!(
            j < self.cols,
            "column {j} out of range (cols = {})",
            self.cols
        );
        assert_eq!(values.len(), self.rows, "set_column: wrong length");
        for (i, &v) in values.iter().enumerate() {
            self.data[i * self.cols + j] = v;
        }
    }

    /// Iterator over the rows, in order.
    pub fn iter_rows(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        // `chunks_exact(0)` panics; a matrix with no columns has empty rows.
        (0..self.rows).map(move |i| self.row(i))
    }

    /// The row-major data.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The row-major data, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Consumes the matrix and returns its row-major data.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// The transpose.
    pub fn transpose(&self) -> Matrix {
        let mut t = Matrix::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                t[(j, i)] = self[(i, j)];
            }
        }
        t
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = f64;
    #[inline]
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        debug_assert!(i < self.rows && j < self.cols);
        &self.data[i * self.cols + j]
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    #[inline]
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        debug_assert!(i < self.rows && j < self.cols);
        &mut self.data[i * self.cols + j]
    }
}

/// Maps 64 random bits to a uniform in the open interval (0, 1): the top 52
/// bits `k` give `(k + 1/2) · 2^-52`.
///
/// Every result is exactly representable, lies in `[2^-53, 1 − 2^-53]`, and
/// `1 − u` is again exactly a value of this form (so antithetic pairs sum to
/// exactly 1). A coarser grid than [`Xoshiro256pp::uniform`]'s 53 bits is used
/// on purpose: `(k + 1/2) · 2^-53` is not representable for `k ≥ 2^52` and
/// rounds, up to exactly 1.0 for the largest `k`.
///
/// [`Xoshiro256pp::uniform`]: crate::rng::Xoshiro256pp::uniform
#[inline]
pub fn open_unit(bits: u64) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 52) as f64;
    ((bits >> 12) as f64 + 0.5) * SCALE
}

/// Evaluates a model with `outputs` outputs at every row of `design`, in
/// parallel with rayon, and returns the `design.rows() × outputs` matrix of
/// results (row `r` holds the outputs at design row `r`).
///
/// `f(x, out)` receives one design row `x` and must fill all of `out`
/// (length `outputs`; it starts zeroed). Results are stored by row index, so
/// the returned matrix does not depend on the thread count as long as `f` is
/// a pure function of its input.
pub fn evaluate<F>(design: &Matrix, outputs: usize, f: F) -> Matrix
where
    F: Fn(&[f64], &mut [f64]) + Sync,
{
    let mut y = Matrix::zeros(design.rows(), outputs);
    if outputs == 0 {
        return y;
    }
    y.as_mut_slice()
        .par_chunks_mut(outputs)
        .enumerate()
        .for_each(|(r, out)| f(design.row(r), out));
    y
}

/// A uniform integer in `0..n` (Lemire's multiply-and-reject method, exactly
/// uniform).
///
/// # Panics
/// If `n == 0`.
pub(crate) fn uniform_index(rng: &mut crate::rng::Xoshiro256pp, n: usize) -> usize {
    assert!(n > 0, "uniform_index: empty range");
    let x = rng.next_u64();
    if let Ok(n32) = u32::try_from(n) {
        // 32-bit variant: one 64-bit multiply.
        let n32 = u64::from(n32);
        let mut m = (x >> 32) * n32;
        if (m as u32 as u64) < n32 {
            let threshold = (n32.wrapping_neg() as u32 as u64) % n32;
            while (m as u32 as u64) < threshold {
                m = (rng.next_u64() >> 32) * n32;
            }
        }
        return (m >> 32) as usize;
    }
    let n64 = n as u64;
    let mut m = u128::from(x) * u128::from(n64);
    if (m as u64) < n64 {
        let threshold = n64.wrapping_neg() % n64;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n64);
        }
    }
    (m >> 64) as usize
}
