//! Random streams keyed by name.
//!
//! Every random quantity of a replicate draws from its own stream, derived
//! from `(master seed, replicate index, key)` where the key is a 64-bit hash
//! of the input's path in the scenario (e.g. `events.oct2025.duration_days`)
//! or of a random process's name (e.g. `flows.torkham_fruit.arrivals`).
//! Streams therefore never depend on thread identity, timing or the order in
//! which other inputs are drawn: two variants of a scenario that share an
//! input share its draws (common random numbers), and adding an input does not
//! reshuffle the others.
//!
//! The generator is Xoshiro256++ (Blackman & Vigna 2019), seeded through
//! SplitMix64 from a keyed mix of the three identifiers. Both are portable,
//! fixed algorithms implemented here, so the numbers cannot change with a
//! dependency upgrade. No other module builds an RNG.

use core::convert::Infallible;
use rand_core::TryRng;

/// Name of the generator, recorded in every run's manifest.
pub const GENERATOR: &str = "xoshiro256++ seeded by splitmix64(mix(seed, replicate, fnv1a64(key)))";

/// 64-bit FNV-1a hash of a key string. Stable across platforms and versions.
pub const fn key_hash(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit seed of the stream `(seed, replicate, key)`.
#[inline]
pub fn stream_seed(seed: u64, replicate: u64, key: u64) -> u64 {
    ReplicateStreams::new(seed, replicate).seed(key)
}

/// The part of [`stream_seed`] shared by all streams of one replicate:
/// computed once, it leaves one mix per stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicateStreams(u64);

impl ReplicateStreams {
    /// The streams of replicate `replicate` under master seed `seed`.
    #[inline]
    pub fn new(seed: u64, replicate: u64) -> Self {
        let a = mix64(seed ^ 0x5eed_0000_0000_0001);
        Self(mix64(a ^ replicate.wrapping_mul(GOLDEN)))
    }

    /// The seed of stream `key` (equal to [`stream_seed`]).
    #[inline]
    pub fn seed(self, key: u64) -> u64 {
        mix64(self.0 ^ key)
    }

    /// Stream `key` (equal to [`Xoshiro256pp::stream`]).
    #[inline]
    pub fn stream(self, key: u64) -> Xoshiro256pp {
        Xoshiro256pp::from_seed_u64(self.seed(key))
    }

    /// The first uniform of stream `key` (equal to [`keyed_uniform`]),
    /// without seeding the whole state: the first output of Xoshiro256++
    /// reads only the state words 0 and 3.
    #[inline]
    pub fn uniform(self, key: u64) -> f64 {
        let x = self.seed(key);
        let s0 = mix64(x.wrapping_add(GOLDEN));
        let s3 = mix64(x.wrapping_add(GOLDEN.wrapping_mul(4)));
        to_open_unit(s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0))
    }
}

/// SplitMix64's increment (the golden ratio in 64 bits).
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// `(k + ½)·2⁻⁵²` for the top 52 bits `k` of `w`: a uniform in (0, 1).
#[inline]
fn to_open_unit(w: u64) -> f64 {
    ((w >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

/// Xoshiro256++ generator.
#[derive(Clone, Debug)]
pub struct Xoshiro256pp {
    s: [u64; 4],
}

impl Xoshiro256pp {
    /// Seeds the state from one 64-bit value with SplitMix64, as the
    /// algorithm's authors recommend.
    pub fn from_seed_u64(seed: u64) -> Self {
        let mut x = seed;
        let mut s = [0u64; 4];
        for slot in &mut s {
            x = x.wrapping_add(GOLDEN);
            *slot = mix64(x);
        }
        // All-zero state is impossible: mix64 is a bijection and the four
        // inputs differ, so at most one output can be zero.
        Self { s }
    }

    /// Builds the state directly (for reference test vectors).
    pub fn from_state(s: [u64; 4]) -> Self {
        Self { s }
    }

    /// The state words (for generators that run several streams in the
    /// lanes of a vector register, as `sampling`'s four-lane fill does).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(crate) fn state(&self) -> [u64; 4] {
        self.s
    }

    /// The stream for `(seed, replicate, key)`.
    #[inline]
    pub fn stream(seed: u64, replicate: u64, key: u64) -> Self {
        Self::from_seed_u64(stream_seed(seed, replicate, key))
    }

    /// Next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform draw in the open interval (0, 1): 52 random bits, offset by
    /// half a step, `(k + ½)·2⁻⁵²`, so that neither 0 nor 1 can occur (with
    /// 53 bits, `2⁵³ − ½` would round up to 1).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        to_open_unit(self.next_u64())
    }
}

impl TryRng for Xoshiro256pp {
    type Error = Infallible;
    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_u64() >> 32) as u32)
    }
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// One uniform in (0, 1) for a single keyed draw (an uncertain input drawn
/// once per replicate).
#[inline]
pub fn keyed_uniform(seed: u64, replicate: u64, key: u64) -> f64 {
    ReplicateStreams::new(seed, replicate).uniform(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_reference_vector() {
        // Reference output of xoshiro256plusplus.c with state {1, 2, 3, 4}.
        let mut r = Xoshiro256pp::from_state([1, 2, 3, 4]);
        let expected = [
            41943041u64,
            58720359,
            3588806011781223,
            3591011842654386,
            9228616714210784205,
            9973669472204895162,
        ];
        for e in expected {
            assert_eq!(r.next_u64(), e);
        }
    }

    #[test]
    fn fnv_reference() {
        assert_eq!(key_hash(""), 0xcbf29ce484222325);
        assert_eq!(key_hash("a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn uniform_extremes_stay_inside() {
        // The largest and smallest outputs the formula can produce.
        let top = ((u64::MAX >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64);
        let bottom = 0.5 * (1.0 / (1u64 << 52) as f64);
        assert!(top < 1.0 && bottom > 0.0);
        assert!(1.0 - top > 0.0);
    }

    #[test]
    fn uniform_is_open_interval() {
        let mut r = Xoshiro256pp::from_seed_u64(7);
        for _ in 0..10_000 {
            let u = r.uniform();
            assert!(u > 0.0 && u < 1.0);
        }
    }

    #[test]
    fn replicate_streams_match_the_keyed_ones() {
        for (seed, rep, key) in [(1, 2, 3), (0, 0, 0), (u64::MAX, 12345, key_hash("a.b"))] {
            let r = ReplicateStreams::new(seed, rep);
            assert_eq!(r.seed(key), stream_seed(seed, rep, key));
            assert_eq!(
                r.uniform(key).to_bits(),
                Xoshiro256pp::stream(seed, rep, key).uniform().to_bits()
            );
            let (mut a, mut b) = (r.stream(key), Xoshiro256pp::stream(seed, rep, key));
            for _ in 0..4 {
                assert_eq!(a.next_u64(), b.next_u64());
            }
        }
    }

    #[test]
    fn streams_differ_by_each_component() {
        let base = keyed_uniform(1, 2, 3);
        assert_ne!(base, keyed_uniform(2, 2, 3));
        assert_ne!(base, keyed_uniform(1, 3, 3));
        assert_ne!(base, keyed_uniform(1, 2, 4));
        assert_eq!(base, keyed_uniform(1, 2, 3));
    }
}
