//! Steps 1–2 (demand, dispatch and the split of what is not dispatched) for
//! four flows of one crossing at once, in the four 64-bit lanes of an AVX2
//! register. [`Engine::arrivals`] runs it on each run of four consecutive
//! flow indices in a crossing's flow list.
//!
//! Every lane does the scalar loop's arithmetic ([`Engine::arrival_days`])
//! operation for operation, with no fused multiply-add, so each value is
//! the scalar one bit for bit. The crossing's flows share their open
//! fraction, so the open/closed branch is one for all lanes. The branches
//! that differ between flows become lane masks: where a scalar flow would
//! skip an update, its lane keeps the old value (a blend, never an added
//! zero, which would turn a −0 into +0). Sums that run across flows (each
//! day's loss, and a commodity's delivered and forgone cargo of the day)
//! are then added lane by lane in flow order, as the scalar loop adds them
//! day by day. The engine's tests compare whole replicates with the kernel
//! on and off.

use super::{Engine, Workspace};

/// Runs flows `f0..f0 + 4` of crossing `c` over all days if the CPU has
/// AVX2 and returns `true`; returns `false` without touching anything
/// otherwise.
#[cfg(target_arch = "x86_64")]
pub(super) fn run(eng: &Engine, ws: &mut Workspace, c: usize, f0: usize) -> bool {
    if !std::arch::is_x86_feature_detected!("avx2") {
        return false;
    }
    // SAFETY: the CPU has AVX2 (checked just above), the only feature the
    // kernel is compiled for.
    unsafe { avx2::run(eng, ws, c, f0) };
    true
}

/// No vector path off x86-64: the caller runs the flows one by one.
#[cfg(not(target_arch = "x86_64"))]
pub(super) fn run(_eng: &Engine, _ws: &mut Workspace, _c: usize, _f0: usize) -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Engine, Workspace};
    use std::arch::x86_64::*;

    /// `x[0..4]` as a vector (lane `i` = `x[i]`).
    #[target_feature(enable = "avx2")]
    #[inline]
    fn load(x: &[f64]) -> __m256d {
        let x: &[f64; 4] = x[..4].try_into().expect("four values");
        // SAFETY: reads the 32 bytes of a four-element array (unaligned).
        unsafe { _mm256_loadu_pd(x.as_ptr()) }
    }

    /// Writes the lanes of `v` to `x[0..4]`.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn store(x: &mut [f64], v: __m256d) {
        let x: &mut [f64; 4] = (&mut x[..4]).try_into().expect("four values");
        // SAFETY: writes the 32 bytes of a four-element array (unaligned).
        unsafe { _mm256_storeu_pd(x.as_mut_ptr(), v) }
    }

    /// The lanes of `v` as an array.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn lanes(v: __m256d) -> [f64; 4] {
        let mut x = [0.0; 4];
        store(&mut x, v);
        x
    }

    /// `m ? a : b`, lane by lane (`m` a compare result).
    #[target_feature(enable = "avx2")]
    #[inline]
    fn select(m: __m256d, a: __m256d, b: __m256d) -> __m256d {
        _mm256_blendv_pd(b, a, m)
    }

    /// `acc + x` in the lanes of `m`, `acc` in the others.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn add_where(m: __m256d, acc: __m256d, x: __m256d) -> __m256d {
        select(m, _mm256_add_pd(acc, x), acc)
    }

    /// `a > b` (false where either is NaN, as the scalar `>`).
    #[target_feature(enable = "avx2")]
    #[inline]
    fn gt(a: __m256d, b: __m256d) -> __m256d {
        _mm256_cmp_pd::<_CMP_GT_OQ>(a, b)
    }

    /// The flows' running totals of what was not dispatched (`Split`, one
    /// lane per flow).
    struct Split4 {
        rerouted: __m256d,
        external: __m256d,
        external_cost: __m256d,
        diverted: __m256d,
        diversion: __m256d,
        forgone_t: __m256d,
        forgone_v: __m256d,
        customs_lost: __m256d,
        deferred: __m256d,
        delayed_v: __m256d,
        customs_delayed: __m256d,
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn run(eng: &Engine, ws: &mut Workspace, c: usize, f0: usize) {
        let s = eng.scenario;
        let h = s.meta.horizon;
        let nf = ws.f.lam.len();
        let k = ws.k;
        let can_reroute = ws.cc[c].can_reroute;
        let external = k.ext_share > 0.0;
        let fl = f0..f0 + 4;
        let (zero, one) = (_mm256_setzero_pd(), _mm256_set1_pd(1.0));

        // Per-flow constants, lane i = flow f0 + i.
        let fs = &ws.f;
        let lam = load(&fs.lam[fl.clone()]);
        let (value, duty, decay) = (
            load(&fs.value[fl.clone()]),
            load(&fs.duty[fl.clone()]),
            load(&fs.decay[fl.clone()]),
        );
        let (divert, divert_cost) = (
            load(&fs.divert[fl.clone()]),
            load(&fs.divert_cost[fl.clone()]),
        );
        let back_max = _mm256_mul_pd(_mm256_set1_pd(k.ret_share), lam);
        let pool_floor = _mm256_mul_pd(_mm256_set1_pd(1e-12), _mm256_max_pd(lam, one));
        let g: [usize; 4] = std::array::from_fn(|i| eng.flow_commodity[f0 + i]);
        let row = g.map(|g| g * h);
        let perishable: [bool; 4] = std::array::from_fn(|i| eng.flow_perishable[f0 + i]);
        let mask = |b: [bool; 4]| {
            let m = b.map(|x| if x { f64::from_bits(u64::MAX) } else { 0.0 });
            load(&m)
        };
        let is_perishable = mask(perishable);
        let ext_share_g = load(&g.map(|g| ws.shelf[g].external));
        let ext_keep = _mm256_sub_pd(one, ext_share_g);
        let mut pool = load(&fs.pool[fl.clone()]);
        let mut sp = Split4 {
            rerouted: load(&fs.rerouted_t[fl.clone()]),
            external: load(&fs.external_t[fl.clone()]),
            external_cost: load(&fs.external_cost[fl.clone()]),
            diverted: load(&fs.diverted_t[fl.clone()]),
            diversion: load(&fs.diversion[fl.clone()]),
            forgone_t: load(&fs.forgone_t[fl.clone()]),
            forgone_v: load(&fs.forgone_v[fl.clone()]),
            customs_lost: load(&fs.customs_lost[fl.clone()]),
            deferred: load(&fs.deferred_t[fl.clone()]),
            delayed_v: load(&fs.delayed_v[fl.clone()]),
            customs_delayed: load(&fs.customs_delayed[fl.clone()]),
        };

        let demand = &ws.daily_demand[f0 * h..(f0 + 4) * h];
        let (d0, rest) = demand.split_at(h);
        let (d1, rest) = rest.split_at(h);
        let (d2, d3) = rest.split_at(h);
        let open = &ws.open[c * h..(c + 1) * h];
        // exp(−τ/θ) on the current closure day τ (set on its first day).
        let mut persist = one;
        for t in 0..h {
            let o = open[t];
            let d = _mm256_set_pd(d3[t], d2[t], d1[t], d0[t]);
            let ix = t * nf + f0;
            if o >= 1.0 {
                // Open: every truck is dispatched; deferred trucks come back
                // (where the pool holds any).
                let has = gt(pool, zero);
                let r = _mm256_min_pd(pool, back_max);
                let left = _mm256_sub_pd(pool, r);
                let low = _mm256_cmp_pd::<_CMP_LT_OQ>(left, pool_floor);
                pool = select(has, select(low, zero, left), pool);
                let back = select(has, r, zero);
                store(&mut ws.sent[ix..], _mm256_add_pd(d, back));
                store(&mut ws.returned[ix..], back);
                continue;
            }
            let was_closed = t > 0 && open[t - 1] < 1.0;
            persist = if was_closed {
                _mm256_mul_pd(persist, decay)
            } else {
                one
            };
            let share = _mm256_add_pd(
                _mm256_set1_pd(o),
                _mm256_mul_pd(_mm256_set1_pd(1.0 - o), persist),
            );
            let dispatched = _mm256_mul_pd(d, share);
            let mut not_sent = _mm256_sub_pd(d, dispatched);
            let m = gt(not_sent, zero);
            let bits = _mm256_movemask_pd(m);
            if bits != 0 {
                if can_reroute {
                    let r = _mm256_mul_pd(not_sent, _mm256_set1_pd(k.reroute_share));
                    let old = load(&ws.rerouted[ix..]);
                    store(&mut ws.rerouted[ix..], select(m, r, old));
                    sp.rerouted = add_where(m, sp.rerouted, r);
                    not_sent = _mm256_sub_pd(not_sent, r);
                }
                let (mut cost, mut spoilt, mut kept) = (zero, zero, zero);
                if external {
                    let x = _mm256_mul_pd(not_sent, _mm256_set1_pd(k.ext_share));
                    not_sent = _mm256_sub_pd(not_sent, x);
                    let old = load(&ws.ext_trucks[ix..]);
                    store(&mut ws.ext_trucks[ix..], select(m, x, old));
                    sp.external = add_where(m, sp.external, x);
                    cost = _mm256_mul_pd(x, _mm256_set1_pd(k.ext_cost));
                    sp.external_cost = add_where(m, sp.external_cost, cost);
                    spoilt = _mm256_mul_pd(_mm256_mul_pd(x, value), ext_share_g);
                    kept = _mm256_mul_pd(x, ext_keep);
                }
                let diverted = _mm256_mul_pd(not_sent, divert);
                let rest = _mm256_sub_pd(not_sent, diverted);
                sp.diverted = add_where(m, sp.diverted, diverted);
                let dc = _mm256_mul_pd(diverted, divert_cost);
                sp.diversion = add_where(m, sp.diversion, dc);
                let val = _mm256_mul_pd(rest, value);
                let customs = _mm256_mul_pd(val, duty);
                let pm = _mm256_and_pd(m, is_perishable);
                sp.forgone_t = add_where(pm, sp.forgone_t, rest);
                sp.forgone_v = add_where(pm, sp.forgone_v, val);
                sp.customs_lost = add_where(pm, sp.customs_lost, customs);
                let dm = _mm256_andnot_pd(is_perishable, m);
                pool = add_where(dm, pool, rest);
                sp.deferred = add_where(dm, sp.deferred, rest);
                sp.delayed_v = add_where(dm, sp.delayed_v, val);
                sp.customs_delayed = add_where(dm, sp.customs_delayed, customs);

                // Sums across flows, in flow order.
                let (cost, spoilt, kept) = (lanes(cost), lanes(spoilt), lanes(kept));
                let (dc, rest, val) = (lanes(dc), lanes(rest), lanes(val));
                let day_loss = &mut ws.cumulative_loss[t];
                for i in (0..4).filter(|i| bits & (1 << i) != 0) {
                    if external {
                        *day_loss += cost[i];
                        *day_loss += spoilt[i];
                        ws.delivered[row[i] + t] += kept[i];
                    }
                    *day_loss += dc[i];
                    if perishable[i] {
                        ws.forgone_t[row[i] + t] += rest[i];
                        ws.forgone_v[row[i] + t] += val[i];
                    }
                }
            }
            store(&mut ws.sent[ix..], dispatched);
            store(&mut ws.returned[ix..], zero);
        }

        let fs = &mut ws.f;
        store(&mut fs.pool[fl.clone()], pool);
        store(&mut fs.rerouted_t[fl.clone()], sp.rerouted);
        store(&mut fs.external_t[fl.clone()], sp.external);
        store(&mut fs.external_cost[fl.clone()], sp.external_cost);
        store(&mut fs.diverted_t[fl.clone()], sp.diverted);
        store(&mut fs.diversion[fl.clone()], sp.diversion);
        store(&mut fs.forgone_t[fl.clone()], sp.forgone_t);
        store(&mut fs.forgone_v[fl.clone()], sp.forgone_v);
        store(&mut fs.customs_lost[fl.clone()], sp.customs_lost);
        store(&mut fs.deferred_t[fl.clone()], sp.deferred);
        store(&mut fs.delayed_v[fl.clone()], sp.delayed_v);
        store(&mut fs.customs_delayed[fl], sp.customs_delayed);
    }
}
