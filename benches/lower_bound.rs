//! A lower bound for the engine's day loop: the same replicates of the
//! bundled default scenario (same flows, same λ draws, same keyed streams,
//! same Poisson sampler, 180 days × 16 flows), with only the random draws and
//! a bare fluid queue per flow — no closures, lanes, spoilage, markets,
//! wages or metrics. The engine's cost per flow-day (`replicate/default/one`
//! in `benches/engine.rs`) is compared with this one in README.md
//! ("Performance").
//!
//! Run: `cargo bench --bench lower_bound -- --noplot`.

use bordersim::engine::Engine;
use bordersim::rng::Xoshiro256pp;
use bordersim::sampling::PoissonSampler;
use bordersim::scenario::{bundled, load_str};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn lower_bound(c: &mut Criterion) {
    let b = bundled::default();
    let s = load_str(b.text, b.name).expect("bundled scenario is valid");
    let e = Engine::new(&s);
    let mut ws = e.workspace();
    let (h, nf) = (s.meta.horizon, s.flows.len());
    let mut samplers = vec![PoissonSampler::default(); nf];
    let mut rngs = vec![Xoshiro256pp::from_seed_u64(0); nf];
    let mut lam = vec![0.0; nf];
    let mut queue = vec![0.0; nf];
    let mut g = c.benchmark_group("lower_bound");
    g.throughput(Throughput::Elements((h * nf) as u64));
    let mut rep = 0u64;
    // A replicate's start: its inputs, each flow's sampler set to its λ and
    // its arrival stream.
    let start = |rep: u64,
                 inputs: &mut bordersim::engine::Inputs,
                 lam: &mut [f64],
                 samplers: &mut [PoissonSampler],
                 rngs: &mut [Xoshiro256pp]| {
        e.draw_inputs(1, rep, inputs);
        for (f, fl) in s.flows.iter().enumerate() {
            lam[f] = inputs.get(fl.trucks_per_day);
            samplers[f].set(lam[f]);
            rngs[f] = Xoshiro256pp::stream(1, rep, fl.arrivals_key);
        }
    };
    // Draws only: one Poisson draw per flow-day, summed.
    g.bench_function("draws_only", |bch| {
        bch.iter(|| {
            rep += 1;
            start(rep, &mut ws.inputs, &mut lam, &mut samplers, &mut rngs);
            let mut total = 0.0;
            for _ in 0..h {
                for f in 0..nf {
                    total += samplers[f].sample(&mut rngs[f]);
                }
            }
            black_box(total)
        })
    });
    // Draws and arithmetic: the draw, a fluid queue per flow (closed for the
    // first 30 days, then served at 1.5 λ a day) and a discounted waiting
    // cost on what stays queued.
    g.bench_function("draws_and_queue", |bch| {
        bch.iter(|| {
            rep += 1;
            start(rep, &mut ws.inputs, &mut lam, &mut samplers, &mut rngs);
            queue.fill(0.0);
            let (mut served, mut cost, mut discount) = (0.0, 0.0, 1.0);
            for t in 0..h {
                let open = if t < 30 { 0.0 } else { 1.0 };
                discount *= 0.95;
                for f in 0..nf {
                    let a = samplers[f].sample(&mut rngs[f]);
                    let q = queue[f] + a;
                    let x = q.min(open * 1.5 * lam[f]);
                    served += x;
                    queue[f] = q - x;
                    cost += queue[f] * discount;
                }
            }
            black_box((served, cost))
        })
    });
    // The same draws as the engine makes them (`Engine::realise`): each
    // flow's whole series into a day buffer, four flows at a time in the
    // lanes of one vector register (`PoissonSampler::fill_series`). No
    // loop-carried sum: the cheapest layout of the draws.
    let mut days = vec![0.0; h * nf];
    g.bench_function("draws_by_flow", |bch| {
        bch.iter(|| {
            rep += 1;
            start(rep, &mut ws.inputs, &mut lam, &mut samplers, &mut rngs);
            PoissonSampler::fill_series(&samplers, &mut rngs, &mut days);
            black_box(&days);
        })
    });
    // The same bare queue as `draws_and_queue`, laid out as the engine
    // lays out its phases: all flows' draws over all days, then each
    // flow's queue over all days.
    g.bench_function("draws_and_queue_by_flow", |bch| {
        bch.iter(|| {
            rep += 1;
            start(rep, &mut ws.inputs, &mut lam, &mut samplers, &mut rngs);
            PoissonSampler::fill_series(&samplers, &mut rngs, &mut days);
            let (mut served, mut cost) = (0.0, 0.0);
            for (series, &lam) in days.chunks_exact(h).zip(&lam) {
                let (mut queue, mut discount) = (0.0, 1.0);
                for (t, &a) in series.iter().enumerate() {
                    let open = if t < 30 { 0.0 } else { 1.0 };
                    discount *= 0.95;
                    let q = queue + a;
                    let x = q.min(open * 1.5 * lam);
                    served += x;
                    queue = q - x;
                    cost += queue * discount;
                }
            }
            black_box((served, cost))
        })
    });
    g.finish();
}

criterion_group!(benches, lower_bound);
criterion_main!(benches);
