//! Small dense linear algebra for correlation matrices (d of a few dozen at
//! most): Cholesky for semi-definite matrices, symmetric eigenvalues by
//! cyclic Jacobi, triangular inverse.

use super::Matrix;

/// Lower-triangular `L` with `L Lᵀ = a` for a symmetric positive
/// semi-definite `a`.
///
/// A pivot below `tol` (relative to the diagonal entry) is treated as zero
/// and its column below the diagonal set to zero, so singular PSD matrices
/// (a perfect correlation) factor too. Returns `None` if a pivot is below
/// `-tol` (the matrix is not PSD within the tolerance).
pub(crate) fn cholesky_psd(a: &Matrix, tol: f64) -> Option<Matrix> {
    let n = a.rows();
    let mut l = Matrix::zeros(n, n);
    for j in 0..n {
        let mut s = a[(j, j)];
        for k in 0..j {
            s -= l[(j, k)] * l[(j, k)];
        }
        let scale = a[(j, j)].abs().max(1.0);
        if s < -tol * scale {
            return None;
        }
        if s <= tol * scale {
            // Zero pivot: column j of L is zero below the diagonal. For a PSD
            // matrix the remaining entries of the column are (near) zero too.
            continue;
        }
        let d = s.sqrt();
        l[(j, j)] = d;
        for i in j + 1..n {
            let mut s = a[(i, j)];
            for k in 0..j {
                s -= l[(i, k)] * l[(j, k)];
            }
            l[(i, j)] = s / d;
        }
    }
    Some(l)
}

/// Eigenvalues (ascending) and eigenvectors (columns of the returned matrix,
/// in the same order) of a symmetric matrix, by the cyclic Jacobi method.
pub(crate) fn symmetric_eigen(a: &Matrix) -> (Vec<f64>, Matrix) {
    let n = a.rows();
    let mut m = a.clone();
    let mut v = Matrix::identity(n);
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                off += m[(i, j)] * m[(i, j)];
            }
        }
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[(p, q)];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[(q, q)] - m[(p, p)]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m[(k, p)];
                    let mkq = m[(k, q)];
                    m[(k, p)] = c * mkp - s * mkq;
                    m[(k, q)] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[(p, k)];
                    let mqk = m[(q, k)];
                    m[(p, k)] = c * mpk - s * mqk;
                    m[(q, k)] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[(k, p)];
                    let vkq = v[(k, q)];
                    v[(k, p)] = c * vkp - s * vkq;
                    v[(k, q)] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[(i, i)].total_cmp(&m[(j, j)]));
    let values = order.iter().map(|&i| m[(i, i)]).collect();
    let mut vectors = Matrix::zeros(n, n);
    for (new, &old) in order.iter().enumerate() {
        for k in 0..n {
            vectors[(k, new)] = v[(k, old)];
        }
    }
    (values, vectors)
}

/// Inverse of a lower-triangular matrix with a non-zero diagonal; `None` if
/// a diagonal entry is zero.
pub(crate) fn lower_inverse(l: &Matrix) -> Option<Matrix> {
    let n = l.rows();
    let mut inv = Matrix::zeros(n, n);
    for j in 0..n {
        if l[(j, j)] == 0.0 {
            return None;
        }
        inv[(j, j)] = 1.0 / l[(j, j)];
        for i in j + 1..n {
            let mut s = 0.0;
            for k in j..i {
                s -= l[(i, k)] * inv[(k, j)];
            }
            inv[(i, j)] = s / l[(i, i)];
        }
    }
    Some(inv)
}

/// The product `a · b`.
pub(crate) fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
    assert_eq!(a.cols(), b.rows());
    let mut c = Matrix::zeros(a.rows(), b.cols());
    for i in 0..a.rows() {
        for k in 0..a.cols() {
            let aik = a[(i, k)];
            for j in 0..b.cols() {
                c[(i, j)] += aik * b[(k, j)];
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_of_known_matrix() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3.
        let a = Matrix::from_rows(&[[2.0, 1.0], [1.0, 2.0]]).unwrap();
        let (vals, vecs) = symmetric_eigen(&a);
        assert!((vals[0] - 1.0).abs() < 1e-12 && (vals[1] - 3.0).abs() < 1e-12);
        // A v = λ v for the first eigenvector.
        let v0 = [vecs[(0, 0)], vecs[(1, 0)]];
        assert!((2.0 * v0[0] + v0[1] - v0[0]).abs() < 1e-12);
    }

    #[test]
    fn cholesky_of_singular_psd_and_inverse() {
        let a = Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0]]).unwrap();
        let l = cholesky_psd(&a, 1e-12).unwrap();
        assert_eq!(matmul(&l, &l.transpose()), a);
        let b = Matrix::from_rows(&[[4.0, 2.0], [2.0, 3.0]]).unwrap();
        let l = cholesky_psd(&b, 1e-12).unwrap();
        let li = lower_inverse(&l).unwrap();
        let id = matmul(&l, &li);
        for i in 0..2 {
            for j in 0..2 {
                let e = if i == j { 1.0 } else { 0.0 };
                assert!((id[(i, j)] - e).abs() < 1e-15);
            }
        }
        let bad = Matrix::from_rows(&[[1.0, 2.0], [2.0, 1.0]]).unwrap();
        assert!(cholesky_psd(&bad, 1e-12).is_none());
    }
}
