//! Correlated inputs: validation of correlation matrices, Spearman rank
//! correlation, and two ways of giving independent samples a target rank
//! correlation.
//!
//! * [`iman_conover`] reorders the values within each column of a sample so
//!   that the columns' rank correlations approach the target. Marginal values
//!   are untouched (a Latin hypercube stays a Latin hypercube). It needs the
//!   whole `n × d` sample at once.
//! * [`GaussianCopula`] maps each row of independent uniforms on its own
//!   (`u → Φ⁻¹ → correlate → Φ`), so it suits samples drawn one replicate at
//!   a time. Outputs are again uniform in each column, but not the same
//!   values (stratification of a design is lost except in column 0).
//!
//! Targets are **Spearman** rank correlations. Both methods work with normal
//! scores, whose Pearson correlation `r` gives a Spearman correlation of
//! `(6/π) asin(r/2)`; they therefore use `r = 2 sin(π ρ_s / 6)`
//! ([`spearman_to_pearson`]). If the converted matrix is not positive
//! semi-definite (possible, rarely, for a valid Spearman matrix), it is
//! replaced by the nearest correlation matrix obtained by clipping negative
//! eigenvalues to zero and rescaling to a unit diagonal, so a matrix that
//! passes [`validate_correlation`] never makes these methods fail.
//!
//! Indices in errors are 0-based (row, column).

use super::linalg::{cholesky_psd, lower_inverse, matmul, symmetric_eigen};
use super::{Matrix, designs::shuffle};
use crate::normal::{norm_cdf, norm_ppf};
use crate::rng::Xoshiro256pp;
use std::fmt;

/// Largest allowed `|a_ij − a_ji|` for a symmetric matrix and `|a_ii − 1|`
/// for a unit diagonal.
pub const ENTRY_TOLERANCE: f64 = 1e-12;

/// A matrix is accepted as positive semi-definite when its smallest
/// eigenvalue is at least `−PSD_TOLERANCE`.
pub const PSD_TOLERANCE: f64 = 1e-9;

/// Why a matrix is not a valid correlation matrix. Indices are 0-based.
#[derive(Clone, Debug, PartialEq)]
pub enum CorrError {
    /// The matrix is not square.
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },
    /// The matrix does not match the number of variables it is applied to.
    DimensionMismatch {
        /// Number of variables (columns of the sample).
        expected: usize,
        /// Size of the correlation matrix.
        got: usize,
    },
    /// Entry `(i, j)` is NaN or infinite.
    NotFinite {
        /// Row.
        i: usize,
        /// Column.
        j: usize,
    },
    /// Diagonal entry `(i, i)` is not 1.
    Diagonal {
        /// Row and column.
        i: usize,
        /// The entry.
        value: f64,
    },
    /// Entry `(i, j)` is outside [−1, 1].
    OutOfRange {
        /// Row.
        i: usize,
        /// Column.
        j: usize,
        /// The entry.
        value: f64,
    },
    /// Entries `(i, j)` and `(j, i)` differ.
    NotSymmetric {
        /// Row of the first entry.
        i: usize,
        /// Column of the first entry.
        j: usize,
        /// Entry `(i, j)`.
        a_ij: f64,
        /// Entry `(j, i)`.
        a_ji: f64,
    },
    /// The matrix has a negative eigenvalue: the pairwise correlations are
    /// mutually inconsistent.
    NotPositiveSemiDefinite {
        /// The smallest eigenvalue (negative).
        min_eigenvalue: f64,
        /// The variables that weigh most in that eigenvalue's eigenvector
        /// (largest absolute components first, those above 0.3): the
        /// correlations among them are the inconsistent ones.
        involved: Vec<usize>,
    },
}

impl fmt::Display for CorrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorrError::NotSquare { rows, cols } => {
                write!(f, "correlation matrix must be square, got {rows} x {cols}")
            }
            CorrError::DimensionMismatch { expected, got } => write!(
                f,
                "correlation matrix is {got} x {got} but there are {expected} variables"
            ),
            CorrError::NotFinite { i, j } => {
                write!(
                    f,
                    "correlation matrix entry ({i}, {j}) is not a finite number"
                )
            }
            CorrError::Diagonal { i, value } => {
                write!(
                    f,
                    "correlation matrix diagonal entry ({i}, {i}) is {value}; it must be 1"
                )
            }
            CorrError::OutOfRange { i, j, value } => write!(
                f,
                "correlation matrix entry ({i}, {j}) is {value}; correlations must lie in [-1, 1]"
            ),
            CorrError::NotSymmetric { i, j, a_ij, a_ji } => write!(
                f,
                "correlation matrix is not symmetric: entry ({i}, {j}) is {a_ij} but entry ({j}, {i}) is {a_ji}"
            ),
            CorrError::NotPositiveSemiDefinite {
                min_eigenvalue,
                involved,
            } => {
                let list: Vec<String> = involved.iter().map(|v| v.to_string()).collect();
                write!(
                    f,
                    "correlation matrix is not positive semi-definite: its smallest eigenvalue is {min_eigenvalue:.6} (must be >= 0), \
                     so no set of variables can have all these correlations at once; \
                     the inconsistent correlations are among variables {} (0-based)",
                    list.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for CorrError {}

/// Checks that `m` is a valid correlation matrix: square, finite entries,
/// unit diagonal (within [`ENTRY_TOLERANCE`]), off-diagonal entries in
/// [−1, 1], symmetric (within [`ENTRY_TOLERANCE`]) and positive
/// semi-definite (smallest eigenvalue, by the Jacobi method, at least
/// `−`[`PSD_TOLERANCE`]). The checks run in that order and the first failure
/// is returned. A `0 × 0` matrix is valid.
pub fn validate_correlation(m: &Matrix) -> Result<(), CorrError> {
    let n = m.rows();
    if m.cols() != n {
        return Err(CorrError::NotSquare {
            rows: n,
            cols: m.cols(),
        });
    }
    for i in 0..n {
        for j in 0..n {
            if !m[(i, j)].is_finite() {
                return Err(CorrError::NotFinite { i, j });
            }
        }
    }
    for i in 0..n {
        if (m[(i, i)] - 1.0).abs() > ENTRY_TOLERANCE {
            return Err(CorrError::Diagonal {
                i,
                value: m[(i, i)],
            });
        }
    }
    for i in 0..n {
        for j in 0..n {
            if m[(i, j)].abs() > 1.0 {
                return Err(CorrError::OutOfRange {
                    i,
                    j,
                    value: m[(i, j)],
                });
            }
        }
    }
    for i in 0..n {
        for j in i + 1..n {
            if (m[(i, j)] - m[(j, i)]).abs() > ENTRY_TOLERANCE {
                return Err(CorrError::NotSymmetric {
                    i,
                    j,
                    a_ij: m[(i, j)],
                    a_ji: m[(j, i)],
                });
            }
        }
    }
    if n == 0 {
        return Ok(());
    }
    let (values, vectors) = symmetric_eigen(m);
    if values[0] < -PSD_TOLERANCE {
        let mut comps: Vec<(usize, f64)> = (0..n).map(|k| (k, vectors[(k, 0)].abs())).collect();
        comps.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let involved = comps.iter().filter(|c| c.1 > 0.3).map(|c| c.0).collect();
        return Err(CorrError::NotPositiveSemiDefinite {
            min_eigenvalue: values[0],
            involved,
        });
    }
    Ok(())
}

/// Pearson correlation of normal scores that gives Spearman correlation
/// `rho_s` for a bivariate normal: `2 sin(π ρ_s / 6)`.
pub fn spearman_to_pearson(rho_s: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho_s / 6.0).sin()
}

/// Spearman correlation of a bivariate normal with Pearson correlation `r`:
/// `(6/π) asin(r / 2)`. Inverse of [`spearman_to_pearson`].
pub fn pearson_to_spearman(r: f64) -> f64 {
    6.0 / std::f64::consts::PI * (r / 2.0).asin()
}

/// Ranks `1..=n` of `x`, ties given the average of the ranks they span
/// ("fractional ranking"). NaN values sort last (by `f64::total_cmp`).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        // -0.0 and 0.0 are ties too, hence `==` rather than total_cmp.
        while end < n && x[order[end]] == x[order[start]] {
            end += 1;
        }
        let avg = (start + end + 1) as f64 / 2.0; // mean of ranks start+1 ..= end
        for &k in &order[start..end] {
            r[k] = avg;
        }
        start = end;
    }
    r
}

/// Pearson (linear) correlation of `x` and `y`. NaN if the lengths are below
/// 2, either series is constant, or a value is NaN.
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "pearson: series of different lengths");
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}

/// Spearman rank correlation of `x` and `y`: the Pearson correlation of their
/// [`ranks`] (average ranks for ties). NaN if fewer than 2 values, if either
/// series is constant, or if a value is NaN.
///
/// # Panics
/// If `x.len() != y.len()`.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "spearman: series of different lengths");
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return f64::NAN;
    }
    pearson(&ranks(x), &ranks(y))
}

/// The `d × d` Spearman correlation matrix of the columns of `sample`
/// (`n × d`).
pub fn spearman_matrix(sample: &Matrix) -> Matrix {
    let d = sample.cols();
    let ranked: Vec<Vec<f64>> = (0..d).map(|j| ranks(&sample.column(j))).collect();
    let mut c = Matrix::identity(d);
    for i in 0..d {
        for j in i + 1..d {
            let r = pearson(&ranked[i], &ranked[j]);
            c[(i, j)] = r;
            c[(j, i)] = r;
        }
    }
    c
}

/// Validates a Spearman target and returns the lower-triangular factor `L`
/// of its normal-score (Pearson) equivalent, `L Lᵀ = 2 sin(π S / 6)`.
fn normal_factor(target: &Matrix) -> Result<Matrix, CorrError> {
    validate_correlation(target)?;
    let d = target.rows();
    let mut r = Matrix::identity(d);
    for i in 0..d {
        for j in 0..d {
            if i != j {
                r[(i, j)] = spearman_to_pearson(target[(i, j)]);
            }
        }
    }
    if let Some(l) = cholesky_psd(&r, 1e-12) {
        return Ok(l);
    }
    // Nearest correlation matrix by eigenvalue clipping.
    let (values, vectors) = symmetric_eigen(&r);
    let mut c = Matrix::zeros(d, d);
    for i in 0..d {
        for j in 0..d {
            c[(i, j)] = (0..d)
                .map(|k| vectors[(i, k)] * values[k].max(0.0) * vectors[(j, k)])
                .sum();
        }
    }
    let scale: Vec<f64> = (0..d).map(|i| c[(i, i)].sqrt()).collect();
    for i in 0..d {
        for j in 0..d {
            c[(i, j)] /= scale[i] * scale[j];
        }
    }
    Ok(cholesky_psd(&c, 1e-9).expect("eigenvalue-clipped matrix is PSD"))
}

/// Reorders the values within each column of `samples` (`n × d`) so that the
/// Spearman correlations of the columns approach `target` (Iman & Conover
/// 1982). Each column keeps exactly its values; only their pairing changes.
///
/// Method: a score matrix `M` whose columns are independent random
/// permutations (from `rng`, column by column) of the van der Waerden scores
/// `Φ⁻¹(k / (n + 1))`, `k = 1..=n`; `T = M (P F⁻¹)ᵀ`, where `P Pᵀ` is the
/// normal-score equivalent of the target and `F Fᵀ` the sample correlation
/// of `M` (the correction that makes the correlation of `T` exactly
/// `P Pᵀ`; skipped if `M`'s correlation is singular, e.g. `n ≤ d`); finally
/// each column of `samples` is rearranged to have the rank order of the same
/// column of `T`. The input order of `samples` does not matter.
///
/// Sampling error of the achieved rank correlations is of order
/// `(1 − ρ²)/√n`.
///
/// Reference: R. L. Iman and W. J. Conover, "A distribution-free approach to
/// inducing rank correlation among input variables", Commun. Statist.
/// Simul. Comput. 11 (1982) 311–334.
///
/// # Errors
/// If `target` is not a valid correlation matrix ([`validate_correlation`])
/// or is not `d × d`.
pub fn iman_conover(
    samples: &mut Matrix,
    target: &Matrix,
    rng: &mut Xoshiro256pp,
) -> Result<(), CorrError> {
    let d = samples.cols();
    if target.rows() != d || target.cols() != d {
        validate_correlation(target)?;
        return Err(CorrError::DimensionMismatch {
            expected: d,
            got: target.rows(),
        });
    }
    let p = normal_factor(target)?;
    let n = samples.rows();
    if n < 2 || d < 2 {
        return Ok(());
    }
    let scores: Vec<f64> = (1..=n)
        .map(|k| norm_ppf(k as f64 / (n + 1) as f64))
        .collect();
    let mut m = Matrix::zeros(n, d);
    let mut col = scores.clone();
    for j in 0..d {
        col.copy_from_slice(&scores);
        shuffle(&mut col, rng);
        m.set_column(j, &col);
    }
    // Sample correlation of the scores (all columns share mean and variance).
    let mut e = Matrix::identity(d);
    let columns: Vec<Vec<f64>> = (0..d).map(|j| m.column(j)).collect();
    for i in 0..d {
        for j in i + 1..d {
            let r = pearson(&columns[i], &columns[j]);
            e[(i, j)] = r;
            e[(j, i)] = r;
        }
    }
    let q = match cholesky_psd(&e, 1e-12).and_then(|f| lower_inverse(&f)) {
        Some(f_inv) => matmul(&p, &f_inv),
        None => p,
    };
    let t = matmul(&m, &q.transpose());
    let mut order: Vec<usize> = (0..n).collect();
    for j in 0..d {
        let mut sorted = samples.column(j);
        sorted.sort_by(f64::total_cmp);
        order.sort_by(|&a, &b| t[(a, j)].total_cmp(&t[(b, j)]).then(a.cmp(&b)));
        let mut new = vec![0.0; n];
        for (rank, &row) in order.iter().enumerate() {
            new[row] = sorted[rank];
        }
        samples.set_column(j, &new);
    }
    Ok(())
}

/// A Gaussian copula with a target Spearman correlation, applied one row of
/// independent uniforms at a time.
///
/// `apply` maps `u` to `Φ(L Φ⁻¹(u))`, where `L Lᵀ` is the normal-score
/// equivalent `2 sin(π S / 6)` of the Spearman target `S`. Each output
/// column is again uniform on (0, 1) (clamped to `[2^-53, 1 − 2^-53]`), and
/// the Spearman correlation of outputs `i` and `j` is `S_ij` in the limit of
/// many rows. Output 0 equals input 0 up to rounding.
#[derive(Clone, Debug)]
pub struct GaussianCopula {
    l: Matrix,
}

impl GaussianCopula {
    /// Prepares the copula for a `d × d` Spearman target.
    ///
    /// # Errors
    /// If `target` is not a valid correlation matrix ([`validate_correlation`]).
    pub fn new(target: &Matrix) -> Result<Self, CorrError> {
        Ok(Self {
            l: normal_factor(target)?,
        })
    }

    /// Number of variables.
    pub fn dims(&self) -> usize {
        self.l.rows()
    }

    /// Correlates one row: `out = Φ(L Φ⁻¹(u))`.
    ///
    /// # Panics
    /// If `u.len()` or `out.len()` differs from `dims()`.
    pub fn apply(&self, u: &[f64], out: &mut [f64]) {
        let d = self.dims();
        assert!(
            u.len() == d && out.len() == d,
            "GaussianCopula::apply: wrong length"
        );
        const LO: f64 = 1.0 / (1u64 << 53) as f64;
        // Normal scores in `out`, then row i of L·z from the last row up:
        // row i reads only scores 0..=i, which are not overwritten yet
        // (no allocation per replicate).
        for (o, &v) in out.iter_mut().zip(u) {
            *o = norm_ppf(v);
        }
        for i in (0..d).rev() {
            let zi: f64 = (0..=i).map(|k| self.l[(i, k)] * out[k]).sum();
            out[i] = norm_cdf(zi).clamp(LO, 1.0 - LO);
        }
    }
}

/// Applies a [`GaussianCopula`] with Spearman target `target` to every row of
/// `uniforms` (`n × d` independent uniforms in (0, 1)) and returns the
/// correlated uniforms.
///
/// # Errors
/// If `target` is not a valid `d × d` correlation matrix.
pub fn gaussian_copula(uniforms: &Matrix, target: &Matrix) -> Result<Matrix, CorrError> {
    let copula = GaussianCopula::new(target)?;
    if copula.dims() != uniforms.cols() {
        return Err(CorrError::DimensionMismatch {
            expected: uniforms.cols(),
            got: copula.dims(),
        });
    }
    let mut out = Matrix::zeros(uniforms.rows(), uniforms.cols());
    for i in 0..uniforms.rows() {
        copula.apply(uniforms.row(i), out.row_mut(i));
    }
    Ok(out)
}
