//! Criterion benchmarks of the engine. Throughput is reported in flow-days
//! (replicate × day × flow) or replicates per second.
//!
//! Run: `cargo bench --bench engine` (add `-- NAME` to filter).

use bordersim::engine::Engine;
use bordersim::rng::Xoshiro256pp;
use bordersim::run::{RunConfig, run};
use bordersim::scenario::{Scenario, bundled, load_str};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn default_scenario() -> Scenario {
    let b = bundled::default();
    load_str(b.text, b.name).expect("bundled scenario is valid")
}

fn flow_days(s: &Scenario, reps: u64) -> u64 {
    reps * s.meta.horizon as u64 * s.flows.len() as u64
}

fn replicate(c: &mut Criterion) {
    let s = default_scenario();
    let e = Engine::new(&s);
    let mut ws = e.workspace();
    let mut row = vec![0.0; e.layout.len()];
    let mut g = c.benchmark_group("replicate");
    g.throughput(Throughput::Elements(flow_days(&s, 1)));
    let mut rep = 0u64;
    g.bench_function("default/one", |b| {
        b.iter(|| {
            rep += 1;
            e.simulate(black_box(1), rep, &mut ws, &mut row);
        })
    });
    // The same replicates with the vector kernels off (identical values):
    // what the four-flow arrivals kernel saves.
    let scalar = Engine::new(&s).with_vector_kernels(false);
    g.bench_function("default/one_scalar_kernels", |b| {
        b.iter(|| {
            rep += 1;
            scalar.simulate(black_box(1), rep, &mut ws, &mut row);
        })
    });
    g.bench_function("default/draw_inputs_only", |b| {
        b.iter(|| {
            rep += 1;
            e.draw_inputs(1, rep, &mut ws.inputs);
        })
    });
    g.bench_function("default/day_loop_only", |b| {
        e.draw_inputs(1, 0, &mut ws.inputs);
        b.iter(|| {
            rep += 1;
            e.simulate_with_inputs(1, rep, &mut ws, &mut row);
        })
    });
    g.throughput(Throughput::Elements(flow_days(&s, 1000)));
    g.sample_size(10);
    g.bench_function("default/batch_1000", |b| {
        b.iter(|| {
            for r in 0..1000 {
                e.simulate(1, r, &mut ws, &mut row);
            }
        })
    });
    g.finish();
}

fn full_run(c: &mut Criterion) {
    let s = default_scenario();
    let e = Engine::new(&s);
    let n = 4096;
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let cfg = RunConfig {
            replicates: n,
            seed: 1,
            exact_quantile_limit: 0,
        };
        g.bench_with_input(BenchmarkId::new("default", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| run(&e, &cfg, None, &|_| {})).unwrap())
        });
    }
    g.finish();
}

/// One perishable flow at one crossing, closed for `d` days of an
/// `h`-day horizon (every dispatched truck queues, and the queue only grows
/// while closed).
fn closure_scenario(d: usize, h: usize) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "len"
horizon_days = {h}
[crossings.x]
max_trucks_per_day = 500
workers = 1000
wage_per_day = 5
alt_work_share = 0.2
savings_days = 10
[commodities.g]
perishable = true
shelf_life_shape = 2
shelf_life_scale_days = 10
import_share = 0.3
demand_elasticity = 0.5
inventory_days = 5
market_value_usd_per_day = 1e6
cpi_weight = 0.01
max_price_multiplier = 3
[flows.a]
crossing = "x"
direction = "af_to_pk"
commodity = "g"
trucks_per_day = 300
value_usd_per_truck = 20000
tonnes_per_truck = 20
duty_rate = 0.1
[events.e]
crossings = ["x"]
duration_days = {d}
"#
    );
    load_str(&text, "bench").unwrap()
}

/// Long queues must not cost more per day than short ones.
/// `closure_length/days/D`: a closure of D days in a 180-day horizon (cost
/// grows linearly in D: each closed day adds a cohort to the queue, each
/// cohort is touched O(1) times). `closure_horizon/days/H`: closed for the
/// whole horizon of H days, so the queue holds up to H cohorts: the cost
/// per flow-day (the reported throughput) must not fall as H grows.
fn closure_length(c: &mut Criterion) {
    let mut bench = |group: &str, d: usize, h: usize, label: usize| {
        let s = closure_scenario(d, h);
        let e = Engine::new(&s);
        let mut ws = e.workspace();
        let mut row = vec![0.0; e.layout.len()];
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Elements(flow_days(&s, 1)));
        let mut rep = 0;
        g.bench_with_input(BenchmarkId::new("days", label), &label, |b, _| {
            b.iter(|| {
                rep += 1;
                e.simulate(1, rep, &mut ws, &mut row)
            })
        });
        g.finish();
    };
    for d in [7, 30, 90, 180] {
        bench("closure_length", d, 180, d);
    }
    for h in [90, 180, 360, 720] {
        bench("closure_horizon", h, h, h);
    }
}

/// The generator and Poisson sampler choices: the engine's sampler
/// (`PoissonSampler`: alias table of Poisson(⌊λ⌋) over its central range,
/// with escapes to its tails, plus Poisson(λ − ⌊λ⌋) by inversion, PTRS
/// from λ = 1024) beside the previous one (`PoissonInversion`: guide-table
/// inversion below λ = 40, PTRS above) and rand_distr's, per draw with one
/// λ (hot tables), per re-targeting (`set`, once per flow and replicate),
/// and in the engine's access pattern (`engine_pattern`: 16 flows with
/// tables that change every replicate). Kept for the comparison that
/// justified the choice.
fn samplers(c: &mut Criterion) {
    use bordersim::sampling::{PoissonInversion, PoissonSampler};
    use rand_distr::{Distribution, Poisson};
    let mut g = c.benchmark_group("sampler");
    g.throughput(Throughput::Elements(1000));
    let mut x = Xoshiro256pp::from_seed_u64(1);
    g.bench_function("xoshiro256pp/uniform", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for _ in 0..1000 {
                s += x.uniform();
            }
            s
        })
    });
    for lam in [8.0f64, 30.0, 45.5, 150.0] {
        let p = Poisson::new(lam).unwrap();
        g.bench_function(format!("rand_distr_poisson/lambda{lam}"), |b| {
            b.iter(|| {
                let mut s = 0.0;
                for _ in 0..1000 {
                    s += p.sample(&mut x);
                }
                s
            })
        });
        let old = PoissonInversion::new(lam);
        g.bench_function(format!("inversion_ptrs/lambda{lam}"), |b| {
            b.iter(|| {
                let mut s = 0.0;
                for _ in 0..1000 {
                    s += old.sample(&mut x);
                }
                s
            })
        });
        let new = PoissonSampler::new(lam);
        g.bench_function(format!("alias/lambda{lam}"), |b| {
            b.iter(|| {
                let mut s = 0.0;
                for _ in 0..1000 {
                    s += new.sample(&mut x);
                }
                s
            })
        });
    }
    // Re-targeting, λ cycling over typical uncertain rates (the alias
    // tables of their integer parts are built before timing starts).
    let lams = [23.7, 31.2, 44.9, 27.3, 142.5, 168.1, 8.3, 51.9];
    let mut old = PoissonInversion::default();
    g.bench_function("inversion_ptrs/set", |b| {
        b.iter(|| {
            for _ in 0..125 {
                for &lam in &lams {
                    old.set(black_box(lam));
                }
            }
        })
    });
    let mut new = PoissonSampler::default();
    for &lam in &lams {
        new.set(lam);
    }
    g.bench_function("alias/set", |b| {
        b.iter(|| {
            for _ in 0..125 {
                for &lam in &lams {
                    new.set(black_box(lam));
                }
            }
        })
    });
    // The engine's access pattern: 16 flows, each with its own stream and a
    // λ redrawn every replicate (uniform on [1, 200], precomputed for 256
    // replicates), re-targeted once per replicate and then sampled day by day,
    // the flows interleaved (`for day in 0..180 { for f in 0..16 { … } }`).
    // Unlike the hot loops above, each replicate touches 16 different tables
    // that change from one replicate to the next, so the cost includes the
    // cache misses of the table entries. Throughput: draws (180 × 16 per
    // replicate, the 16 `set`s included).
    {
        const FLOWS: usize = 16;
        const DAYS: usize = 180;
        const REPS: usize = 256;
        g.throughput(Throughput::Elements((DAYS * FLOWS) as u64));
        let mut x = Xoshiro256pp::from_seed_u64(7);
        let lams: Vec<f64> = (0..REPS * FLOWS)
            .map(|_| 1.0 + 199.0 * x.uniform())
            .collect();
        let mut samplers = vec![PoissonSampler::default(); FLOWS];
        // Build every table the list needs before timing starts.
        for &lam in &lams {
            samplers[0].set(lam);
        }
        let mut rngs: Vec<Xoshiro256pp> = (0..FLOWS as u64)
            .map(|f| Xoshiro256pp::from_seed_u64(100 + f))
            .collect();
        let mut rep = 0usize;
        // The next replicate: each sampler re-targeted to its new λ.
        let retarget = |rep: &mut usize, samplers: &mut [PoissonSampler]| {
            let lam = &lams[*rep * FLOWS..(*rep + 1) * FLOWS];
            *rep = (*rep + 1) % REPS;
            for (s, &l) in samplers.iter_mut().zip(lam) {
                s.set(black_box(l));
            }
        };
        g.bench_function("engine_pattern", |b| {
            b.iter(|| {
                retarget(&mut rep, &mut samplers);
                let mut sum = 0.0;
                for _ in 0..DAYS {
                    for (s, r) in samplers.iter().zip(rngs.iter_mut()) {
                        sum += s.sample(r);
                    }
                }
                sum
            })
        });
        // The engine's order since the four-lane fill: each flow's whole
        // series into a day buffer, one flow at a time (`fill`) or four
        // flows at a time in the lanes of one AVX2 register (`fill_four`,
        // the engine's choice; four scalar fills without AVX2). Same values.
        let mut days = vec![0.0; FLOWS * DAYS];
        g.bench_function("engine_pattern/fill", |b| {
            b.iter(|| {
                retarget(&mut rep, &mut samplers);
                for ((s, r), d) in samplers
                    .iter()
                    .zip(rngs.iter_mut())
                    .zip(days.chunks_exact_mut(DAYS))
                {
                    s.fill(r, d);
                }
                black_box(&days);
            })
        });
        g.bench_function("engine_pattern/fill_four", |b| {
            // `fill_series`: `fill_four` on flows 0–3, 4–7, …
            b.iter(|| {
                retarget(&mut rep, &mut samplers);
                PoissonSampler::fill_series(&samplers, &mut rngs, &mut days);
                black_box(&days);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, replicate, full_run, closure_length, samplers);
criterion_main!(benches);
