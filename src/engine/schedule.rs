//! Closure events → the open fraction `o_c(t)` of every crossing and day.
//!
//! Overlapping events take the minimum. A duration `d` closes `⌊d⌋` whole
//! days and the next day partly: its open fraction is `1 − frac(d)·(1 − o)`,
//! so outcomes change continuously with the duration. A start day is
//! rounded down to a whole day.

use super::Inputs;
use crate::rng::{ReplicateStreams, key_hash};
use crate::scenario::{Scenario, Timing};

const OCCURS: u64 = key_hash("occurs");

/// Lowers `open[start .. start + d]` to `o` (the partial last day blended).
fn close(open: &mut [f64], start: usize, d: f64, o: f64) {
    let h = open.len();
    if start >= h || d <= 0.0 {
        return;
    }
    let whole = d.floor();
    let frac = d - whole;
    let end = start.saturating_add(whole.min(h as f64) as usize).min(h);
    for x in &mut open[start..end] {
        *x = x.min(o);
    }
    if frac > 0.0 && end < h {
        let partial = 1.0 - frac * (1.0 - o);
        open[end] = open[end].min(partial);
    }
}

/// Fills `open` (crossing-major, `H` per crossing) for replicate `rep`.
pub fn fill_open_fractions(s: &Scenario, seed: u64, rep: u64, v: &Inputs, open: &mut [f64]) {
    let h = s.meta.horizon;
    open.fill(1.0);
    let streams = ReplicateStreams::new(seed, rep);
    for e in &s.events {
        let mut rng = streams.stream(e.key ^ OCCURS);
        let happens = rng.uniform() < v.get(e.probability);
        let o = v.get(e.open_fraction);
        let stagger = |c: usize| {
            e.stagger
                .iter()
                .find(|(sc, _)| *sc == c)
                .map_or(0.0, |(_, p)| v.get(*p))
        };
        match &e.timing {
            Timing::Fixed { start, duration } => {
                if !happens {
                    continue;
                }
                let start = v.get(*start).floor().max(0.0).min(h as f64) as usize;
                let d = v.get(*duration);
                for &c in &e.crossings {
                    close(&mut open[c * h..(c + 1) * h], start, d + stagger(c), o);
                }
            }
            Timing::Recurrent {
                start,
                end,
                hazard,
                duration,
            } => {
                let first = v.get(*start).floor().max(0.0).min(h as f64) as usize;
                let hz = v.get(*hazard);
                // Two uniforms every day, used or not, so that the stream
                // stays aligned across variants (common random numbers).
                for t in first..*end {
                    let u_start = rng.uniform();
                    let u_dur = rng.uniform();
                    if happens && u_start < hz {
                        let d = duration.quantile(u_dur);
                        for &c in &e.crossings {
                            close(&mut open[c * h..(c + 1) * h], t, d + stagger(c), o);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::close;

    #[test]
    fn whole_and_partial_days() {
        let mut o = vec![1.0; 6];
        close(&mut o, 1, 2.5, 0.0);
        assert_eq!(o, vec![1.0, 0.0, 0.0, 0.5, 1.0, 1.0]);
        close(&mut o, 3, 1.0, 0.2);
        assert_eq!(o, vec![1.0, 0.0, 0.0, 0.2, 1.0, 1.0]);
        close(&mut o, 5, 10.0, 0.0);
        assert_eq!(o[5], 0.0);
    }
}
