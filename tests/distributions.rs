//! Tests of `bordersim::dist`: parsing, validation, numerics (golden
//! values, cdf/quantile round trips, Kolmogorov–Smirnov against both our
//! own quantile and independent `rand_distr` samplers), range checks and a
//! no-panic fuzz test.

use bordersim::dist::{
    DiscreteParams, Dist, DistSpec, GammaParams, LognormalParams, NormalParams, PertParams,
    TriangularParams, UniformParams, WeibullParams,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct Doc {
    x: DistSpec,
}

fn parse(value: &str) -> Result<DistSpec, String> {
    toml::from_str::<Doc>(&format!("x = {value}"))
        .map(|d| d.x)
        .map_err(|e| e.to_string())
}

fn dist(value: &str) -> Dist {
    let spec = parse(value).unwrap_or_else(|e| panic!("{value}: {e}"));
    Dist::from_spec(&spec).unwrap_or_else(|e| panic!("{value}: {e}"))
}

fn parse_err(value: &str) -> String {
    match parse(value) {
        Ok(spec) => panic!("{value} parsed as {spec:?}, expected an error"),
        Err(e) => e,
    }
}

fn validation_err(value: &str) -> (String, String) {
    let spec = parse(value).unwrap_or_else(|e| panic!("{value}: {e}"));
    match Dist::from_spec(&spec) {
        Ok(d) => panic!("{value} validated as {d:?}, expected an error"),
        Err(e) => (e.field, e.message),
    }
}

fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(f64::MIN_POSITIVE);
    assert!(
        err <= rel,
        "{what}: got {got:e}, want {want:e}, rel err {err:e} > {rel:e}"
    );
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

#[test]
fn parses_constants() {
    assert_eq!(parse("5").unwrap(), DistSpec::Constant(5.0));
    assert_eq!(parse("-2").unwrap(), DistSpec::Constant(-2.0));
    assert_eq!(parse("0.25").unwrap(), DistSpec::Constant(0.25));
    assert_eq!(parse("1e3").unwrap(), DistSpec::Constant(1000.0));
    assert_eq!(parse("{ constant = 5 }").unwrap(), DistSpec::Constant(5.0));
    assert_eq!(
        parse("{ constant = 2.5 }").unwrap(),
        DistSpec::Constant(2.5)
    );
    assert_eq!(DistSpec::constant(3.0), DistSpec::Constant(3.0));
}

#[test]
fn parses_every_family_with_integers_and_floats() {
    assert_eq!(
        parse("{ uniform = { min = 1, max = 3.5 } }").unwrap(),
        DistSpec::Uniform(UniformParams { min: 1.0, max: 3.5 })
    );
    assert_eq!(
        parse("{ triangular = { min = 1, mode = 2, max = 5 } }").unwrap(),
        DistSpec::Triangular(TriangularParams {
            min: 1.0,
            mode: 2.0,
            max: 5.0
        })
    );
    assert_eq!(
        parse("{ pert = { min = 1, mode = 2, max = 5 } }").unwrap(),
        DistSpec::Pert(PertParams {
            min: 1.0,
            mode: 2.0,
            max: 5.0,
            lambda: None
        })
    );
    assert_eq!(
        parse("{ pert = { min = 1, mode = 2, max = 5, lambda = 6 } }").unwrap(),
        DistSpec::Pert(PertParams {
            min: 1.0,
            mode: 2.0,
            max: 5.0,
            lambda: Some(6.0)
        })
    );
    assert_eq!(
        parse("{ normal = { mean = 0, sd = 1 } }").unwrap(),
        DistSpec::Normal(NormalParams {
            mean: 0.0,
            sd: 1.0,
            min: None,
            max: None
        })
    );
    assert_eq!(
        parse("{ normal = { mean = 0.5, sd = 0.1, min = 0, max = 1 } }").unwrap(),
        DistSpec::Normal(NormalParams {
            mean: 0.5,
            sd: 0.1,
            min: Some(0.0),
            max: Some(1.0)
        })
    );
    assert_eq!(
        parse("{ lognormal = { median = 21, p90 = 60 } }").unwrap(),
        DistSpec::Lognormal(LognormalParams {
            median: Some(21.0),
            p90: Some(60.0),
            mu: None,
            sigma: None
        })
    );
    assert_eq!(
        parse("{ lognormal = { mu = 3.0, sigma = 0.8 } }").unwrap(),
        DistSpec::Lognormal(LognormalParams {
            median: None,
            p90: None,
            mu: Some(3.0),
            sigma: Some(0.8)
        })
    );
    assert_eq!(
        parse("{ gamma = { shape = 2, scale = 3 } }").unwrap(),
        DistSpec::Gamma(GammaParams {
            shape: 2.0,
            scale: Some(3.0),
            mean: None
        })
    );
    assert_eq!(
        parse("{ gamma = { shape = 2, mean = 6 } }").unwrap(),
        DistSpec::Gamma(GammaParams {
            shape: 2.0,
            scale: None,
            mean: Some(6.0)
        })
    );
    assert_eq!(
        parse("{ weibull = { shape = 1.5, scale = 10 } }").unwrap(),
        DistSpec::Weibull(WeibullParams {
            shape: 1.5,
            scale: 10.0
        })
    );
    assert_eq!(
        parse("{ empirical = [6, 9, 10.5, 3, 26] }").unwrap(),
        DistSpec::Empirical(vec![6.0, 9.0, 10.5, 3.0, 26.0])
    );
    assert_eq!(
        parse("{ discrete = { values = [1, 7, 30], weights = [0.5, 0.3, 0.2] } }").unwrap(),
        DistSpec::Discrete(DiscreteParams {
            values: vec![1.0, 7.0, 30.0],
            weights: vec![0.5, 0.3, 0.2]
        })
    );
}

#[test]
fn parses_non_inline_tables() {
    let doc: Doc = toml::from_str("[x.lognormal]\nmedian = 21\np90 = 60\n").unwrap();
    assert_eq!(
        doc.x,
        parse("{ lognormal = { median = 21, p90 = 60 } }").unwrap()
    );
}

#[test]
fn parse_errors_are_clear() {
    let e = parse_err("{ foo = { a = 1 } }");
    assert!(
        e.contains(
            "unknown distribution `foo`; expected one of constant, uniform, triangular, pert, \
             normal, lognormal, gamma, weibull, empirical, discrete"
        ),
        "{e}"
    );
    let e = parse_err("{ lognorm = { median = 21, p90 = 60 } }");
    assert!(e.contains("unknown distribution `lognorm`"), "{e}");

    let one_key = "a distribution is written as one key naming its family, \
                   e.g. { lognormal = { median = 21, p90 = 60 } }";
    for v in [
        "{}",
        "{ uniform = { min = 1, max = 2 }, normal = { mean = 0, sd = 1 } }",
        "{ min = 1, max = 3 }",
        "{ constant = 1, uniform = { min = 1, max = 2 } }",
    ] {
        let e = parse_err(v);
        assert!(e.contains(one_key), "{v}: {e}");
    }

    for v in ["\"abc\"", "\"5\"", "true"] {
        let e = parse_err(v);
        assert!(
            e.contains("expected a number or a distribution table"),
            "{v}: {e}"
        );
    }
    assert!(parse_err("\"5\"").contains("without quotes"));
    let e = parse_err("[1, 2, 3]");
    assert!(
        e.contains("expected a number or a distribution table"),
        "{e}"
    );
    assert!(e.contains("empirical"), "{e}");

    // Parameter tables reject unknown and missing fields.
    let e = parse_err("{ uniform = { min = 1, max = 3, mode = 2 } }");
    assert!(e.contains("unknown field `mode`"), "{e}");
    let e = parse_err("{ uniform = { min = 1 } }");
    assert!(e.contains("missing field `max`"), "{e}");
    let e = parse_err("{ lognormal = { median = 21, p95 = 60 } }");
    assert!(e.contains("unknown field `p95`"), "{e}");
    let e = parse_err("{ normal = { mean = 0, sd = \"big\" } }");
    assert!(e.contains("invalid type"), "{e}");
}

#[test]
fn serialize_round_trips() {
    let values = [
        "5",
        "-0.25",
        "{ uniform = { min = 1, max = 3 } }",
        "{ triangular = { min = 1, mode = 2, max = 5 } }",
        "{ pert = { min = 1, mode = 2, max = 5 } }",
        "{ pert = { min = 1, mode = 2, max = 5, lambda = 3 } }",
        "{ normal = { mean = 0, sd = 1 } }",
        "{ normal = { mean = 0, sd = 1, min = -1 } }",
        "{ normal = { mean = 0, sd = 1, min = -1, max = 2.5 } }",
        "{ lognormal = { median = 21, p90 = 60 } }",
        "{ lognormal = { mu = 3.0, sigma = 0.8 } }",
        "{ gamma = { shape = 2, scale = 3 } }",
        "{ gamma = { shape = 2, mean = 6 } }",
        "{ weibull = { shape = 1.5, scale = 10 } }",
        "{ empirical = [6, 9, 10, 3, 26] }",
        "{ discrete = { values = [1, 7, 30], weights = [0.5, 0.3, 0.2] } }",
    ];
    for v in values {
        let spec = parse(v).unwrap();
        let doc = Doc { x: spec.clone() };
        let text = toml::to_string(&doc).unwrap();
        let back: Doc = toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back.x, spec, "TOML round trip of {v} via {text}");

        let json = serde_json::to_string(&spec).unwrap();
        let back: DistSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spec, "JSON round trip of {v} via {json}");
    }
    // The written form is the documented syntax.
    let json =
        serde_json::to_string(&parse("{ uniform = { min = 1, max = 3 } }").unwrap()).unwrap();
    assert_eq!(json, r#"{"uniform":{"min":1.0,"max":3.0}}"#);
    assert_eq!(
        serde_json::to_string(&DistSpec::Constant(5.0)).unwrap(),
        "5.0"
    );
    let json = serde_json::to_string(&parse("{ normal = { mean = 0, sd = 1 } }").unwrap()).unwrap();
    assert_eq!(json, r#"{"normal":{"mean":0.0,"sd":1.0}}"#);
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

#[test]
fn validation_errors_name_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        ("nan", "", "finite"),
        ("inf", "", "finite"),
        ("{ constant = -inf }", "", "finite"),
        (
            "{ uniform = { min = nan, max = 3 } }",
            "uniform.min",
            "finite",
        ),
        (
            "{ uniform = { min = 3, max = 1 } }",
            "uniform.max",
            "max (1) must be at least min (3)",
        ),
        (
            "{ uniform = { min = -1e308, max = 1e308 } }",
            "uniform.max",
            "too wide",
        ),
        (
            "{ triangular = { min = 1, mode = 1, max = 1 } }",
            "triangular.max",
            "greater than min",
        ),
        (
            "{ triangular = { min = 1, mode = 7, max = 5 } }",
            "triangular.mode",
            "between min (1) and max (5)",
        ),
        (
            "{ triangular = { min = 1, mode = 0, max = 5 } }",
            "triangular.mode",
            "between",
        ),
        (
            "{ triangular = { min = 1, mode = inf, max = 5 } }",
            "triangular.mode",
            "finite",
        ),
        (
            "{ pert = { min = 5, mode = 5, max = 1 } }",
            "pert.max",
            "greater than min",
        ),
        (
            "{ pert = { min = 1, mode = 6, max = 5 } }",
            "pert.mode",
            "between",
        ),
        (
            "{ pert = { min = 1, mode = 2, max = 5, lambda = 0 } }",
            "pert.lambda",
            "greater than 0",
        ),
        (
            "{ pert = { min = 1, mode = 2, max = 5, lambda = -1 } }",
            "pert.lambda",
            "greater than 0",
        ),
        (
            "{ pert = { min = 1, mode = 2, max = 5, lambda = 1e7 } }",
            "pert.lambda",
            "at most",
        ),
        (
            "{ normal = { mean = 0, sd = 0 } }",
            "normal.sd",
            "sd must be greater than 0",
        ),
        (
            "{ normal = { mean = 0, sd = -1 } }",
            "normal.sd",
            "greater than 0",
        ),
        (
            "{ normal = { mean = nan, sd = 1 } }",
            "normal.mean",
            "finite",
        ),
        (
            "{ normal = { mean = 0, sd = 1, min = 1, max = 1 } }",
            "normal.max",
            "greater than min",
        ),
        (
            "{ normal = { mean = 0, sd = 1, min = 2, max = 1 } }",
            "normal.max",
            "greater than min",
        ),
        (
            "{ normal = { mean = 0, sd = 1, max = -inf } }",
            "normal.max",
            "finite",
        ),
        (
            "{ normal = { mean = 0, sd = 1, min = 8 } }",
            "normal",
            "holds only",
        ),
        (
            "{ normal = { mean = 0, sd = 1, min = -20, max = -19 } }",
            "normal",
            "holds only",
        ),
        (
            "{ lognormal = { median = 0, p90 = 60 } }",
            "lognormal.median",
            "greater than 0",
        ),
        (
            "{ lognormal = { median = -3, p90 = 60 } }",
            "lognormal.median",
            "greater than 0",
        ),
        (
            "{ lognormal = { median = 21, p90 = 10 } }",
            "lognormal.p90",
            "p90 (10) must be greater than median (21)",
        ),
        (
            "{ lognormal = { median = 21, p90 = 21 } }",
            "lognormal.p90",
            "greater than median",
        ),
        (
            "{ lognormal = { median = 21, p90 = nan } }",
            "lognormal.p90",
            "finite",
        ),
        (
            "{ lognormal = { mu = 3, sigma = 0 } }",
            "lognormal.sigma",
            "greater than 0",
        ),
        (
            "{ lognormal = { mu = inf, sigma = 1 } }",
            "lognormal.mu",
            "finite",
        ),
        (
            "{ lognormal = { median = 21, sigma = 0.8 } }",
            "lognormal",
            "not a mix",
        ),
        (
            "{ lognormal = { median = 21, p90 = 60, mu = 3, sigma = 1 } }",
            "lognormal",
            "not a mix",
        ),
        (
            "{ lognormal = { median = 21 } }",
            "lognormal.p90",
            "missing p90",
        ),
        (
            "{ lognormal = { p90 = 21 } }",
            "lognormal.median",
            "missing median",
        ),
        (
            "{ lognormal = { mu = 2 } }",
            "lognormal.sigma",
            "missing sigma",
        ),
        (
            "{ lognormal = { sigma = 2 } }",
            "lognormal.mu",
            "missing mu",
        ),
        (
            "{ lognormal = {} }",
            "lognormal",
            "either { median, p90 } or { mu, sigma }",
        ),
        (
            "{ gamma = { shape = 0, scale = 1 } }",
            "gamma.shape",
            "greater than 0",
        ),
        (
            "{ gamma = { shape = 2, scale = -1 } }",
            "gamma.scale",
            "greater than 0",
        ),
        (
            "{ gamma = { shape = 2, mean = 0 } }",
            "gamma.mean",
            "greater than 0",
        ),
        (
            "{ gamma = { shape = 2, scale = 1, mean = 2 } }",
            "gamma",
            "not both",
        ),
        ("{ gamma = { shape = 2 } }", "gamma", "missing scale"),
        (
            "{ weibull = { shape = 0, scale = 1 } }",
            "weibull.shape",
            "greater than 0",
        ),
        (
            "{ weibull = { shape = 1, scale = -2 } }",
            "weibull.scale",
            "greater than 0",
        ),
        (
            "{ weibull = { shape = inf, scale = 1 } }",
            "weibull.shape",
            "finite",
        ),
        ("{ empirical = [] }", "empirical", "empty"),
        ("{ empirical = [1, 2, nan] }", "empirical[2]", "finite"),
        (
            "{ discrete = { values = [], weights = [] } }",
            "discrete.values",
            "empty",
        ),
        (
            "{ discrete = { values = [1, 2], weights = [1] } }",
            "discrete.weights",
            "1 weights for 2 values",
        ),
        (
            "{ discrete = { values = [1, inf], weights = [1, 1] } }",
            "discrete.values[1]",
            "finite",
        ),
        (
            "{ discrete = { values = [1, 2], weights = [1, -1] } }",
            "discrete.weights[1]",
            "negative",
        ),
        (
            "{ discrete = { values = [1, 2], weights = [1, nan] } }",
            "discrete.weights[1]",
            "finite",
        ),
        (
            "{ discrete = { values = [1, 2], weights = [0, 0] } }",
            "discrete.weights",
            "positive",
        ),
    ];
    for &(value, field, message) in cases {
        let (f, m) = validation_err(value);
        assert_eq!(f, field, "{value}: field (message: {m})");
        assert!(
            m.contains(message),
            "{value}: message {m:?} lacks {message:?}"
        );
    }
}

#[test]
fn list_length_is_limited() {
    let spec = DistSpec::Empirical(vec![1.0; 1_000_001]);
    let e = Dist::from_spec(&spec).unwrap_err();
    assert_eq!(e.field, "empirical");
    assert!(e.message.contains("at most 1000000"), "{}", e.message);
    assert!(Dist::from_spec(&DistSpec::Empirical(vec![1.0; 1_000_000])).is_ok());

    let spec = DistSpec::Discrete(DiscreteParams {
        values: vec![1.0; 1_000_001],
        weights: vec![1.0; 1_000_001],
    });
    let e = Dist::from_spec(&spec).unwrap_err();
    assert_eq!(e.field, "discrete.values");
    assert!(e.message.contains("at most"), "{}", e.message);
}

#[test]
fn error_display_includes_the_field() {
    let (field, message) = validation_err("{ normal = { mean = 0, sd = 0 } }");
    let spec = parse("{ normal = { mean = 0, sd = 0 } }").unwrap();
    let e = Dist::from_spec(&spec).unwrap_err();
    assert_eq!(e.to_string(), format!("{field}: {message}"));
}

#[test]
fn degenerate_cases_are_constants() {
    assert_eq!(dist("5").as_constant(), Some(5.0));
    assert_eq!(dist("{ constant = -2 }").as_constant(), Some(-2.0));
    assert_eq!(Dist::constant(7.5).as_constant(), Some(7.5));
    assert_eq!(
        dist("{ uniform = { min = 3, max = 3 } }").as_constant(),
        Some(3.0)
    );
    assert_eq!(dist("{ empirical = [4, 4, 4] }").as_constant(), Some(4.0));
    assert_eq!(dist("{ empirical = [4] }").as_constant(), Some(4.0));
    assert_eq!(
        dist("{ discrete = { values = [1, 2, 3], weights = [0, 1, 0] } }").as_constant(),
        Some(2.0)
    );
    assert_eq!(
        dist("{ uniform = { min = 3, max = 4 } }").as_constant(),
        None
    );
    assert_eq!(
        dist("{ normal = { mean = 3, sd = 1 } }").as_constant(),
        None
    );
    let d = dist("{ uniform = { min = 3, max = 3 } }");
    for u in [0.0, 0.3, 1.0] {
        assert_eq!(d.quantile(u), 3.0);
    }
    assert_eq!(d.mean(), 3.0);
}

#[test]
fn describe_and_family() {
    let cases = [
        ("5", "constant 5", "constant"),
        ("{ constant = 0.25 }", "constant 0.25", "constant"),
        (
            "{ uniform = { min = 1, max = 3 } }",
            "uniform(1, 3)",
            "uniform",
        ),
        (
            "{ triangular = { min = 1, mode = 2, max = 5 } }",
            "triangular(min=1, mode=2, max=5)",
            "triangular",
        ),
        (
            "{ pert = { min = 1, mode = 2, max = 5 } }",
            "pert(min=1, mode=2, max=5)",
            "pert",
        ),
        (
            "{ pert = { min = 1, mode = 2, max = 5, lambda = 3 } }",
            "pert(min=1, mode=2, max=5, lambda=3)",
            "pert",
        ),
        (
            "{ normal = { mean = 0, sd = 1.5 } }",
            "normal(mean=0, sd=1.5)",
            "normal",
        ),
        (
            "{ normal = { mean = 0.5, sd = 0.1, min = 0, max = 1 } }",
            "normal(mean=0.5, sd=0.1, min=0, max=1)",
            "normal",
        ),
        (
            "{ lognormal = { median = 21, p90 = 60 } }",
            "lognormal(median=21, p90=60)",
            "lognormal",
        ),
        (
            "{ lognormal = { mu = 3.0, sigma = 0.8 } }",
            "lognormal(mu=3, sigma=0.8)",
            "lognormal",
        ),
        (
            "{ gamma = { shape = 2, scale = 3 } }",
            "gamma(shape=2, scale=3)",
            "gamma",
        ),
        (
            "{ gamma = { shape = 2, mean = 6 } }",
            "gamma(shape=2, mean=6)",
            "gamma",
        ),
        (
            "{ weibull = { shape = 1.5, scale = 10 } }",
            "weibull(shape=1.5, scale=10)",
            "weibull",
        ),
        (
            "{ empirical = [6, 9, 10, 3, 26] }",
            "empirical(5 values from 3 to 26)",
            "empirical",
        ),
        (
            "{ discrete = { values = [30, 1, 7], weights = [2, 5, 3] } }",
            "discrete(1: 50%, 7: 30%, 30: 20%)",
            "discrete",
        ),
    ];
    for (value, description, family) in cases {
        let d = dist(value);
        assert_eq!(d.describe(), description, "{value}");
        assert_eq!(d.to_string(), description, "{value}");
        assert_eq!(d.family(), family, "{value}");
    }
}

// ---------------------------------------------------------------------------
// Golden values
// ---------------------------------------------------------------------------

#[test]
fn normal_golden_values() {
    let d = dist("{ normal = { mean = 0, sd = 1 } }");
    // Reference values computed with mpmath at 50 digits.
    assert_close(d.quantile(0.975), 1.959963984540054, 1e-12, "z_0.975");
    assert_close(d.quantile(0.9), 1.2815515655446004, 1e-12, "z_0.9");
    assert_close(d.quantile(0.3), -0.524_400_512_708_040_8, 1e-12, "z_0.3");
    assert_close(d.quantile(1e-10), -6.361_340_902_404_056, 1e-12, "z_1e-10");
    assert_close(d.quantile(1e-300), -37.047_096_299_361_2, 1e-12, "z_1e-300");
    assert_eq!(d.quantile(0.5), 0.0);
    assert_close(d.quantile(1.0 - 0.025), 1.959963984540054, 1e-12, "z upper");
    assert_close(d.cdf(-5.0), 2.866_515_718_791_939e-7, 1e-12, "Φ(-5)");
    assert_close(d.cdf(-37.0), 5.725_571_222_524_577e-300, 1e-11, "Φ(-37)");
    assert_close(d.cdf(1.5), 0.933_192_798_731_141_9, 1e-14, "Φ(1.5)");
    assert_eq!(d.cdf(0.0), 0.5);

    let d = dist("{ normal = { mean = 10, sd = 2 } }");
    assert_close(
        d.quantile(0.975),
        10.0 + 2.0 * 1.959963984540054,
        1e-12,
        "scaled",
    );
    assert_eq!(d.mean(), 10.0);
    assert_eq!(d.support(), (f64::NEG_INFINITY, f64::INFINITY));
}

#[test]
fn truncated_normal_golden_values() {
    // Half-normal: median Φ⁻¹(0.75), mean sqrt(2/π).
    let d = dist("{ normal = { mean = 0, sd = 1, min = 0 } }");
    assert_close(
        d.quantile(0.5),
        0.674_489_750_196_081_7,
        1e-12,
        "half-normal median",
    );
    assert_close(
        d.mean(),
        (2.0 / std::f64::consts::PI).sqrt(),
        1e-12,
        "half-normal mean",
    );
    assert_eq!(d.support(), (0.0, f64::INFINITY));
    assert_eq!(d.quantile(0.0), 0.0);
    assert_eq!(d.cdf(-1.0), 0.0);

    // Far in the upper tail: only 2.9e-7 of the mass remains.
    let d = dist("{ normal = { mean = 0, sd = 1, min = 5 } }");
    assert_close(d.quantile(0.5), 5.132_018_332_044_298, 1e-12, "tail median");
    assert_close(d.mean(), 5.186_503_967_125_842, 1e-12, "tail mean");
    assert_eq!(d.quantile(0.0), 5.0);
    assert!(d.quantile(1.0).is_finite());

    // The mirror image in the lower tail.
    let d = dist("{ normal = { mean = 0, sd = 1, max = -5 } }");
    assert_close(
        d.quantile(0.5),
        -5.132_018_332_044_298,
        1e-12,
        "lower tail median",
    );

    // Two-sided: endpoints are attained at u = 0 and u = 1.
    let d = dist("{ normal = { mean = 0.5, sd = 0.1, min = 0, max = 1 } }");
    assert_eq!(d.quantile(0.0), 0.0);
    assert_eq!(d.quantile(1.0), 1.0);
    assert_close(d.quantile(0.5), 0.5, 1e-12, "symmetric median");
    assert_close(d.mean(), 0.5, 1e-12, "symmetric mean");
}

#[test]
fn lognormal_golden_values() {
    let d = dist("{ lognormal = { median = 21, p90 = 60 } }");
    assert_close(d.quantile(0.5), 21.0, 1e-9, "median");
    assert_close(d.quantile(0.9), 60.0, 1e-9, "p90");
    assert_close(d.cdf(21.0), 0.5, 1e-12, "cdf(median)");
    assert_close(d.cdf(60.0), 0.9, 1e-12, "cdf(p90)");
    let sigma = (60.0_f64 / 21.0).ln() / 1.2815515655446004;
    assert_close(d.mean(), 21.0 * (0.5 * sigma * sigma).exp(), 1e-12, "mean");
    assert_eq!(d.cdf(0.0), 0.0);
    assert_eq!(d.cdf(-1.0), 0.0);

    let d = dist("{ lognormal = { mu = 3.0, sigma = 0.8 } }");
    assert_close(d.quantile(0.5), 3.0_f64.exp(), 1e-12, "median from mu");
    assert_close(
        d.quantile(0.975),
        (3.0 + 0.8 * 1.959963984540054_f64).exp(),
        1e-12,
        "q0.975",
    );
    assert_close(d.mean(), (3.0 + 0.32_f64).exp(), 1e-12, "mean");
}

#[test]
fn gamma_golden_values() {
    // Reference quantiles computed with mpmath at 50 digits.
    let cases = [
        (2.0, 0.5, 1.678_346_990_016_660_7),
        (0.5, 0.95, 1.920_729_410_347_062_3),
        (0.1, 0.5, 5.933_911_044_602_262e-4),
        (0.1, 0.9, 0.266_154_553_738_837_86),
        (50.0, 0.99, 67.903_361_585_513_4),
        (3.0, 0.1, 1.102_065_328_249_321_1),
    ];
    for (shape, u, want) in cases {
        let d = Dist::from_spec(&DistSpec::Gamma(GammaParams {
            shape,
            scale: Some(1.0),
            mean: None,
        }))
        .unwrap();
        assert_close(d.quantile(u), want, 1e-10, &format!("gamma({shape}) q{u}"));
        assert_close(d.cdf(want), u, 1e-10, &format!("gamma({shape}) cdf"));
    }
    // Scale and the { shape, mean } form.
    let d = dist("{ gamma = { shape = 2, scale = 3 } }");
    assert_close(
        d.quantile(0.5),
        3.0 * 1.678_346_990_016_660_7,
        1e-10,
        "scaled median",
    );
    assert_close(d.mean(), 6.0, 1e-15, "mean");
    let d2 = dist("{ gamma = { shape = 2, mean = 6 } }");
    assert_close(d2.quantile(0.3), d.quantile(0.3), 1e-14, "mean form");
    // Shape 1 is the exponential distribution.
    let d = dist("{ gamma = { shape = 1, scale = 2 } }");
    for u in [1e-9, 0.1, 0.5, 0.9, 0.999_999] {
        assert_close(d.quantile(u), -2.0 * (-u).ln_1p(), 1e-12, "exponential");
    }
    assert_eq!(d.quantile(0.0), 0.0);
}

#[test]
fn pert_golden_values() {
    // min 0, mode 0.25, max 1, lambda 4 is Beta(2, 4), whose CDF is
    // 1 - (1-x)^5 - 5x(1-x)^4.
    let d = dist("{ pert = { min = 0, mode = 0.25, max = 1 } }");
    for x in [0.01_f64, 0.1, 0.25, 0.5, 0.75, 0.99] {
        let want = 1.0 - (1.0 - x).powi(5) - 5.0 * x * (1.0 - x).powi(4);
        assert_close(d.cdf(x), want, 1e-13, &format!("Beta(2,4) cdf({x})"));
    }
    assert_close(
        d.quantile(0.5),
        0.313_810_170_455_697_4,
        1e-10,
        "Beta(2,4) median",
    );
    assert_close(d.mean(), 1.0 / 3.0, 1e-15, "Beta(2,4) mean");

    // Mean (min + 4 mode + max) / 6; rescaled to [min, max].
    let d = dist("{ pert = { min = 1, mode = 2, max = 5 } }");
    assert_close(d.mean(), (1.0 + 8.0 + 5.0) / 6.0, 1e-15, "pert mean");
    assert_eq!(d.quantile(0.0), 1.0);
    assert_eq!(d.quantile(1.0), 5.0);
    assert_eq!(d.support(), (1.0, 5.0));
    // Lambda enters the mean as (min + lambda mode + max) / (lambda + 2).
    let d = dist("{ pert = { min = 1, mode = 2, max = 5, lambda = 10 } }");
    assert_close(
        d.mean(),
        (1.0 + 20.0 + 5.0) / 12.0,
        1e-15,
        "pert lambda mean",
    );
    // Symmetric PERT: median equals the mode.
    let d = dist("{ pert = { min = 2, mode = 5, max = 8 } }");
    assert_close(d.quantile(0.5), 5.0, 1e-12, "symmetric median");
    // The density peaks at the mode: a small interval there beats the same
    // interval elsewhere.
    let d = dist("{ pert = { min = 0, mode = 3, max = 10 } }");
    let mass = |x: f64| d.cdf(x + 0.05) - d.cdf(x - 0.05);
    assert!(mass(3.0) > mass(2.5) && mass(3.0) > mass(3.5));
}

#[test]
fn closed_form_families() {
    let d = dist("{ weibull = { shape = 1.5, scale = 10 } }");
    for u in [1e-12_f64, 0.01, 0.3, 0.5, 0.9, 0.999] {
        let want = 10.0 * (-(-u).ln_1p()).powf(1.0 / 1.5);
        assert_close(d.quantile(u), want, 1e-9, "weibull quantile");
    }
    assert_close(
        d.cdf(10.0),
        1.0 - (-1.0_f64).exp(),
        1e-15,
        "weibull cdf(scale)",
    );
    // Γ(1 + 1/1.5) = Γ(5/3) = 0.9027452929509336.
    assert_close(
        d.mean(),
        10.0 * 0.902_745_292_950_933_6,
        1e-12,
        "weibull mean",
    );
    assert_eq!(d.quantile(0.0), 0.0);

    let d = dist("{ triangular = { min = 1, mode = 2, max = 5 } }");
    assert_close(d.quantile(0.25), 2.0, 1e-15, "mode at F(mode) = 1/4");
    assert_close(d.cdf(2.0), 0.25, 1e-15, "cdf(mode)");
    assert_close(
        d.quantile(0.5),
        5.0 - (0.5_f64 * 4.0 * 3.0).sqrt(),
        1e-15,
        "median",
    );
    assert_close(d.mean(), 8.0 / 3.0, 1e-15, "mean");
    assert_eq!((d.quantile(0.0), d.quantile(1.0)), (1.0, 5.0));
    // Mode at an endpoint.
    let d = dist("{ triangular = { min = 0, mode = 0, max = 1 } }");
    assert_close(d.quantile(0.75), 0.5, 1e-15, "right triangle");

    let d = dist("{ uniform = { min = 1, max = 3 } }");
    assert_eq!(d.quantile(0.25), 1.5);
    assert_eq!(d.cdf(2.5), 0.75);
    assert_eq!(d.mean(), 2.0);
    assert_eq!((d.quantile(0.0), d.quantile(1.0)), (1.0, 3.0));
    assert_eq!((d.cdf(0.0), d.cdf(4.0)), (0.0, 1.0));
}

#[test]
fn empirical_and_discrete_exact() {
    let d = dist("{ empirical = [6, 9, 10, 3, 26] }");
    // quantile(u) = sorted[floor(u n)]: each value gets a fifth of (0, 1).
    let sorted = [3.0, 6.0, 9.0, 10.0, 26.0];
    for (i, &v) in sorted.iter().enumerate() {
        assert_eq!(d.quantile((i as f64 + 0.5) / 5.0), v);
        assert_eq!(d.quantile(i as f64 / 5.0 + 1e-9), v);
        assert_eq!(d.cdf(v), (i + 1) as f64 / 5.0);
    }
    assert_eq!(d.quantile(0.0), 3.0);
    assert_eq!(d.quantile(1.0), 26.0);
    assert_eq!(d.cdf(2.9), 0.0);
    assert_eq!(d.mean(), 54.0 / 5.0);
    assert_eq!(d.support(), (3.0, 26.0));

    // Unsorted values, unnormalized weights, a repeated value and a zero weight.
    let d = dist("{ discrete = { values = [30, 1, 7, 1, 99], weights = [2, 3, 3, 2, 0] } }");
    assert_eq!(d.quantile(0.0), 1.0);
    assert_eq!(d.quantile(0.5), 1.0);
    assert_eq!(d.quantile(0.500_001), 7.0);
    assert_eq!(d.quantile(0.8), 7.0);
    assert_eq!(d.quantile(0.800_001), 30.0);
    assert_eq!(d.quantile(1.0), 30.0);
    assert_close(d.cdf(1.0), 0.5, 1e-15, "cdf(1)");
    assert_close(d.cdf(29.0), 0.8, 1e-15, "cdf(29)");
    assert_eq!(d.cdf(0.5), 0.0);
    assert_eq!(d.cdf(30.0), 1.0);
    assert_close(d.mean(), 0.5 + 0.3 * 7.0 + 0.2 * 30.0, 1e-15, "mean");
    assert_eq!(d.support(), (1.0, 30.0)); // 99 has weight 0
}

// ---------------------------------------------------------------------------
// Round trips cdf(quantile(u)) = u
// ---------------------------------------------------------------------------

const CONTINUOUS: &[&str] = &[
    "{ uniform = { min = -2, max = 7 } }",
    "{ triangular = { min = 1, mode = 2, max = 5 } }",
    "{ triangular = { min = 0, mode = 1, max = 1 } }",
    "{ pert = { min = 1, mode = 2, max = 5 } }",
    "{ pert = { min = 0, mode = 0.01, max = 100 } }",
    "{ pert = { min = 0, mode = 100, max = 100, lambda = 0.5 } }",
    "{ pert = { min = 0, mode = 0.3, max = 1, lambda = 200 } }",
    "{ normal = { mean = 3, sd = 2 } }",
    "{ normal = { mean = 0.5, sd = 0.1, min = 0, max = 1 } }",
    "{ normal = { mean = 0, sd = 1, min = 5 } }",
    "{ normal = { mean = 0, sd = 1, max = -5 } }",
    "{ normal = { mean = 0, sd = 1, min = 6, max = 6.5 } }",
    "{ lognormal = { median = 21, p90 = 60 } }",
    "{ lognormal = { mu = -3, sigma = 2.5 } }",
    "{ gamma = { shape = 0.1, scale = 1 } }",
    "{ gamma = { shape = 0.5, scale = 3 } }",
    "{ gamma = { shape = 2, scale = 3 } }",
    "{ gamma = { shape = 50, mean = 10 } }",
    "{ gamma = { shape = 5000, scale = 1 } }",
    "{ weibull = { shape = 1.5, scale = 10 } }",
    "{ weibull = { shape = 0.3, scale = 2 } }",
];

#[test]
fn cdf_inverts_quantile() {
    let grid = [
        1e-12,
        1e-9,
        1e-6,
        1e-3,
        0.01,
        0.05,
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
        0.6,
        0.7,
        0.8,
        0.9,
        0.95,
        0.99,
        0.999,
        1.0 - 1e-6,
        1.0 - 1e-9,
    ];
    for value in CONTINUOUS {
        let d = dist(value);
        for &u in &grid {
            let x = d.quantile(u);
            let p = d.cdf(x);
            // Relative accuracy in the nearer tail, plus an absolute floor,
            // plus the cdf's change across one ulp of x (x itself cannot
            // resolve u more finely than that).
            let ulp = d.cdf(x.next_up()) - d.cdf(x.next_down());
            let tol = 1e-9 * u.min(1.0 - u) + 1e-14 + ulp;
            assert!(
                (p - u).abs() <= tol,
                "{value}: cdf(quantile({u:e})) = {p:e} (x = {x:e}), error {:e} > {tol:e}",
                (p - u).abs()
            );
        }
    }
}

#[test]
fn quantile_is_monotone_and_within_support() {
    for value in CONTINUOUS {
        let d = dist(value);
        let (lo, hi) = d.support();
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=2000 {
            let u = i as f64 / 2000.0;
            let x = d.quantile(u);
            assert!(!x.is_nan(), "{value}: quantile({u}) is NaN");
            assert!(x >= prev, "{value}: quantile decreases at u = {u}");
            assert!(
                lo <= x && x <= hi,
                "{value}: quantile({u}) = {x} outside support"
            );
            prev = x;
        }
    }
}

// ---------------------------------------------------------------------------
// Kolmogorov–Smirnov
// ---------------------------------------------------------------------------

const N_KS: usize = 20_000;

/// One-sample KS statistic of `samples` against `cdf`.
fn ks_statistic(mut samples: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as f64;
    samples
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

/// Critical value of the KS statistic at α = 0.01: 1.63 / sqrt(n)
/// (≈ 0.0115 for n = 20,000). Seeds are fixed, so the tests are
/// deterministic; a correct implementation passes with 99% probability per
/// seed, and a cdf or quantile that is wrong by more than about 1% anywhere
/// fails.
fn ks_critical(n: usize) -> f64 {
    1.63 / (n as f64).sqrt()
}

fn samples_by_inversion(d: &Dist, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..N_KS).map(|_| d.quantile(rng.random::<f64>())).collect()
}

fn samples_from<D: Distribution<f64>>(sampler: D, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..N_KS).map(|_| sampler.sample(&mut rng)).collect()
}

#[test]
fn ks_our_quantile_against_our_cdf() {
    for value in CONTINUOUS {
        let d = dist(value);
        let stat = ks_statistic(samples_by_inversion(&d, 42), |x| d.cdf(x));
        assert!(
            stat < ks_critical(N_KS),
            "{value}: KS statistic {stat} >= {}",
            ks_critical(N_KS)
        );
    }
}

#[test]
fn ks_rand_distr_samples_against_our_cdf() {
    use rand_distr::{Beta, Gamma, LogNormal, Normal, Triangular, Uniform, Weibull};
    let crit = ks_critical(N_KS);
    let check = |name: &str, samples: Vec<f64>, d: &Dist| {
        let stat = ks_statistic(samples, |x| d.cdf(x));
        assert!(stat < crit, "{name}: KS statistic {stat} >= {crit}");
    };

    let d = dist("{ normal = { mean = 3, sd = 2 } }");
    check(
        "normal",
        samples_from(Normal::new(3.0, 2.0).unwrap(), 1),
        &d,
    );

    // Truncated normal by rejection from rand_distr's normal.
    let d = dist("{ normal = { mean = 0.5, sd = 0.4, min = 0, max = 1 } }");
    let normal = Normal::new(0.5, 0.4).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let samples: Vec<f64> = std::iter::repeat_with(|| normal.sample(&mut rng))
        .filter(|x| (0.0..=1.0).contains(x))
        .take(N_KS)
        .collect();
    check("truncated normal", samples, &d);

    let d = dist("{ lognormal = { median = 21, p90 = 60 } }");
    let sigma = (60.0_f64 / 21.0).ln() / 1.2815515655446004;
    check(
        "lognormal",
        samples_from(LogNormal::new(21.0_f64.ln(), sigma).unwrap(), 3),
        &d,
    );

    for (shape, scale, seed) in [(0.1, 1.0, 4), (0.5, 3.0, 5), (2.0, 3.0, 6), (50.0, 0.2, 7)] {
        let d = Dist::from_spec(&DistSpec::Gamma(GammaParams {
            shape,
            scale: Some(scale),
            mean: None,
        }))
        .unwrap();
        check(
            &format!("gamma({shape}, {scale})"),
            samples_from(Gamma::new(shape, scale).unwrap(), seed),
            &d,
        );
    }

    for (shape, scale, seed) in [(1.5, 10.0, 8), (0.3, 2.0, 9)] {
        let d = Dist::from_spec(&DistSpec::Weibull(WeibullParams { shape, scale })).unwrap();
        // rand_distr's Weibull::new takes (scale, shape).
        check(
            &format!("weibull({shape}, {scale})"),
            samples_from(Weibull::new(scale, shape).unwrap(), seed),
            &d,
        );
    }

    let d = dist("{ triangular = { min = 1, mode = 2, max = 5 } }");
    // rand_distr's Triangular::new takes (min, max, mode).
    check(
        "triangular",
        samples_from(Triangular::new(1.0, 5.0, 2.0).unwrap(), 10),
        &d,
    );

    let d = dist("{ uniform = { min = -2, max = 7 } }");
    check(
        "uniform",
        samples_from(Uniform::new(-2.0, 7.0).unwrap(), 11),
        &d,
    );

    // PERT(min, mode, max, λ) is min + (max - min) Beta(α, β).
    for (min, mode, max, lambda, seed) in [
        (1.0, 2.0, 5.0, 4.0, 12),
        (0.0, 0.01, 100.0, 4.0, 13),
        (0.0, 0.3, 1.0, 200.0, 14),
    ] {
        let d = Dist::from_spec(&DistSpec::Pert(PertParams {
            min,
            mode,
            max,
            lambda: Some(lambda),
        }))
        .unwrap();
        let alpha = 1.0 + lambda * (mode - min) / (max - min);
        let beta = 1.0 + lambda * (max - mode) / (max - min);
        let samples = samples_from(Beta::new(alpha, beta).unwrap(), seed)
            .into_iter()
            .map(|y| min + (max - min) * y)
            .collect();
        check(
            &format!("pert({min}, {mode}, {max}, {lambda})"),
            samples,
            &d,
        );
    }
}

#[test]
fn ks_detects_wrong_parameters() {
    // The KS check has power: samples from gamma(2, 1) are rejected against
    // the cdf of gamma(2.2, 1), and normal(0, 1) against normal(0.05, 1).
    use rand_distr::{Gamma, Normal};
    let crit = ks_critical(N_KS);
    let d = dist("{ gamma = { shape = 2.2, scale = 1 } }");
    let stat = ks_statistic(samples_from(Gamma::new(2.0, 1.0).unwrap(), 21), |x| {
        d.cdf(x)
    });
    assert!(stat > crit, "gamma: {stat} <= {crit}");
    let d = dist("{ normal = { mean = 0.05, sd = 1 } }");
    let stat = ks_statistic(samples_from(Normal::new(0.0, 1.0).unwrap(), 22), |x| {
        d.cdf(x)
    });
    assert!(stat > crit, "normal: {stat} <= {crit}");
}

#[test]
fn empirical_and_discrete_frequencies() {
    // 100,000 draws by inversion; each category count must lie within 4.5
    // binomial standard deviations of n p (false alarm probability < 1e-5
    // per category with the fixed seed).
    let n = 100_000;
    let check = |d: &Dist, expected: &[(f64, f64)]| {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut counts = vec![0usize; expected.len()];
        for _ in 0..n {
            let x = d.quantile(rng.random::<f64>());
            let k = expected
                .iter()
                .position(|&(v, _)| v == x)
                .unwrap_or_else(|| panic!("{} produced unexpected value {x}", d.describe()));
            counts[k] += 1;
        }
        for (&(v, p), &c) in expected.iter().zip(&counts) {
            let mean = n as f64 * p;
            let sd = (mean * (1.0 - p)).sqrt();
            assert!(
                (c as f64 - mean).abs() <= 4.5 * sd,
                "{}: value {v} drawn {c} times, expected {mean} ± {}",
                d.describe(),
                4.5 * sd
            );
        }
    };
    let d = dist("{ empirical = [6, 9, 10, 3, 26, 9] }");
    check(
        &d,
        &[
            (3.0, 1.0 / 6.0),
            (6.0, 1.0 / 6.0),
            (9.0, 2.0 / 6.0),
            (10.0, 1.0 / 6.0),
            (26.0, 1.0 / 6.0),
        ],
    );
    let d = dist("{ discrete = { values = [1, 7, 30], weights = [5, 3, 2] } }");
    check(&d, &[(1.0, 0.5), (7.0, 0.3), (30.0, 0.2)]);
    let d = dist("{ discrete = { values = [0, 1], weights = [0.999, 0.001] } }");
    check(&d, &[(0.0, 0.999), (1.0, 0.001)]);
}

// ---------------------------------------------------------------------------
// Range checks
// ---------------------------------------------------------------------------

#[test]
fn check_range_for_probabilities_and_counts() {
    assert!(
        dist("{ uniform = { min = 0.2, max = 0.5 } }")
            .check_range(0.0, 1.0)
            .is_ok()
    );
    assert!(dist("0.3").check_range(0.0, 1.0).is_ok());
    assert!(
        dist("{ pert = { min = 0, mode = 0.1, max = 1 } }")
            .check_range(0.0, 1.0)
            .is_ok()
    );
    assert!(
        dist("{ normal = { mean = 0.5, sd = 0.1, min = 0, max = 1 } }")
            .check_range(0.0, 1.0)
            .is_ok()
    );
    assert!(
        dist("{ lognormal = { median = 21, p90 = 60 } }")
            .check_range(0.0, f64::INFINITY)
            .is_ok()
    );
    assert!(
        dist("{ empirical = [0, 3, 7] }")
            .check_range(0.0, f64::INFINITY)
            .is_ok()
    );

    let e = dist("{ normal = { mean = 0.5, sd = 0.1 } }")
        .check_range(0.0, 1.0)
        .unwrap_err();
    assert!(
        e.contains("normal(mean=0.5, sd=0.1) can be negative"),
        "{e}"
    );
    assert!(e.contains("truncate it with min = 0"), "{e}");

    let e = dist("{ normal = { mean = 0.5, sd = 0.1, min = 0 } }")
        .check_range(0.0, 1.0)
        .unwrap_err();
    assert!(e.contains("can exceed 1"), "{e}");
    assert!(e.contains("truncate it with max = 1"), "{e}");

    let e = dist("-1").check_range(0.0, f64::INFINITY).unwrap_err();
    assert!(e.contains("constant -1"), "{e}");
    assert!(e.contains("at least 0"), "{e}");

    let e = dist("1.5").check_range(0.0, 1.0).unwrap_err();
    assert!(e.contains("between 0 and 1"), "{e}");

    let e = dist("{ uniform = { min = 0.5, max = 1.5 } }")
        .check_range(0.0, 1.0)
        .unwrap_err();
    assert!(e.contains("can exceed 1"), "{e}");
    assert!(e.contains("1.5"), "{e}");

    let e = dist("{ lognormal = { median = 0.2, p90 = 0.5 } }")
        .check_range(0.0, 1.0)
        .unwrap_err();
    assert!(e.contains("no upper limit"), "{e}");

    let e = dist("{ gamma = { shape = 2, scale = 1 } }")
        .check_range(1.0, 10.0)
        .unwrap_err();
    assert!(e.contains("can be below 1"), "{e}");

    let e = dist("{ normal = { mean = 0.5, sd = 0.1, min = -1, max = 2 } }")
        .check_range(0.0, 1.0)
        .unwrap_err();
    assert!(e.contains("can be negative"), "{e}");
    assert!(e.contains("raise min to 0"), "{e}");
    let e = dist("{ normal = { mean = 0.5, sd = 0.1, min = 0, max = 2 } }")
        .check_range(0.0, 1.0)
        .unwrap_err();
    assert!(e.contains("lower max to 1"), "{e}");

    let e = dist("{ empirical = [-2, 3, 7] }")
        .check_range(0.0, f64::INFINITY)
        .unwrap_err();
    assert!(e.contains("can be negative"), "{e}");
    assert!(e.contains("-2"), "{e}");
}

// ---------------------------------------------------------------------------
// Fuzz
// ---------------------------------------------------------------------------

fn random_number(rng: &mut ChaCha8Rng) -> f64 {
    const SPECIAL: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        2.0,
        1e-300,
        -1e-300,
        5e-324,
        1e-10,
        1e10,
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e6,
        1e7,
        1e-3,
    ];
    match rng.random_range(0..4) {
        0 => SPECIAL[rng.random_range(0..SPECIAL.len())],
        1 => rng.random_range(-10.0..10.0),
        2 => rng.random_range(0.0..3.0),
        _ => {
            10f64.powf(rng.random_range(-12.0..12.0))
                * if rng.random::<bool>() { 1.0 } else { -1.0 }
        }
    }
}

#[test]
fn fuzz_never_panics_or_returns_nan() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let mut grid = vec![0.0, 1e-300, 1e-200, 1e-100, 1e-30, 1e-16, 1e-10, 1e-5, 1e-3];
    grid.extend((1..100).map(|i| i as f64 / 100.0));
    grid.extend([1.0 - 1e-5, 1.0 - 1e-10, 1.0 - 1e-16, 1.0]);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let spec = fuzz_spec(&mut rng);
        let Ok(d) = Dist::from_spec(&spec) else {
            continue;
        };
        accepted += 1;
        let mut prev = f64::NEG_INFINITY;
        for &u in &grid {
            let x = d.quantile(u);
            assert!(!x.is_nan(), "{spec:?}: quantile({u:e}) is NaN");
            assert!(x >= prev, "{spec:?}: quantile({u:e}) = {x:e} < {prev:e}");
            prev = x;
            let p = d.cdf(x);
            assert!((0.0..=1.0).contains(&p), "{spec:?}: cdf({x:e}) = {p}");
        }
        for x in [f64::NEG_INFINITY, -1.0, 0.0, 1.0, f64::INFINITY] {
            let p = d.cdf(x);
            assert!((0.0..=1.0).contains(&p), "{spec:?}: cdf({x}) = {p}");
        }
        assert!(!d.mean().is_nan(), "{spec:?}: mean is NaN");
        let (lo, hi) = d.support();
        assert!(lo <= hi, "{spec:?}: support ({lo}, {hi})");
        let _ = d.describe();
        let _ = d.check_range(0.0, 1.0);
    }
    // Make sure the fuzzer reaches valid distributions too.
    assert!(accepted > 2_000, "only {accepted} specs were valid");
}

fn fuzz_spec(rng: &mut ChaCha8Rng) -> DistSpec {
    let family = rng.random_range(0..10);
    let mut n = || random_number(rng);
    match family {
        0 => DistSpec::Constant(n()),
        1 => DistSpec::Uniform(UniformParams { min: n(), max: n() }),
        2 => {
            let (min, mode, max) = (n(), n(), n());
            DistSpec::Triangular(TriangularParams { min, mode, max })
        }
        3 => {
            let (min, mode, max, l) = (n(), n(), n(), n());
            let lambda = (l.to_bits() % 2 == 0).then_some(l);
            DistSpec::Pert(PertParams {
                min,
                mode,
                max,
                lambda,
            })
        }
        4 => {
            let (mean, sd, a, b) = (n(), n(), n(), n());
            let min = (a.to_bits() % 3 == 0).then_some(a);
            let max = (b.to_bits() % 3 == 0).then_some(b);
            DistSpec::Normal(NormalParams { mean, sd, min, max })
        }
        5 => {
            let (a, b) = (n(), n());
            if a.to_bits() % 2 == 0 {
                DistSpec::Lognormal(LognormalParams {
                    median: Some(a),
                    p90: Some(b),
                    mu: None,
                    sigma: None,
                })
            } else {
                DistSpec::Lognormal(LognormalParams {
                    median: None,
                    p90: None,
                    mu: Some(a),
                    sigma: Some(b),
                })
            }
        }
        6 => {
            let (shape, s) = (n(), n());
            if s.to_bits() % 2 == 0 {
                DistSpec::Gamma(GammaParams {
                    shape,
                    scale: Some(s),
                    mean: None,
                })
            } else {
                DistSpec::Gamma(GammaParams {
                    shape,
                    scale: None,
                    mean: Some(s),
                })
            }
        }
        7 => DistSpec::Weibull(WeibullParams {
            shape: n(),
            scale: n(),
        }),
        8 => {
            let len = 1 + (n().to_bits() % 5) as usize;
            DistSpec::Empirical((0..len).map(|_| n()).collect())
        }
        _ => {
            let len = 1 + (n().to_bits() % 4) as usize;
            let values = (0..len).map(|_| n()).collect();
            let weights = (0..len).map(|_| n().abs()).collect();
            DistSpec::Discrete(DiscreteParams { values, weights })
        }
    }
}

/// The interpolated PERT quantile (gamma is always solved exactly) agrees
/// with the exact solver to 2e-8 of the p0.1–p99.9 spread everywhere
/// (the table is built only if its midpoint error is below 1e-8), and the
/// table is really used for the common shapes.
#[test]
fn tabulated_quantiles_match_the_exact_solver() {
    use rand::RngExt;
    let specs = [
        "x = { pert = { min = 280, mode = 400, max = 650 } }",
        "x = { pert = { min = 0, mode = 0.01, max = 1 } }",
        "x = { pert = { min = 1, mode = 2, max = 5, lambda = 40 } }",
        "x = { gamma = { shape = 1, scale = 3 } }",
        "x = { gamma = { shape = 2.5, mean = 12 } }",
        "x = { gamma = { shape = 80, scale = 0.5 } }",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for text in specs {
        #[derive(serde::Deserialize)]
        struct W {
            x: DistSpec,
        }
        let w: W = toml::from_str(text).unwrap();
        let d = Dist::from_spec(&w.x).unwrap();
        let spread = d.exact_quantile(0.999) - d.exact_quantile(0.001);
        let mut worst = 0.0f64;
        for _ in 0..50_000 {
            let u: f64 = rng.random();
            worst = worst.max((d.quantile(u) - d.exact_quantile(u)).abs() / spread);
        }
        for u in [0.0, 1e-12, 0.0078125, 0.5, 0.9921875, 1.0 - 1e-12, 1.0] {
            worst = worst.max((d.quantile(u) - d.exact_quantile(u)).abs() / spread);
        }
        assert!(worst <= 2e-8, "{text}: worst relative error {worst:e}");
        if text.contains("pert") {
            assert!(
                d.quantile(0.3) != d.exact_quantile(0.3)
                    || d.quantile(0.7) != d.exact_quantile(0.7),
                "{text}: no table"
            );
        }
    }
}

/// PERT laws and whether their tails are tabulated: symmetric, skewed both
/// ways, mode at min or max (shape 1 at that end), lambda below 1, narrow
/// (relative to the values), very wide, and peaked (a peaked law's tails
/// need a finer grid; the most peaked are solved exactly).
const PERT_TAIL_LAWS: &[(&str, bool)] = &[
    ("{ pert = { min = 550, mode = 700, max = 1000 } }", true),
    ("{ pert = { min = 0, mode = 0.5, max = 1 } }", true),
    ("{ pert = { min = 0, mode = 0, max = 1 } }", true),
    ("{ pert = { min = 0, mode = 1, max = 1 } }", true),
    ("{ pert = { min = 1e6, mode = 1.5e6, max = 9e6 } }", true),
    ("{ pert = { min = -10, mode = 9, max = 10 } }", true),
    ("{ pert = { min = 0, mode = 0.01, max = 1 } }", true),
    (
        "{ pert = { min = 0, mode = 100, max = 100, lambda = 0.5 } }",
        true,
    ),
    (
        "{ pert = { min = 100, mode = 100.001, max = 100.003 } }",
        true,
    ),
    ("{ pert = { min = 0, mode = 1, max = 1e12 } }", true),
    ("{ pert = { min = -1e300, mode = 0, max = 1e300 } }", true),
    (
        "{ pert = { min = 1, mode = 2, max = 5, lambda = 40 } }",
        true,
    ),
    (
        "{ pert = { min = 0, mode = 0.3, max = 1, lambda = 200 } }",
        false,
    ),
    (
        "{ pert = { min = 0, mode = 0.5, max = 1, lambda = 1000 } }",
        false,
    ),
];

/// Sorted probabilities: log-spaced from 1e-12 to ½ and mirrored towards
/// 1 − 1e-12, a uniform grid of the middle, both ends, and the `n` largest
/// floats below 1 (consecutive draws there differ by less than an ulp of
/// the value).
fn tail_grid(n: usize) -> Vec<f64> {
    let mut us = vec![0.0, 1.0];
    for k in 0..=n {
        let p = 10f64.powf(-12.0 + (12.0 - 2f64.log10()) * k as f64 / n as f64);
        us.push(p);
        us.push(1.0 - p);
        us.push(k as f64 / n as f64);
        us.push(1.0 - k as f64 * (f64::EPSILON / 2.0));
    }
    us.sort_by(f64::total_cmp);
    us
}

/// The tails of the PERT quantile (u below 1/64 and above 63/64, and
/// further in where the central table stops early) are tabulated too: to
/// 1e-8 of the p0.1–p99.9 spread of the exact solve, and to 1e-9 of the
/// tail probability, from u = 1e-12 to 1 − 1e-12 (and far below);
/// non-decreasing, with exact ends.
#[test]
fn pert_tails_are_tabulated_to_the_exact_solver() {
    let coarse = tail_grid(2_000);
    let dense = tail_grid(50_000);
    for &(text, tails_tabulated) in PERT_TAIL_LAWS {
        let d = dist(text);
        let (min, max) = d.support();
        let spread = d.exact_quantile(0.999) - d.exact_quantile(0.001);
        for &u in &coarse {
            let x = d.quantile(u);
            let err = (x - d.exact_quantile(u)).abs() / spread;
            assert!(
                err <= 1e-8,
                "{text}: quantile({u:e}) = {x:e} is {err:e} of the spread from the exact solve"
            );
            // Below 1/64 and above 63/64 (tail tables or the exact solve;
            // the central table answers only for 1e-8 of the spread):
            // relative accuracy in the tail probability, as the exact solve
            // has (same tolerance as `cdf_inverts_quantile`).
            if u.min(1.0 - u) >= 1.0 / 64.0 {
                continue;
            }
            let p = d.cdf(x);
            let ulp = d.cdf(x.next_up()) - d.cdf(x.next_down());
            let tol = 1e-9 * u.min(1.0 - u) + 1e-14 + ulp;
            assert!(
                (p - u).abs() <= tol,
                "{text}: cdf(quantile({u:e})) = {p:e}, error {:e} > {tol:e}",
                (p - u).abs()
            );
        }
        let mut prev = f64::NEG_INFINITY;
        for &u in &dense {
            let x = d.quantile(u);
            assert!(
                x >= prev,
                "{text}: quantile decreases at u = {u:e} ({prev:e} -> {x:e})"
            );
            prev = x;
        }
        // Far into the tails (tabulated down to 1e-300), and below.
        let far = [1e-20, 1e-100, 1e-250, 1e-299, 1e-301, 1e-320, 5e-324];
        for u in far
            .into_iter()
            .chain([1.0 - 1e-15, 1.0 - f64::EPSILON / 2.0])
        {
            let err = (d.quantile(u) - d.exact_quantile(u)).abs() / spread;
            assert!(err <= 1e-8, "{text}: quantile({u:e}) off by {err:e}");
        }
        assert_eq!(d.quantile(0.0), min, "{text}");
        assert_eq!(d.quantile(-0.5), min, "{text}");
        assert_eq!(d.quantile(1.0), max, "{text}");
        assert_eq!(d.quantile(1.5), max, "{text}");
        assert!(d.quantile(f64::NAN).is_nan(), "{text}");
        if !tails_tabulated {
            continue;
        }
        // The tails are really tabulated (not solved exactly): some tail
        // values differ from the exact solve in the last bits.
        let tabulated = |us: &[f64]| us.iter().any(|&u| d.quantile(u) != d.exact_quantile(u));
        let lower: Vec<f64> = (1..150).map(|k| k as f64 * 1e-4).collect();
        let upper: Vec<f64> = lower.iter().map(|p| 1.0 - p).collect();
        assert!(tabulated(&lower), "{text}: lower tail not tabulated");
        assert!(tabulated(&upper), "{text}: upper tail not tabulated");
    }
}

/// `Dist::prefetch` loads the table entry that `Dist::quantile` then
/// evaluates: at a grid point `u = i / 1024` of the central table the cubic
/// Hermite interpolant is that entry exactly. Outside the central table,
/// before the table is built and for laws without one there is none.
#[test]
fn prefetch_loads_the_entry_the_quantile_uses() {
    let d = dist("{ pert = { min = 3000, mode = 5000, max = 8000 } }");
    assert_eq!(
        d.table_entry(0.5),
        None,
        "no table before the first quantile"
    );
    d.prefetch(0.5);
    d.prepare();
    let mut central = 0;
    for i in 0..1024 {
        let u = i as f64 / 1024.0;
        d.prefetch(u);
        if let Some(e) = d.table_entry(u) {
            central += 1;
            assert_eq!(e[0], d.quantile(u), "u = {u}");
        }
    }
    // The tail tables take the outer grid intervals (16 at each end here).
    assert!(central > 900, "{central} grid points in the central table");
    assert_eq!(d.table_entry(0.0), None);
    for u in [f64::NAN, -1.0, 1.0, 2.0] {
        d.prefetch(u);
        assert_eq!(d.table_entry(u), None, "u = {u}");
    }
    let tri = dist("{ triangular = { min = 1, mode = 2, max = 5 } }");
    tri.prepare();
    assert_eq!(tri.table_entry(0.5), None);
}
