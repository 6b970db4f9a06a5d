//! Sampling designs for the uncertain inputs of a run.
//!
//! Each replicate needs one uniform in (0, 1) per uncertain input (then
//! correlated and mapped through quantile functions by
//! [`Engine::inputs_from_uniforms`]). Every design here is computed
//! replicate by replicate, with no n × d matrix in memory, and from the
//! replicate index only, so results do not depend on the thread count:
//!
//! - **Monte Carlo** (default): the keyed stream `(seed, replicate, path)`.
//! - **Latin hypercube**: for input `j`, replicate `r` falls in stratum
//!   `π_j(r)` of `n` equal strata, `π_j` a keyed pseudo-random permutation of
//!   `0..n` (a Feistel network with cycle walking), jittered uniformly within
//!   the stratum. Each stratum is hit exactly once per input.
//! - **Antithetic pairs**: replicate `2i + 1` uses `1 − u` of replicate `2i`.
//! - **Randomized quasi-Monte Carlo**: `R` independent scrambles (linear
//!   matrix scramble + digital shift) of the Sobol sequence, each covering a
//!   block of `⌈n / R⌉` consecutive replicates; the spread of the `R` block
//!   means gives the standard error.
//!
//! Arrival noise and event timing keep their keyed streams in every design.

use crate::engine::Engine;
use crate::rng::{ReplicateStreams, Xoshiro256pp, key_hash, mix64};
use crate::uq::designs::{SOBOL_MAX_DIM, ScrambledSobol};
use std::str::FromStr;

/// A sampling design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    MonteCarlo,
    LatinHypercube,
    Antithetic,
    /// Randomized QMC with this many independent scrambles.
    Rqmc {
        scrambles: u32,
    },
}

/// Default number of independent Sobol scrambles.
pub const DEFAULT_SCRAMBLES: u32 = 16;

impl FromStr for Sampling {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mc" | "monte-carlo" => Ok(Sampling::MonteCarlo),
            "lhs" | "latin-hypercube" => Ok(Sampling::LatinHypercube),
            "antithetic" => Ok(Sampling::Antithetic),
            "rqmc" | "sobol" => Ok(Sampling::Rqmc {
                scrambles: DEFAULT_SCRAMBLES,
            }),
            o => Err(format!(
                "unknown sampling design `{o}`; expected mc, lhs, antithetic or rqmc"
            )),
        }
    }
}

impl Sampling {
    /// Name for manifests.
    pub fn name(&self) -> String {
        match self {
            Sampling::MonteCarlo => "monte-carlo".into(),
            Sampling::LatinHypercube => "latin-hypercube".into(),
            Sampling::Antithetic => "antithetic".into(),
            Sampling::Rqmc { scrambles } => {
                format!("rqmc (scrambled Sobol, {scrambles} scrambles)")
            }
        }
    }
}

const JITTER: u64 = key_hash("lhs-jitter");
const PERMUTE: u64 = key_hash("lhs-permutation");
const SCRAMBLE: u64 = key_hash("rqmc-scramble");

/// A keyed pseudo-random permutation of `0..n`.
#[derive(Clone, Copy, Debug)]
struct Permutation {
    n: u64,
    half: u32,
    key: u64,
}

impl Permutation {
    fn new(n: u64, key: u64) -> Self {
        let bits = 64 - (n.max(2) - 1).leading_zeros();
        let bits = bits + (bits & 1); // even, for a balanced Feistel network
        Self {
            n,
            half: bits / 2,
            key,
        }
    }

    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half) - 1;
        let (mut l, mut r) = (x >> self.half, x & mask);
        for round in 0..4u64 {
            let f = mix64(r ^ self.key ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & mask;
            (l, r) = (r, l ^ f);
        }
        (l << self.half) | r
    }

    /// `π(x)` for `x < n` (cycle walking keeps the result below `n`).
    fn apply(&self, x: u64) -> u64 {
        let mut y = self.feistel(x);
        while y >= self.n {
            y = self.feistel(y);
        }
        y
    }
}

/// The uniforms of every replicate of a run.
#[derive(Clone, Debug)]
pub struct InputDesign {
    sampling: Sampling,
    seed: u64,
    n: u64,
    keys: Vec<u64>,
    perms: Vec<Permutation>,
    sobol: Vec<ScrambledSobol>,
    block: u64,
}

impl InputDesign {
    /// The design of an `n`-replicate run of `engine` with master `seed`.
    /// Fails only for RQMC with more uncertain inputs than the Sobol table
    /// has dimensions.
    pub fn new(engine: &Engine, sampling: Sampling, seed: u64, n: u64) -> Result<Self, String> {
        let keys: Vec<u64> = engine
            .uncertain()
            .iter()
            .map(|id| engine.scenario.params[id.ix()].key)
            .collect();
        let d = keys.len();
        let mut perms = Vec::new();
        let mut sobol = Vec::new();
        let mut block = n.max(1);
        match sampling {
            Sampling::LatinHypercube => {
                perms = keys
                    .iter()
                    .map(|&k| Permutation::new(n.max(1), mix64(seed ^ PERMUTE) ^ k))
                    .collect();
            }
            Sampling::Rqmc { scrambles } => {
                if d > SOBOL_MAX_DIM {
                    return Err(format!(
                        "rqmc supports at most {SOBOL_MAX_DIM} uncertain inputs; this scenario has {d}"
                    ));
                }
                let r = u64::from(scrambles.max(1));
                block = n.div_ceil(r).max(1);
                if d > 0 {
                    sobol = (0..r)
                        .map(|s| {
                            let mut rng = Xoshiro256pp::stream(seed, s, SCRAMBLE);
                            ScrambledSobol::new(d, &mut rng)
                        })
                        .collect();
                }
            }
            Sampling::MonteCarlo | Sampling::Antithetic => {}
        }
        Ok(Self {
            sampling,
            seed,
            n,
            keys,
            perms,
            sobol,
            block,
        })
    }

    /// The design.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Fills `u` (one per uncertain input) for replicate `rep`.
    pub fn uniforms(&self, rep: u64, u: &mut [f64]) {
        match self.sampling {
            Sampling::MonteCarlo => {
                let r = ReplicateStreams::new(self.seed, rep);
                for (x, &k) in u.iter_mut().zip(&self.keys) {
                    *x = r.uniform(k);
                }
            }
            Sampling::Antithetic => {
                let r = ReplicateStreams::new(self.seed, rep & !1);
                for (x, &k) in u.iter_mut().zip(&self.keys) {
                    let v = r.uniform(k);
                    *x = if rep & 1 == 1 { 1.0 - v } else { v };
                }
            }
            Sampling::LatinHypercube => {
                let n = self.n.max(1) as f64;
                let r = ReplicateStreams::new(self.seed, rep);
                for ((x, &k), p) in u.iter_mut().zip(&self.keys).zip(&self.perms) {
                    let stratum = p.apply(rep % self.n.max(1)) as f64;
                    let jitter = r.uniform(k ^ JITTER);
                    *x =
                        ((stratum + jitter) / n).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
                }
            }
            Sampling::Rqmc { .. } => {
                if let Some(s) = self.sobol.get(self.block(rep)) {
                    s.point(rep % self.block, u);
                }
            }
        }
    }

    /// The RQMC scramble replicate `rep` belongs to (0 for other designs).
    pub fn block(&self, rep: u64) -> usize {
        match self.sampling {
            Sampling::Rqmc { .. } => (rep / self.block) as usize,
            _ => 0,
        }
    }

    /// Number of independent RQMC scrambles used by an `n`-replicate run (1
    /// for other designs).
    pub fn blocks(&self) -> usize {
        match self.sampling {
            Sampling::Rqmc { .. } => self.n.div_ceil(self.block).max(1) as usize,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 7, 64, 1000, 4097] {
            let p = Permutation::new(n, 12345);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.apply(x);
                assert!(y < n && !seen[y as usize], "n={n}");
                seen[y as usize] = true;
            }
        }
    }
}
