//! Tests of the generic uncertainty-quantification mathematics (`bordersim::uq`):
//! sampling designs, randomized QMC, rank correlation, Sobol indices, tornado
//! swings and sequential stopping. Every test uses fixed seeds; tolerances are
//! stated next to each assertion.

use bordersim::rng::{Xoshiro256pp, key_hash};
use bordersim::stats::Moments;
use bordersim::uq::Matrix;
use bordersim::uq::convergence::{
    BatchSchedule, StopDecision, StoppingRule, relative_standard_error, replicates_for_rse,
};
use bordersim::uq::correlation::{
    CorrError, gaussian_copula, iman_conover, ranks, spearman, spearman_matrix,
    validate_correlation,
};
use bordersim::uq::designs::{
    SOBOL_MAX_DIM, SOBOL_ZERO, ScrambledSobol, SobolSequence, antithetic, latin_hypercube,
    monte_carlo, rqmc_estimate, scrambled_sobol, sobol,
};
use bordersim::uq::norm_ppf;
use bordersim::uq::sobol_indices::{
    BaseDesign, RowRole, SaltelliDesign, SobolResult, jansen_from_evaluations, sobol_analysis,
};
use bordersim::uq::tornado::{TornadoDesign, rank_correlations};
use bordersim::uq::{evaluate, open_unit};
use std::f64::consts::PI;

fn rng(seed: u64) -> Xoshiro256pp {
    Xoshiro256pp::from_seed_u64(seed)
}

fn assert_open_unit(m: &Matrix) {
    for &u in m.as_slice() {
        assert!(u > 0.0 && u < 1.0, "value {u} outside (0, 1)");
    }
}

/// Asserts that column `j` of `m` has exactly one point in each of the
/// `m.rows()` strata `[k/n, (k+1)/n)`.
fn assert_stratified(m: &Matrix, j: usize) {
    let n = m.rows();
    let mut hits = vec![0u32; n];
    for u in m.column(j) {
        hits[(u * n as f64).floor() as usize] += 1;
    }
    assert!(
        hits.iter().all(|&h| h == 1),
        "column {j} not stratified: {hits:?}"
    );
}

// ---------------------------------------------------------------------------
// Designs
// ---------------------------------------------------------------------------

#[test]
fn monte_carlo_is_uniform_in_open_interval() {
    let m = monte_carlo(10_000, 3, &mut rng(1));
    assert_eq!((m.rows(), m.cols()), (10_000, 3));
    assert_open_unit(&m);
    for j in 0..3 {
        let mean = m.column(j).iter().sum::<f64>() / 10_000.0;
        // sd of the mean is 0.289 / 100 = 0.0029; 4 sd.
        assert!((mean - 0.5).abs() < 0.012, "column {j} mean {mean}");
    }
}

#[test]
fn open_unit_extremes_stay_inside() {
    assert_eq!(open_unit(0), 2f64.powi(-53));
    assert_eq!(open_unit(u64::MAX), 1.0 - 2f64.powi(-53));
    assert!(open_unit(u64::MAX) < 1.0);
}

#[test]
fn latin_hypercube_hits_every_stratum_once() {
    for (n, d, seed) in [(1000, 5, 2), (7, 3, 3), (1, 2, 4), (4096, 2, 5)] {
        let m = latin_hypercube(n, d, &mut rng(seed));
        assert_open_unit(&m);
        for j in 0..d {
            assert_stratified(&m, j);
        }
    }
    // Columns are independent permutations, not copies of one another.
    let m = latin_hypercube(1000, 2, &mut rng(6));
    assert!(spearman(&m.column(0), &m.column(1)).abs() < 0.15);
}

#[test]
fn antithetic_pairs_mirror_exactly() {
    let m = antithetic(1000, 4, &mut rng(7));
    assert_open_unit(&m);
    for i in (0..1000).step_by(2) {
        for j in 0..4 {
            assert_eq!(m[(i, j)] + m[(i + 1, j)], 1.0, "pair {i}, column {j}");
            assert_eq!(m[(i + 1, j)], 1.0 - m[(i, j)]);
        }
    }
    // The even rows are independent uniforms: their mean is near 0.5
    // (sd of the mean 0.289 / sqrt(2000) = 0.0065; 4 sd).
    let even: f64 = (0..1000)
        .step_by(2)
        .flat_map(|i| m.row(i).to_vec())
        .sum::<f64>()
        / 2000.0;
    assert!((even - 0.5).abs() < 0.026);
}

#[test]
#[should_panic(expected = "even n")]
fn antithetic_rejects_odd_n() {
    antithetic(3, 2, &mut rng(1));
}

#[test]
fn sobol_matches_the_known_sequence() {
    // Gray-code order, as Joe & Kuo's and SciPy's generators; point 0 is the
    // origin, returned as SOBOL_ZERO = 2^-53 to stay inside (0, 1).
    let expected = [
        [0.0, 0.0, 0.0],
        [0.5, 0.5, 0.5],
        [0.75, 0.25, 0.25],
        [0.25, 0.75, 0.75],
        [0.375, 0.375, 0.625],
        [0.875, 0.875, 0.125],
        [0.625, 0.125, 0.875],
        [0.125, 0.625, 0.375],
    ];
    let m = sobol(8, 3, 0);
    for (i, row) in expected.iter().enumerate() {
        for (j, &e) in row.iter().enumerate() {
            let e = if e == 0.0 { SOBOL_ZERO } else { e };
            assert_eq!(m[(i, j)], e, "point {i}, dimension {j}");
        }
    }
    // skip = 1 starts at (0.5, 0.5); the rows are the same points.
    let s = sobol(7, 2, 1);
    assert_eq!(s.row(0), &[0.5, 0.5]);
    assert_eq!(s.row(1), &[0.75, 0.25]);
    assert_eq!(s.row(2), &[0.25, 0.75]);
    // High dimensions against SciPy 1.17's unscrambled generator (the same
    // new-joe-kuo-6.21201 numbers), exact dyadic values.
    let big = SobolSequence::new(SOBOL_MAX_DIM);
    let mut x = vec![0.0; SOBOL_MAX_DIM];
    big.point(12345, &mut x);
    assert_eq!(x[63], 0.46563720703125);
    assert_eq!(x[1023], 0.57708740234375);
    big.point(1000, &mut x);
    assert_eq!(x[511], 0.3955078125);
    big.point(777, &mut x);
    assert_eq!(x[9], 0.3232421875);
    // Random access agrees with sequential generation from any skip.
    let seq = sobol(100, 40, 37);
    let s40 = SobolSequence::new(40);
    let mut p = vec![0.0; 40];
    for i in 0..100 {
        s40.point(37 + i as u64, &mut p);
        assert_eq!(seq.row(i), p.as_slice(), "row {i}");
    }
}

#[test]
fn unscrambled_sobol_first_power_of_two_is_stratified() {
    let m = sobol(1024, 64, 0);
    assert_open_unit(&m);
    for j in 0..64 {
        assert_stratified(&m, j);
    }
}

#[test]
fn scrambled_sobol_inside_and_stratified() {
    for seed in [11, 12, 13] {
        let m = scrambled_sobol(1 << 10, 20, &mut rng(seed));
        assert_open_unit(&m);
        for j in 0..20 {
            assert_stratified(&m, j);
        }
        // The first two dimensions form a (0, m, 2)-net: every dyadic box of
        // area 2^-10 holds exactly one point.
        for a in 0..=10 {
            let (nx, ny) = (1usize << a, 1usize << (10 - a));
            let mut hits = vec![0u32; nx * ny];
            for i in 0..m.rows() {
                let bx = (m[(i, 0)] * nx as f64) as usize;
                let by = (m[(i, 1)] * ny as f64) as usize;
                hits[bx * ny + by] += 1;
            }
            assert!(hits.iter().all(|&h| h == 1), "boxes 2^-{a} x 2^-{}", 10 - a);
        }
    }
    // A scramble differs from the plain sequence and from another scramble,
    // and random access matches the matrix.
    let s = ScrambledSobol::new(5, &mut rng(14));
    let m = s.matrix(64, 0);
    assert_ne!(m, sobol(64, 5, 0));
    assert_ne!(m, ScrambledSobol::new(5, &mut rng(15)).matrix(64, 0));
    let mut p = vec![0.0; 5];
    for k in [0u64, 1, 17, 63] {
        s.point(k, &mut p);
        assert_eq!(m.row(k as usize), p.as_slice());
    }
    assert_eq!(s.matrix(10, 54).row(0), m.row(54));
}

#[test]
fn scrambled_sobol_points_are_uniform() {
    // Each point of a scramble is uniform on (0,1)^d: the coordinate of point
    // 5 over 1000 independent scrambles has mean 0.5 (sd 0.0091; 4 sd).
    let mut r = rng(16);
    let mut sum = 0.0;
    let mut p = vec![0.0; 3];
    for _ in 0..1000 {
        ScrambledSobol::new(3, &mut r).point(5, &mut p);
        sum += p[2];
    }
    assert!((sum / 1000.0 - 0.5).abs() < 0.037);
}

/// ∫_{[0,1]^5} Π (1 + (x_i − 1/2)) dx = 1; variance (13/12)^5 − 1 ≈ 0.493.
fn smooth_product(x: &[f64]) -> f64 {
    x.iter().map(|&u| 1.0 + (u - 0.5)).product()
}

#[test]
fn rqmc_error_falls_faster_than_monte_carlo() {
    let (n, d, reps) = (1 << 12, 5, 20);
    let mut r = rng(21);
    let mut mc_se = 0.0;
    let mut qmc_se = 0.0;
    for _ in 0..reps {
        let m = monte_carlo(n, d, &mut r);
        let mc = m.iter_rows().map(smooth_product).sum::<f64>() / n as f64;
        mc_se += (mc - 1.0) * (mc - 1.0);
        let q = scrambled_sobol(n, d, &mut r);
        let qmc = q.iter_rows().map(smooth_product).sum::<f64>() / n as f64;
        qmc_se += (qmc - 1.0) * (qmc - 1.0);
    }
    let mc_rmse = (mc_se / reps as f64).sqrt();
    let qmc_rmse = (qmc_se / reps as f64).sqrt();
    eprintln!("n = 2^12, d = 5, 20 repetitions: MC RMSE {mc_rmse:.3e}, RQMC RMSE {qmc_rmse:.3e}");
    // MC theory: sqrt(0.493 / 4096) = 0.011.
    assert!(mc_rmse > 0.005 && mc_rmse < 0.02, "MC RMSE {mc_rmse}");
    assert!(qmc_rmse * 10.0 < mc_rmse, "RQMC {qmc_rmse} vs MC {mc_rmse}");

    // The RQMC estimator's own error bar is honest.
    let est = rqmc_estimate(smooth_product, n, d, 16, &mut rng(22));
    assert_eq!(est.replicate_means.len(), 16);
    assert!(est.standard_error > 0.0 && est.standard_error < mc_rmse / 10.0);
    assert!((est.mean - 1.0).abs() < 4.0 * est.standard_error, "{est:?}");
}

// ---------------------------------------------------------------------------
// Sobol indices
// ---------------------------------------------------------------------------

const ISHIGAMI_A: f64 = 7.0;
const ISHIGAMI_B: f64 = 0.1;

fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|&v| PI * (2.0 * v - 1.0)).collect();
    x[0].sin() + ISHIGAMI_A * x[1].sin().powi(2) + ISHIGAMI_B * x[2].powi(4) * x[0].sin()
}

/// Analytic (first, total) indices of the Ishigami function.
fn ishigami_indices() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (ISHIGAMI_A, ISHIGAMI_B);
    let pi4 = PI.powi(4);
    let pi8 = PI.powi(8);
    let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

fn check_indices(res: &SobolResult, first: &[f64], total: &[f64], tol: f64, check_ci: bool) {
    for i in 0..first.len() {
        assert!(
            (res.first[i] - first[i]).abs() <= tol,
            "S{i} = {} vs {} (tol {tol})",
            res.first[i],
            first[i]
        );
        assert!(
            (res.total[i] - total[i]).abs() <= tol,
            "ST{i} = {} vs {} (tol {tol})",
            res.total[i],
            total[i]
        );
        if check_ci {
            let (lo, hi) = res.first_ci[i];
            assert!(
                lo <= first[i] && first[i] <= hi,
                "S{i} CI ({lo}, {hi}) misses {}",
                first[i]
            );
            let (lo, hi) = res.total_ci[i];
            assert!(
                lo <= total[i] && total[i] <= hi,
                "ST{i} CI ({lo}, {hi}) misses {}",
                total[i]
            );
        }
    }
}

#[test]
fn ishigami_indices_match_analytic_values() {
    let (first, total) = ishigami_indices();
    // The textbook values.
    assert!((first[0] - 0.3139).abs() < 1e-4 && (first[1] - 0.4424).abs() < 1e-4);
    assert!((total[0] - 0.5576).abs() < 1e-4 && (total[2] - 0.2437).abs() < 1e-4);

    // N = 2^14 base rows (16,384 x 5 = 81,920 evaluations), scrambled Sobol
    // base design, 200 bootstrap resamples, 95 % percentile intervals.
    let res = sobol_analysis(
        3,
        1 << 14,
        1,
        BaseDesign::ScrambledSobol,
        |x, out| out[0] = ishigami(x),
        &mut rng(31),
        200,
        0.95,
    );
    let r = &res[0];
    eprintln!("Ishigami N = 2^14, scrambled Sobol:");
    for i in 0..3 {
        eprintln!(
            "  x{}: S = {:.4} [{:.4}, {:.4}] (exact {:.4});  ST = {:.4} [{:.4}, {:.4}] (exact {:.4})",
            i + 1,
            r.first[i],
            r.first_ci[i].0,
            r.first_ci[i].1,
            first[i],
            r.total[i],
            r.total_ci[i].0,
            r.total_ci[i].1,
            total[i]
        );
    }
    let v_exact = ISHIGAMI_A * ISHIGAMI_A / 8.0
        + ISHIGAMI_B * PI.powi(4) / 5.0
        + ISHIGAMI_B * ISHIGAMI_B * PI.powi(8) / 18.0
        + 0.5;
    assert!(
        (r.variance - v_exact).abs() < 0.02 * v_exact,
        "V {} vs {v_exact}",
        r.variance
    );
    assert!((r.mean - 3.5).abs() < 0.05, "mean {}", r.mean); // E f = a/2
    check_indices(r, &first, &total, 0.02, true);
    assert_eq!((r.n_base, r.bootstrap, r.level), (1 << 14, 200, 0.95));
}

#[test]
fn ishigami_with_monte_carlo_base_design() {
    // Plain MC, N = 2^13: a looser tolerance (Jansen's MC standard error here
    // is 0.01 to 0.02), intervals must still cover.
    let (first, total) = ishigami_indices();
    let res = sobol_analysis(
        3,
        1 << 13,
        1,
        BaseDesign::MonteCarlo,
        |x, out| out[0] = ishigami(x),
        &mut rng(32),
        200,
        0.95,
    );
    let r = &res[0];
    eprintln!(
        "Ishigami N = 2^13, plain MC: S = {:.4?}, ST = {:.4?}",
        r.first, r.total
    );
    check_indices(&res[0], &first, &total, 0.04, true);
}

#[test]
fn linear_model_indices_are_exact_shares_for_several_outputs() {
    // y1 = Σ c_i x_i, y2 = x_3 - 2 x_0 with independent uniforms: S_i = S_Ti =
    // c_i² / Σ c_j².
    let c = [1.0, 2.0, 3.0, 0.5];
    let sum_sq: f64 = c.iter().map(|v| v * v).sum();
    let exact1: Vec<f64> = c.iter().map(|v| v * v / sum_sq).collect();
    let exact2 = [0.8, 0.0, 0.0, 0.2];
    let model = |x: &[f64], out: &mut [f64]| {
        out[0] = x.iter().zip(&c).map(|(a, b)| a * b).sum();
        out[1] = x[3] - 2.0 * x[0];
    };
    for (design, tol) in [
        (BaseDesign::ScrambledSobol, 0.005),
        (BaseDesign::MonteCarlo, 0.03),
    ] {
        let res = sobol_analysis(4, 1 << 12, 2, design, model, &mut rng(33), 0, 0.95);
        assert_eq!(res.len(), 2);
        check_indices(&res[0], &exact1, &exact1, tol, false);
        check_indices(&res[1], &exact2, &exact2, tol, false);
        // A linear model has no interactions: S_Ti − S_i is ~0.
        for i in 0..4 {
            assert!((res[0].total[i] - res[0].first[i]).abs() < tol);
        }
    }
}

#[test]
fn bootstrap_intervals_cover_at_about_the_nominal_rate() {
    // 40 independent MC analyses of a linear model at N = 512: each of the 4
    // total indices' 90 % intervals should cover the truth about 36 times in
    // 40. Binomial(40, 0.9) is below 30 with probability < 0.5 %.
    let c = [1.0, 2.0, 3.0, 0.5];
    let sum_sq: f64 = c.iter().map(|v| v * v).sum();
    let mut covered = [0usize; 4];
    let mut r = rng(34);
    for _ in 0..40 {
        let res = sobol_analysis(
            4,
            512,
            1,
            BaseDesign::MonteCarlo,
            |x, out| out[0] = x.iter().zip(&c).map(|(a, b)| a * b).sum(),
            &mut r,
            200,
            0.9,
        );
        for i in 0..4 {
            let exact = c[i] * c[i] / sum_sq;
            let (lo, hi) = res[0].total_ci[i];
            covered[i] += usize::from(lo <= exact && exact <= hi);
        }
    }
    eprintln!("90 % interval coverage in 40 runs: {covered:?}");
    assert!(covered.iter().all(|&k| k >= 30), "{covered:?}");
}

#[test]
fn saltelli_design_layout() {
    let mut r = rng(35);
    let a = monte_carlo(4, 3, &mut r);
    let b = monte_carlo(4, 3, &mut r);
    let s = SaltelliDesign::from_base(&a, &b);
    assert_eq!((s.rows(), s.dims(), s.n_base()), (20, 3, 4));
    for j in 0..4 {
        assert_eq!(s.row(j * 5), a.row(j));
        assert_eq!(s.row(j * 5 + 1), b.row(j));
        assert_eq!(s.role(j * 5), (j, RowRole::A));
        assert_eq!(s.role(j * 5 + 1), (j, RowRole::B));
        assert_eq!(s.noise_key(j * 5 + 1), 2 * j as u64 + 1);
        for i in 0..3 {
            let row = s.row(j * 5 + 2 + i);
            for k in 0..3 {
                let want = if k == i { b[(j, k)] } else { a[(j, k)] };
                assert_eq!(row[k], want);
            }
            assert_eq!(s.role(j * 5 + 2 + i), (j, RowRole::AB(i)));
            assert_eq!(s.noise_key(j * 5 + 2 + i), 2 * j as u64);
        }
    }
}

#[test]
fn stochastic_model_with_noise_keyed_by_the_design() {
    // y = x0 + 2 x1 + σ z with intrinsic noise z ~ N(0, 1), σ² = 1/12:
    // V = (1 + 4 + 1)/12, S0 = ST0 = 1/6, S1 = ST1 = 4/6. The noise is drawn
    // from a stream keyed by the row's noise key, as the simulator would.
    let sigma = (1.0f64 / 12.0).sqrt();
    let s = SaltelliDesign::new(2, 1 << 13, BaseDesign::ScrambledSobol, &mut rng(36));
    let key = key_hash("test.noise");
    let model = |x: &[f64], noise_index: u64| {
        let z = norm_ppf(Xoshiro256pp::stream(99, noise_index, key).uniform());
        x[0] + 2.0 * x[1] + sigma * z
    };
    let keyed = Matrix::from_vec(
        s.rows(),
        1,
        (0..s.rows())
            .map(|r| model(s.row(r), s.noise_key(r)))
            .collect(),
    );
    let res = jansen_from_evaluations(2, &keyed, 0, 0.95, &mut rng(37));
    let exact = [1.0 / 6.0, 4.0 / 6.0];
    check_indices(&res[0], &exact, &exact, 0.03, false);
    assert!(res[0].first_ci[0].0.is_nan(), "no bootstrap, no interval");
    // Fresh noise in every row instead inflates each total index by the
    // noise's share (1/6).
    let naive = Matrix::from_vec(
        s.rows(),
        1,
        (0..s.rows()).map(|r| model(s.row(r), r as u64)).collect(),
    );
    let res = jansen_from_evaluations(2, &naive, 0, 0.95, &mut rng(37));
    assert!(res[0].total[0] > exact[0] + 0.1, "{:?}", res[0].total);
}

#[test]
fn sobol_analysis_is_deterministic_and_thread_count_independent() {
    let run = || {
        sobol_analysis(
            3,
            1 << 10,
            2,
            BaseDesign::ScrambledSobol,
            |x, out| {
                out[0] = ishigami(x);
                out[1] = x[0] * x[1];
            },
            &mut rng(41),
            200,
            0.9,
        )
    };
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let one = pool(1).install(run);
    let two = pool(2).install(run);
    let three = pool(3).install(run);
    let bits = |r: &Vec<SobolResult>| format!("{r:?}");
    assert_eq!(bits(&one), bits(&two));
    assert_eq!(bits(&one), bits(&three));
    // A different seed gives a different answer.
    let other = sobol_analysis(
        3,
        1 << 10,
        1,
        BaseDesign::ScrambledSobol,
        |x, out| out[0] = ishigami(x),
        &mut rng(42),
        0,
        0.9,
    );
    assert_ne!(other[0].first, one[0].first);
}

#[test]
fn designs_are_deterministic() {
    assert_eq!(
        monte_carlo(50, 3, &mut rng(5)),
        monte_carlo(50, 3, &mut rng(5))
    );
    assert_eq!(
        latin_hypercube(50, 3, &mut rng(5)),
        latin_hypercube(50, 3, &mut rng(5))
    );
    assert_eq!(
        antithetic(50, 3, &mut rng(5)),
        antithetic(50, 3, &mut rng(5))
    );
    assert_eq!(
        scrambled_sobol(50, 3, &mut rng(5)),
        scrambled_sobol(50, 3, &mut rng(5))
    );
    assert_ne!(
        latin_hypercube(50, 3, &mut rng(5)),
        latin_hypercube(50, 3, &mut rng(6))
    );
    let d = monte_carlo(100, 2, &mut rng(8));
    let f = |x: &[f64], out: &mut [f64]| {
        out[0] = x[0] + x[1];
        out[1] = x[0] * x[1];
    };
    let y = evaluate(&d, 2, f);
    for i in 0..100 {
        assert_eq!(y.row(i), &[d[(i, 0)] + d[(i, 1)], d[(i, 0)] * d[(i, 1)]]);
    }
}

// ---------------------------------------------------------------------------
// Correlation
// ---------------------------------------------------------------------------

fn target3() -> Matrix {
    Matrix::from_rows(&[[1.0, 0.7, -0.4], [0.7, 1.0, 0.2], [-0.4, 0.2, 1.0]]).unwrap()
}

fn assert_spearman_close(sample: &Matrix, target: &Matrix, tol: f64) {
    let got = spearman_matrix(sample);
    for i in 0..target.rows() {
        for j in 0..target.cols() {
            assert!(
                (got[(i, j)] - target[(i, j)]).abs() <= tol,
                "Spearman ({i}, {j}) = {} vs target {} (tol {tol})",
                got[(i, j)],
                target[(i, j)]
            );
        }
    }
}

#[test]
fn iman_conover_hits_target_and_keeps_marginals() {
    let n = 5000;
    let mut r = rng(51);
    // Three different marginals: exponential, Latin-hypercube uniform,
    // lognormal.
    let u = latin_hypercube(n, 3, &mut r);
    let mut x = Matrix::zeros(n, 3);
    for i in 0..n {
        x[(i, 0)] = -(1.0 - u[(i, 0)]).ln();
        x[(i, 1)] = u[(i, 1)];
        x[(i, 2)] = (0.5 * norm_ppf(u[(i, 2)])).exp();
    }
    let before: Vec<Vec<f64>> = (0..3)
        .map(|j| {
            let mut c = x.column(j);
            c.sort_by(f64::total_cmp);
            c
        })
        .collect();
    let target = target3();
    iman_conover(&mut x, &target, &mut r).unwrap();
    for (j, sorted) in before.iter().enumerate() {
        let mut c = x.column(j);
        c.sort_by(f64::total_cmp);
        assert_eq!(&c, sorted, "column {j} marginal changed");
    }
    assert_spearman_close(&x, &target, 0.03);
    eprintln!("Iman-Conover achieved Spearman: {:?}", spearman_matrix(&x));
    // The LHS column is still stratified (values unchanged, only reordered).
    assert_stratified(&x, 1);
}

#[test]
fn iman_conover_handles_perfect_correlation_and_identity() {
    let mut x = monte_carlo(2000, 2, &mut rng(52));
    let perfect = Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0]]).unwrap();
    iman_conover(&mut x, &perfect, &mut rng(53)).unwrap();
    assert!(spearman(&x.column(0), &x.column(1)) > 0.999);
    let mut y = monte_carlo(2000, 3, &mut rng(54));
    iman_conover(&mut y, &Matrix::identity(3), &mut rng(55)).unwrap();
    assert_spearman_close(&y, &Matrix::identity(3), 0.03);
    // Wrong size.
    let err = iman_conover(&mut y, &perfect, &mut rng(56)).unwrap_err();
    assert!(matches!(
        err,
        CorrError::DimensionMismatch {
            expected: 3,
            got: 2
        }
    ));
}

#[test]
fn gaussian_copula_hits_target_with_uniform_marginals() {
    let n = 5000;
    let u = monte_carlo(n, 3, &mut rng(57));
    let target = target3();
    let v = gaussian_copula(&u, &target).unwrap();
    assert_open_unit(&v);
    assert_spearman_close(&v, &target, 0.03);
    // Each output column is still uniform: Kolmogorov distance below 0.03
    // (the 1 % critical value at n = 5000 is 0.023).
    for j in 0..3 {
        let mut c = v.column(j);
        c.sort_by(f64::total_cmp);
        let ks = c
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                (x - i as f64 / n as f64)
                    .abs()
                    .max((x - (i + 1) as f64 / n as f64).abs())
            })
            .fold(0.0, f64::max);
        assert!(ks < 0.03, "column {j} KS distance {ks}");
    }
    // Column 0 is passed through.
    for i in 0..n {
        assert!((v[(i, 0)] - u[(i, 0)]).abs() < 1e-12);
    }
}

#[test]
fn validate_correlation_reports_each_problem() {
    assert_eq!(validate_correlation(&target3()), Ok(()));
    assert_eq!(validate_correlation(&Matrix::identity(4)), Ok(()));

    let not_psd =
        Matrix::from_rows(&[[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]).unwrap();
    let err = validate_correlation(&not_psd).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("positive semi-definite"), "{msg}");
    match err {
        CorrError::NotPositiveSemiDefinite {
            min_eigenvalue,
            involved,
        } => {
            // Eigenvalues of this matrix: 1.9, 1.9 and -0.8.
            assert!((min_eigenvalue + 0.8).abs() < 1e-9, "{min_eigenvalue}");
            assert_eq!(involved.len(), 3);
        }
        other => panic!("unexpected {other:?}"),
    }
    // GaussianCopula and Iman-Conover refuse it too.
    assert!(gaussian_copula(&monte_carlo(10, 3, &mut rng(1)), &not_psd).is_err());

    let asym = Matrix::from_rows(&[[1.0, 0.5], [0.4, 1.0]]).unwrap();
    let err = validate_correlation(&asym).unwrap_err();
    assert!(matches!(err, CorrError::NotSymmetric { i: 0, j: 1, .. }));
    assert!(err.to_string().contains("not symmetric"), "{err}");

    let diag = Matrix::from_rows(&[[1.0, 0.5], [0.5, 0.9]]).unwrap();
    let err = validate_correlation(&diag).unwrap_err();
    assert_eq!(err, CorrError::Diagonal { i: 1, value: 0.9 });
    assert!(err.to_string().contains("must be 1"), "{err}");

    let range = Matrix::from_rows(&[[1.0, 1.2], [1.2, 1.0]]).unwrap();
    let err = validate_correlation(&range).unwrap_err();
    assert!(matches!(err, CorrError::OutOfRange { i: 0, j: 1, .. }));
    assert!(err.to_string().contains("[-1, 1]"), "{err}");

    let nan = Matrix::from_rows(&[[1.0, f64::NAN], [f64::NAN, 1.0]]).unwrap();
    assert_eq!(
        validate_correlation(&nan),
        Err(CorrError::NotFinite { i: 0, j: 1 })
    );

    let rect = Matrix::zeros(2, 3);
    assert_eq!(
        validate_correlation(&rect),
        Err(CorrError::NotSquare { rows: 2, cols: 3 })
    );
    // Ragged rows cannot form a matrix at all.
    assert!(Matrix::from_rows(&[vec![1.0, 0.0], vec![0.0]]).is_none());
    // Singular but PSD is valid.
    assert_eq!(
        validate_correlation(&Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0]]).unwrap()),
        Ok(())
    );
}

#[test]
fn spearman_uses_average_ranks() {
    assert_eq!(ranks(&[10.0, 20.0, 20.0, 30.0]), vec![1.0, 2.5, 2.5, 4.0]);
    assert_eq!(ranks(&[3.0, 1.0, 2.0]), vec![3.0, 1.0, 2.0]);
    // x ranks (1, 2.5, 2.5, 4), y ranks (1, 3, 2, 4): r = 4.5 / sqrt(4.5 · 5).
    let rho = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
    assert!((rho - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-15, "{rho}");
    // Monotone transforms give ±1.
    let x: Vec<f64> = (1..50).map(|i| i as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| v.powi(3)).collect();
    let z: Vec<f64> = x.iter().map(|v| (-v).exp()).collect();
    assert!((spearman(&x, &y) - 1.0).abs() < 1e-15);
    assert!((spearman(&x, &z) + 1.0).abs() < 1e-15);
    assert!(spearman(&x, &vec![1.0; 49]).is_nan());
    assert!(spearman(&[1.0], &[2.0]).is_nan());
}

// ---------------------------------------------------------------------------
// Tornado
// ---------------------------------------------------------------------------

#[test]
fn tornado_ranks_inputs_by_swing() {
    // y = 3 x1 + x2 (+ 0 · x3), x_i uniform on (0, 1): swings 3 · 0.8 = 2.4,
    // 0.8 and 0.
    let t = TornadoDesign::new(3, 0.1, 0.9);
    assert_eq!(t.points().rows(), 7);
    assert_eq!(t.points().row(0), &[0.5, 0.5, 0.5]);
    assert_eq!(t.points().row(t.row_of(1, false)), &[0.5, 0.1, 0.5]);
    assert_eq!(t.points().row(t.row_of(1, true)), &[0.5, 0.9, 0.5]);
    let y = evaluate(t.points(), 2, |x, out| {
        out[0] = 3.0 * x[0] + x[1];
        out[1] = -x[2];
    });
    let swings = t.swings(&y);
    let s = &swings[0];
    assert_eq!(s.iter().map(|w| w.input).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert!((s[0].swing - 2.4).abs() < 1e-12 && (s[1].swing - 0.8).abs() < 1e-12);
    assert_eq!(s[2].swing, 0.0);
    assert!((s[0].low - 0.8).abs() < 1e-12 && (s[0].high - 3.2).abs() < 1e-12);
    assert_eq!(s[0].base, 2.0);
    // Output 2 depends on x3 only, decreasingly: low > high.
    let s = &swings[1];
    assert_eq!(s[0].input, 2);
    assert!(s[0].low > s[0].high);
    assert_eq!((s[1].input, s[2].input), (0, 1)); // ties in input order
}

#[test]
fn rank_correlations_have_sensible_sign_and_size() {
    let n = 2000;
    let x = monte_carlo(n, 3, &mut rng(61));
    let y = evaluate(&x, 2, |x, out| {
        out[0] = 3.0 * x[0] + x[1];
        out[1] = -(x[2].powi(3));
    });
    let c = rank_correlations(&x, &y);
    assert_eq!((c.rows(), c.cols()), (3, 2));
    eprintln!("rank correlations (inputs x outputs): {c:?}");
    // Pearson correlations of the linear output: 3/√10 ≈ 0.95 and 1/√10 ≈
    // 0.32; Spearman is close to those. ±0.06 covers sampling error.
    assert!((c[(0, 0)] - 0.95).abs() < 0.06, "{}", c[(0, 0)]);
    assert!((c[(1, 0)] - 0.32).abs() < 0.06, "{}", c[(1, 0)]);
    assert!(c[(2, 0)].abs() < 0.06);
    assert!((c[(2, 1)] + 1.0).abs() < 1e-12); // monotone decreasing
    assert!(c[(0, 1)].abs() < 0.06 && c[(1, 1)].abs() < 0.06);
}

// ---------------------------------------------------------------------------
// Convergence
// ---------------------------------------------------------------------------

fn moments(values: &[f64]) -> Moments {
    let mut m = Moments::new();
    for &v in values {
        m.push(v);
    }
    m
}

#[test]
fn relative_standard_error_and_stopping() {
    // mean 10, sd 2, n 100: se 0.2, RSE 0.02.
    assert!((relative_standard_error(10.0, 2.0, 100, 0.0) - 0.02).abs() < 1e-15);
    assert!((relative_standard_error(-10.0, 2.0, 100, 0.0) - 0.02).abs() < 1e-15);
    assert_eq!(relative_standard_error(0.0, 1.0, 100, 0.0), f64::INFINITY);
    assert!((relative_standard_error(0.0, 1.0, 100, 5.0) - 0.02).abs() < 1e-15);
    assert_eq!(relative_standard_error(0.0, 0.0, 100, 0.0), 0.0);
    assert_eq!(relative_standard_error(10.0, 2.0, 1, 0.0), f64::INFINITY);
    assert!(relative_standard_error(f64::NAN, 2.0, 10, 0.0).is_nan());
    // Needed replicates for 1 %: (2 / (0.01 · 10))² = 400.
    assert!((replicates_for_rse(10.0, 2.0, 0.01, 0.0) - 400.0).abs() < 1e-9);

    let rule = StoppingRule {
        target_rse: 0.05,
        abs_floor: 0.0,
        min_replicates: 4,
        max_replicates: 1000,
    };
    let tight = moments(&[10.0, 10.5, 9.5, 10.2, 9.8]); // RSE ≈ 0.016
    let loose = moments(&[1.0, 20.0, 3.0, 15.0, 2.0]); // RSE ≈ 0.43
    let constant = moments(&[0.0; 5]);
    assert_eq!(
        rule.decide(5, &[tight.clone(), constant.clone()]),
        StopDecision::Converged
    );
    assert_eq!(
        rule.decide(5, &[tight.clone(), loose.clone()]),
        StopDecision::Continue
    );
    assert_eq!(
        rule.decide(1000, &[tight.clone(), loose.clone()]),
        StopDecision::ReachedCap
    );
    assert_eq!(
        rule.decide(3, std::slice::from_ref(&tight)),
        StopDecision::Continue
    );
    assert_eq!(
        rule.worst(&[tight.clone(), loose.clone(), constant])
            .unwrap()
            .0,
        1
    );
}

#[test]
fn batch_schedule_grows_and_respects_the_cap() {
    let s = BatchSchedule {
        initial: 1000,
        growth: 2.0,
        granularity: 256,
    };
    assert_eq!(s.next_batch(0, None, 100_000), 1024); // rounded up to 4 x 256
    assert_eq!(s.next_batch(1024, None, 100_000), 1024); // doubles
    assert_eq!(s.next_batch(1024, Some(1500.0), 100_000), 512); // to 1536
    assert_eq!(s.next_batch(1024, Some(1e9), 100_000), 1024); // growth-limited
    assert_eq!(s.next_batch(1024, Some(10.0), 100_000), 256); // at least one step
    assert_eq!(s.next_batch(99_000, None, 100_000), 1000); // capped
    assert_eq!(s.next_batch(100_000, None, 100_000), 0);
    // A run driven by the schedule and the rule stops at a fixed count.
    let rule = StoppingRule {
        target_rse: 0.01,
        abs_floor: 0.0,
        min_replicates: 1000,
        max_replicates: 1 << 20,
    };
    let run = || {
        let mut r = rng(71);
        let mut m = Moments::new();
        let mut done = 0u64;
        loop {
            let needed = replicates_for_rse(m.mean(), m.sd(), rule.target_rse, 0.0);
            let batch = s.next_batch(done, (done > 0).then_some(needed), rule.max_replicates);
            for _ in 0..batch {
                m.push(1.0 + r.uniform()); // mean 1.5, sd 0.289
            }
            done += batch;
            match rule.decide(done, std::slice::from_ref(&m)) {
                StopDecision::Continue => continue,
                d => return (done, d),
            }
        }
    };
    let (n, decision) = run();
    assert_eq!(decision, StopDecision::Converged);
    assert_eq!(run(), (n, decision));
    // (0.289 / (0.01 · 1.5))² ≈ 370 < 1000 = min_replicates: stops at 1024.
    assert_eq!(n, 1024);
}
