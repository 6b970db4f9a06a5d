//! The Monte Carlo engine: one replicate of MODEL.md's day loop.
//!
//! [`Engine::simulate`] runs replicate `r`: it draws every uncertain input by
//! inversion of its keyed uniform ([`crate::rng`]), builds the closure
//! timeline ([`schedule`]), then computes MODEL.md's day: open fraction →
//! arrivals → FIFO service ([`queue`]) → spoilage → work and wages → markets
//! and prices → customs. Since no step reads a later one's state (rerouted
//! trucks, the only link between crossings, are sent during arrivals), the
//! steps run phase by phase over all days: every flow's arrivals, then every
//! crossing's queue, then every market, with each day's sums taken in the
//! order a day-by-day loop would take them. It writes one row of metrics
//! ([`metrics::Layout`]) and the replicate's daily series into the
//! [`Workspace`].
//!
//! The engine does no IO and cannot fail: the scenario was validated.
//! After [`Engine::workspace`] allocates a thread's workspace, simulating
//! allocates nothing.

mod arrivals_four;
pub mod metrics;
pub mod queue;
pub mod schedule;

use crate::rng::{ReplicateStreams, Xoshiro256pp};
use crate::sampling::PoissonSampler;
use crate::scenario::{Currency, ParamId, Priority, Scenario};
use metrics::{Layout, SeriesDef, ix};
use queue::{Lane, Served, serve_fifo};

/// The value of every input in one replicate, by [`ParamId`].
#[derive(Clone, Debug)]
pub struct Inputs {
    pub values: Vec<f64>,
    /// The uniforms behind the uncertain inputs, in [`Engine::uncertain`]
    /// order (after any rank correlation is imposed).
    pub uniforms: Vec<f64>,
}

impl Inputs {
    /// The value of one input.
    #[inline]
    pub fn get(&self, id: ParamId) -> f64 {
        self.values[id.ix()]
    }
}

/// A scenario prepared for simulation (metric layout, base values).
#[derive(Clone, Debug)]
pub struct Engine<'s> {
    pub scenario: &'s Scenario,
    pub layout: Layout,
    pub series: Vec<SeriesDef>,
    /// Values of the constant inputs (uncertain ones are overwritten per
    /// replicate).
    base: Vec<f64>,
    uncertain: Vec<ParamId>,
    /// Slots of lane `2c` (perishables) and `2c + 1` (others) of crossing
    /// `c`.
    lane_slots: Vec<Vec<Slot>>,
    /// Per flow: its commodity, crossing and perishability (copied out of
    /// the scenario for the hot loop).
    flow_commodity: Vec<usize>,
    flow_crossing: Vec<usize>,
    flow_perishable: Vec<bool>,
    /// Per crossing: whether any of its slots holds rerouted trucks.
    has_rerouted_slots: Vec<bool>,
    /// Per crossing: its flows in order, each with the start of its
    /// commodity's days in the commodity-major arrays (`g · H`).
    crossing_flows: Vec<Vec<(usize, usize)>>,
    /// `ln w` for whole days `w = 0..=H` (spoilage of queued cohorts).
    ln_days: Vec<f64>,
    /// For each correlation group, the positions of its inputs in
    /// `uncertain`.
    corr_positions: Vec<Vec<usize>>,
    /// Whether the vector kernels (four flows' arrivals at once) may run
    /// where the CPU has them; they give the scalar loop's values bit for
    /// bit (see [`Engine::with_vector_kernels`]).
    vector_kernels: bool,
}

/// One slot of a lane: a flow's trucks queued at a crossing.
#[derive(Clone, Copy, Debug)]
struct Slot {
    flow: usize,
    /// The flow's commodity, and whether it spoils.
    commodity: usize,
    perishable: bool,
    /// Rerouted here from the flow's own crossing.
    rerouted: bool,
}

/// Per-thread reusable state: allocated once, reset per replicate.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub inputs: Inputs,
    /// `o_c(t)`, crossing-major.
    pub open: Vec<f64>,
    /// End-of-day queue per crossing, crossing-major.
    pub backlog: Vec<f64>,
    /// `M_g(t)`, commodity-major.
    pub price: Vec<f64>,
    /// Cumulative direct loss by day, USD.
    pub cumulative_loss: Vec<f64>,
    lanes: Vec<Lane>,
    /// The arrival samplers, one per flow, re-targeted to its λ every
    /// replicate.
    poisson: Vec<PoissonSampler>,
    /// Each flow's arrival stream for the current replicate.
    arrival_rngs: Vec<Xoshiro256pp>,
    /// `A_f(t)`, trucks demanded by flow `f` on day `t` (flow-major, `H`
    /// per flow), drawn when the replicate starts, four flows' series at a
    /// time (`PoissonSampler::fill_four`), so that their sampler tables stay
    /// in cache for the whole series.
    daily_demand: Vec<f64>,
    /// Trucks demanded per commodity and day (commodity-major) and per
    /// crossing and day (crossing-major): sums of `daily_demand` in the
    /// day loop's order, so they are bit-identical to summing day by day.
    demand_g: Vec<f64>,
    demand_c: Vec<f64>,
    /// Each flow's movements per day (day-major, `nf` per day): trucks
    /// sent to its crossing (dispatched plus returning deferred trucks),
    /// of them returning deferred trucks, and trucks rerouted to another
    /// crossing. Arrivals fill them for every day before service runs
    /// (`rerouted` only where a reroute lever is on: it is zeroed per
    /// replicate, and only flows of such crossings are read from it).
    sent: Vec<f64>,
    returned: Vec<f64>,
    rerouted: Vec<f64>,
    /// Trucks sent by the external route per day (day-major, `nf` per day).
    ext_trucks: Vec<f64>,
    /// What reaches each destination market per day (commodity-major,
    /// `H` per commodity): trucks delivered (net of spoiled cargo), and
    /// perishable exports forgone, in trucks and USD. The day loop fills
    /// them; [`Engine::markets`] then runs over each commodity's days.
    delivered: Vec<f64>,
    forgone_t: Vec<f64>,
    forgone_v: Vec<f64>,
    /// Each market's CPI contribution per day (market-major, `H` each).
    cpi: Vec<f64>,
    /// `S_g(w)` cache, commodity-major, `H + 1` per commodity (NaN = unset).
    spoil: Vec<f64>,
    f: FlowState,
    c: Vec<CrossingState>,
    g: CommodityState,
    /// Per lane: what its slots' trucks served from the queue add up to
    /// over the replicate (folded into the flows at the end).
    slot_acc: Vec<SlotTotals>,
    /// This replicate's constants (inputs looked up once per replicate).
    k: ReplicateConsts,
    cc: Vec<CrossingConsts>,
    gc: Vec<MarketConsts>,
    shelf: Vec<ShelfLife>,
    /// One commodity's days in [`Engine::markets`] (reused per commodity).
    market_days: MarketDays,
}

/// Trucks served from one lane's queue over a replicate, per slot.
#[derive(Clone, Debug, Default)]
struct SlotTotals {
    /// Trucks served.
    served: Vec<f64>,
    /// Trucks spoiled (served trucks × spoiled share).
    spoiled: Vec<f64>,
    /// Trucks served after waiting (or rerouted), less returned deferred
    /// trucks (already counted as delayed when deferred).
    delayed: Vec<f64>,
}

impl SlotTotals {
    fn new(n: usize) -> Self {
        Self {
            served: vec![0.0; n],
            spoiled: vec![0.0; n],
            delayed: vec![0.0; n],
        }
    }

    fn reset(&mut self) {
        self.served.fill(0.0);
        self.spoiled.fill(0.0);
        self.delayed.fill(0.0);
    }
}

/// Inputs shared by all flows, for one replicate.
#[derive(Clone, Copy, Debug, Default)]
struct ReplicateConsts {
    /// Deferred trucks returning per open day, share of λ_f.
    ret_share: f64,
    /// USD per queued truck per day.
    waiting_cost: f64,
    /// Share of undispatched trucks rerouted, and their extra days.
    reroute_share: f64,
    reroute_days: f64,
    /// External route: share and USD per truck (its spoilage is in
    /// [`ShelfLife::external`]).
    ext_share: f64,
    ext_cost: f64,
}

/// A crossing's inputs for one replicate.
#[derive(Clone, Copy, Debug, Default)]
struct CrossingConsts {
    /// `K_c`, trucks/day.
    capacity: f64,
    /// Surge after reopening: extra trucks/day for `surge_days` days (0: none).
    surge_extra: f64,
    surge_days: f64,
    /// Green-lane trucks/day for perishables on closed days (0: none).
    green: f64,
    /// `W_c`, workers.
    workers: f64,
    /// `a_c`, share of a lost day recovered elsewhere.
    alt: f64,
    /// Daily wage, USD.
    wage_usd: f64,
    /// Cash support, USD per lost worker-day (0: none).
    cash: f64,
    can_reroute: bool,
}

/// What the service phase reads of a crossing over all its days, looked
/// up once per crossing rather than once a day.
struct ServiceConsts<'a> {
    k: ReplicateConsts,
    cc: CrossingConsts,
    /// `(flow, g · H)` for the crossing's flows ([`Engine`]'s
    /// `crossing_flows`).
    flows: &'a [(usize, usize)],
}

/// One commodity's days between the passes of [`Engine::markets`] (`H`
/// each): the shortfall and substitution of each day that moves the market,
/// and the days that need a price power (its base waits in the day's
/// `price`, or in `origin_mult`, until the power replaces it).
#[derive(Clone, Debug, Default)]
struct MarketDays {
    /// Whether the day moves the market (demand not met exactly).
    active: Vec<bool>,
    /// Shortfall `x` (share of λ_g) and substitution share.
    x: Vec<f64>,
    subst: Vec<f64>,
    /// The origin price multiplier on the days listed in `origin_days`
    /// (between the passes, its base `1 + s·y`).
    origin_mult: Vec<f64>,
    /// The days whose destination price, and whose origin price, need a
    /// power.
    pow_days: Vec<usize>,
    origin_days: Vec<usize>,
}

impl MarketDays {
    fn new(h: usize) -> Self {
        Self {
            active: vec![false; h],
            x: vec![0.0; h],
            subst: vec![0.0; h],
            origin_mult: vec![0.0; h],
            pow_days: vec![0; h],
            origin_days: vec![0; h],
        }
    }
}

/// A commodity market's inputs for one replicate.
#[derive(Clone, Copy, Debug, Default)]
struct MarketConsts {
    /// Stock capacity, trucks (`inventory_days · λ_g`).
    cap_stock: f64,
    /// Substitution lag and ramp, days; share substituted at full ramp.
    lag: f64,
    ramp: f64,
    subst_share: f64,
    /// `m_g`, import share of consumption.
    import_share: f64,
    max_mult: f64,
    min_mult: f64,
    /// `−1/ε_g`.
    exponent: f64,
    /// USD/day.
    market_value: f64,
    premium: f64,
    cpi_weight: f64,
    /// Destination market (0 = Pakistan, 1 = Afghanistan).
    market: usize,
    origin_share: f64,
    /// `−1/ε` of the origin market.
    origin_exponent: f64,
    origin_min: f64,
    /// USD/day.
    origin_value: f64,
    rot_share: f64,
}

/// A commodity's shelf life for one replicate (see [`spoil_share_at`]).
#[derive(Clone, Copy, Debug, Default)]
struct ShelfLife {
    /// Whether the commodity spoils at all.
    perishable: bool,
    /// Weibull shape `k`.
    shape: f64,
    /// `ln s`, the log of the Weibull scale in days.
    ln_scale: f64,
    /// Cold chain: share refrigerated (0: none) and the log of its
    /// stretched scale `ln(m·s)`.
    cold_share: f64,
    ln_cold_scale: f64,
    /// Share spoiled on the external route (its travel days), 0 without one.
    external: f64,
}

impl ShelfLife {
    /// `S_g(w)` for a whole number of days `w ≥ 1` with `ln_w = ln w`:
    /// `(w/s)^k` computed as `exp(k·(ln w − ln s))`.
    #[inline]
    fn share(&self, ln_w: f64) -> f64 {
        let plain = 1.0 - (-(self.shape * (ln_w - self.ln_scale)).exp()).exp();
        if self.cold_share == 0.0 {
            plain
        } else {
            let cold = 1.0 - (-(self.shape * (ln_w - self.ln_cold_scale)).exp()).exp();
            (1.0 - self.cold_share) * plain + self.cold_share * cold
        }
    }
}

/// Whole-replicate running totals of the day loop.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    /// Direct loss so far, USD.
    cumulative: f64,
    /// Largest queue over all crossings, trucks.
    peak_total: f64,
    cpi_peak: [f64; 2],
    cpi_sum: [f64; 2],
    days_any_closed: f64,
    any_run: f64,
    longest_any: f64,
}

/// Per-flow values and accumulators (struct of arrays).
#[derive(Clone, Debug, Default)]
struct FlowState {
    lam: Vec<f64>,
    value: Vec<f64>,
    tonnes: Vec<f64>,
    duty: Vec<f64>,
    divert: Vec<f64>,
    divert_cost: Vec<f64>,
    /// `exp(−1/θ_f)`: the dispatch persistence factor of one more closed day.
    decay: Vec<f64>,
    /// Deferred trucks waiting to return, trucks.
    pool: Vec<f64>,
    // accumulators
    demand: Vec<f64>,
    served: Vec<f64>,
    spoiled_v: Vec<f64>,
    spoiled_t: Vec<f64>,
    delayed_v: Vec<f64>,
    forgone_t: Vec<f64>,
    forgone_v: Vec<f64>,
    diverted_t: Vec<f64>,
    diversion: Vec<f64>,
    deferred_t: Vec<f64>,
    customs_lost: Vec<f64>,
    customs_delayed: Vec<f64>,
    stranded: Vec<f64>,
    rerouted_t: Vec<f64>,
    external_t: Vec<f64>,
    external_cost: Vec<f64>,
}

/// One crossing's values and accumulators (a plain value: the service
/// phase keeps it in registers over the crossing's days).
#[derive(Clone, Copy, Debug, Default)]
struct CrossingState {
    /// `λ_c`, trucks/day.
    lam: f64,
    days_closed: f64,
    /// USD.
    waiting: f64,
    /// Trucks.
    peak: f64,
    lost_pd: f64,
    /// USD.
    lost_wages: f64,
    /// Uncovered lost days per worker, in days of wages.
    uncovered: f64,
    /// USD.
    cash: f64,
    /// Trucks queued when the crossing last reopened.
    backlog_at_reopen: f64,
    run_closed: f64,
    longest: f64,
    since_reopen: f64,
    reopen: Option<usize>,
    cleared: Option<usize>,
}

/// Per-commodity values and accumulators.
#[derive(Clone, Debug, Default)]
struct CommodityState {
    lam: Vec<f64>,
    consumer: Vec<f64>,
    consumer_extra: Vec<f64>,
    glut: Vec<f64>,
    peak: Vec<f64>,
    sum_m: Vec<f64>,
    spoiled_v: Vec<f64>,
    spoiled_t: Vec<f64>,
}

/// A flow's totals of what was not dispatched (trucks and USD), held in
/// registers while its days run (see [`Engine::arrivals`]).
#[derive(Clone, Copy, Debug)]
struct Split {
    rerouted: f64,
    external: f64,
    external_cost: f64,
    diverted: f64,
    diversion: f64,
    forgone_t: f64,
    forgone_v: f64,
    customs_lost: f64,
    deferred: f64,
    delayed_v: f64,
    customs_delayed: f64,
}

impl Split {
    fn load(fs: &FlowState, f: usize) -> Self {
        Self {
            rerouted: fs.rerouted_t[f],
            external: fs.external_t[f],
            external_cost: fs.external_cost[f],
            diverted: fs.diverted_t[f],
            diversion: fs.diversion[f],
            forgone_t: fs.forgone_t[f],
            forgone_v: fs.forgone_v[f],
            customs_lost: fs.customs_lost[f],
            deferred: fs.deferred_t[f],
            delayed_v: fs.delayed_v[f],
            customs_delayed: fs.customs_delayed[f],
        }
    }

    fn store(&self, fs: &mut FlowState, f: usize) {
        fs.rerouted_t[f] = self.rerouted;
        fs.external_t[f] = self.external;
        fs.external_cost[f] = self.external_cost;
        fs.diverted_t[f] = self.diverted;
        fs.diversion[f] = self.diversion;
        fs.forgone_t[f] = self.forgone_t;
        fs.forgone_v[f] = self.forgone_v;
        fs.customs_lost[f] = self.customs_lost;
        fs.deferred_t[f] = self.deferred;
        fs.delayed_v[f] = self.delayed_v;
        fs.customs_delayed[f] = self.customs_delayed;
    }
}

/// Truck accounting of one replicate, for the conservation check:
/// `demand = served + queued + forgone + diverted + external +
/// deferred_pending` (rerouted trucks are served or queued at the crossing
/// they were sent to).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TruckBalance {
    pub demand: f64,
    pub served: f64,
    pub queued: f64,
    pub forgone: f64,
    pub diverted: f64,
    pub external: f64,
    pub deferred_pending: f64,
}

fn zeroed(vs: &mut [&mut Vec<f64>], n: usize) {
    for v in vs {
        v.clear();
        v.resize(n, 0.0);
    }
}

impl FlowState {
    fn reset_to(&mut self, n: usize) {
        zeroed(
            &mut [
                &mut self.lam,
                &mut self.value,
                &mut self.tonnes,
                &mut self.duty,
                &mut self.divert,
                &mut self.divert_cost,
                &mut self.decay,
                &mut self.pool,
                &mut self.demand,
                &mut self.served,
                &mut self.spoiled_v,
                &mut self.spoiled_t,
                &mut self.delayed_v,
                &mut self.forgone_t,
                &mut self.forgone_v,
                &mut self.diverted_t,
                &mut self.diversion,
                &mut self.deferred_t,
                &mut self.customs_lost,
                &mut self.customs_delayed,
                &mut self.stranded,
                &mut self.rerouted_t,
                &mut self.external_t,
                &mut self.external_cost,
            ],
            n,
        );
    }
}

impl CommodityState {
    fn reset_to(&mut self, n: usize) {
        zeroed(
            &mut [
                &mut self.lam,
                &mut self.consumer,
                &mut self.consumer_extra,
                &mut self.glut,
                &mut self.peak,
                &mut self.sum_m,
                &mut self.spoiled_v,
                &mut self.spoiled_t,
            ],
            n,
        );
    }
}

/// `S(w) = 1 − exp(−(w/s)^k)`: share of a perishable cargo spoiled after
/// waiting `w` days (Weibull shelf life, shape `k`, scale `s` days).
#[inline]
pub fn spoiled_share(w: f64, k: f64, s: f64) -> f64 {
    if w <= 0.0 {
        0.0
    } else {
        1.0 - (-(w / s).powf(k)).exp()
    }
}

impl<'s> Engine<'s> {
    /// Prepares a validated scenario.
    pub fn new(scenario: &'s Scenario) -> Self {
        // Every input's quantile table, built on all threads at once
        // (each would otherwise be built on first use, one after another).
        use rayon::prelude::*;
        scenario.params.par_iter().for_each(|p| p.dist.prepare());
        let base: Vec<f64> = scenario
            .params
            .iter()
            .map(|p| p.dist.as_constant().unwrap_or_else(|| p.dist.quantile(0.5)))
            .collect();
        let uncertain: Vec<ParamId> = scenario.uncertain_params().map(|(id, _)| id).collect();
        let corr_positions = scenario
            .correlations
            .iter()
            .map(|c| {
                c.params
                    .iter()
                    .filter_map(|id| uncertain.iter().position(|u| u == id))
                    .collect()
            })
            .collect();
        let perishable = |f: usize| scenario.commodities[scenario.flows[f].commodity].perishable;
        let mut lane_slots = Vec::new();
        for (c, cr) in scenario.crossings.iter().enumerate() {
            for want in [true, false] {
                let slot = |f: usize, rerouted| Slot {
                    flow: f,
                    commodity: scenario.flows[f].commodity,
                    perishable: perishable(f),
                    rerouted,
                };
                let mut slots: Vec<Slot> = cr
                    .flows
                    .iter()
                    .filter(|&&f| perishable(f) == want)
                    .map(|&f| slot(f, false))
                    .collect();
                for (from, via) in scenario.policy.reroute_via.iter().enumerate() {
                    if *via == Some(c) {
                        slots.extend(
                            scenario.crossings[from]
                                .flows
                                .iter()
                                .filter(|&&f| perishable(f) == want)
                                .map(|&f| slot(f, true)),
                        );
                    }
                }
                lane_slots.push(slots);
            }
        }
        let has_rerouted_slots = (0..scenario.crossings.len())
            .map(|c| {
                lane_slots[2 * c]
                    .iter()
                    .chain(&lane_slots[2 * c + 1])
                    .any(|sl| sl.rerouted)
            })
            .collect();
        Self {
            scenario,
            layout: Layout::new(scenario),
            series: metrics::series_defs(scenario),
            base,
            uncertain,
            lane_slots,
            flow_commodity: scenario.flows.iter().map(|f| f.commodity).collect(),
            flow_crossing: scenario.flows.iter().map(|f| f.crossing).collect(),
            flow_perishable: (0..scenario.flows.len()).map(perishable).collect(),
            has_rerouted_slots,
            crossing_flows: scenario
                .crossings
                .iter()
                .map(|cr| {
                    let h = scenario.meta.horizon;
                    let row = |f: usize| scenario.flows[f].commodity * h;
                    cr.flows.iter().map(|&f| (f, row(f))).collect()
                })
                .collect(),
            ln_days: (0..=scenario.meta.horizon)
                .map(|w| (w as f64).ln())
                .collect(),
            corr_positions,
            vector_kernels: true,
        }
    }

    /// Turns the vector kernels off (`false`) or back on. They change no
    /// value, only speed: this is for the tests that check so, and for
    /// benchmarks.
    pub fn with_vector_kernels(mut self, on: bool) -> Self {
        self.vector_kernels = on;
        self
    }

    /// The inputs that vary between replicates.
    pub fn uncertain(&self) -> &[ParamId] {
        &self.uncertain
    }

    /// Allocates a workspace for one thread.
    pub fn workspace(&self) -> Workspace {
        let s = self.scenario;
        let h = s.meta.horizon;
        let (nc, ng, nf) = (s.crossings.len(), s.commodities.len(), s.flows.len());
        let mut ws = Workspace {
            inputs: Inputs {
                values: self.base.clone(),
                uniforms: vec![0.5; self.uncertain.len()],
            },
            open: vec![1.0; nc * h],
            backlog: vec![0.0; nc * h],
            price: vec![1.0; ng * h],
            cumulative_loss: vec![0.0; h],
            lanes: self
                .lane_slots
                .iter()
                .map(|sl| Lane::new(sl.len(), h))
                .collect(),
            poisson: vec![PoissonSampler::default(); nf],
            arrival_rngs: vec![Xoshiro256pp::from_seed_u64(0); nf],
            daily_demand: vec![0.0; nf * h],
            demand_g: vec![0.0; ng * h],
            demand_c: vec![0.0; nc * h],
            sent: vec![0.0; nf * h],
            returned: vec![0.0; nf * h],
            rerouted: vec![0.0; nf * h],
            ext_trucks: vec![0.0; nf * h],
            delivered: vec![0.0; ng * h],
            forgone_t: vec![0.0; ng * h],
            forgone_v: vec![0.0; ng * h],
            cpi: vec![0.0; 2 * h],
            spoil: vec![f64::NAN; ng * (h + 1)],
            f: FlowState::default(),
            c: Vec::new(),
            g: CommodityState::default(),
            slot_acc: self
                .lane_slots
                .iter()
                .map(|sl| SlotTotals::new(sl.len()))
                .collect(),
            k: ReplicateConsts::default(),
            cc: vec![CrossingConsts::default(); nc],
            gc: vec![MarketConsts::default(); ng],
            shelf: vec![ShelfLife::default(); ng],
            market_days: MarketDays::new(h),
        };
        ws.f.reset_to(nf);
        ws.c = vec![CrossingState::default(); nc];
        ws.g.reset_to(ng);
        ws
    }

    /// Draws replicate `rep`'s uncertain inputs into `inputs` (Monte Carlo:
    /// each from its own keyed uniform).
    pub fn draw_inputs(&self, seed: u64, rep: u64, inputs: &mut Inputs) {
        let r = ReplicateStreams::new(seed, rep);
        for (k, &id) in self.uncertain.iter().enumerate() {
            inputs.uniforms[k] = r.uniform(self.scenario.params[id.ix()].key);
        }
        self.finish_inputs(inputs);
    }

    /// Sets the uncertain inputs from independent uniforms `u` (one per
    /// [`Engine::uncertain`] input, in (0, 1)), e.g. a point of a sampling
    /// design: imposes the scenario's rank correlations, then maps each
    /// uniform through its input's quantile function.
    pub fn inputs_from_uniforms(&self, u: &[f64], inputs: &mut Inputs) {
        inputs.uniforms.copy_from_slice(u);
        self.finish_inputs(inputs);
    }

    fn finish_inputs(&self, inputs: &mut Inputs) {
        for (c, pos) in self.scenario.correlations.iter().zip(&self.corr_positions) {
            let mut ind = [0.0f64; 64];
            let mut out = [0.0f64; 64];
            let d = pos.len();
            for (j, &k) in pos.iter().enumerate() {
                ind[j] = inputs.uniforms[k];
            }
            c.copula.apply(&ind[..d], &mut out[..d]);
            for (j, &k) in pos.iter().enumerate() {
                inputs.uniforms[k] = out[j];
            }
        }
        // The quantile tables together outgrow the cache: prefetch every
        // entry first, so that their misses overlap.
        for (k, &id) in self.uncertain.iter().enumerate() {
            self.scenario.params[id.ix()]
                .dist
                .prefetch(inputs.uniforms[k]);
        }
        for (k, &id) in self.uncertain.iter().enumerate() {
            inputs.values[id.ix()] = self.scenario.params[id.ix()]
                .dist
                .quantile(inputs.uniforms[k]);
        }
    }

    /// Simulates replicate `rep` with inputs drawn from `seed`, writing its
    /// metrics into `row` (length [`Layout::len`]).
    pub fn simulate(&self, seed: u64, rep: u64, ws: &mut Workspace, row: &mut [f64]) {
        self.draw_inputs(seed, rep, &mut ws.inputs);
        self.simulate_with_inputs(seed, rep, ws, row);
    }

    /// Simulates replicate `rep` with the inputs already in `ws.inputs`
    /// (daily arrival noise and event timing still come from `seed`, `rep`).
    pub fn simulate_with_inputs(&self, seed: u64, rep: u64, ws: &mut Workspace, row: &mut [f64]) {
        let s = self.scenario;
        let h = s.meta.horizon;
        schedule::fill_open_fractions(s, seed, rep, &ws.inputs, &mut ws.open);
        self.realise(seed, rep, ws);

        // The day's steps run phase by phase, each crossing over all its
        // days: nothing in arrivals reads the queues, and crossings share
        // nothing but rerouted trucks (sent during arrivals). Each day's
        // loss still sums in the order of a day-by-day loop: arrivals of
        // every crossing, then service of every crossing, then markets.
        let nc = s.crossings.len();
        // 1–2. Demand, dispatch and the split of what is not dispatched.
        for c in 0..nc {
            self.arrivals(ws, c);
        }
        if s.policy.external_route.is_some() {
            self.external_spoilage(ws);
        }
        // 3–5. Queues, service, spoilage, work and wages.
        for c in 0..nc {
            let mut st = ws.c[c];
            let day = ServiceConsts {
                k: ws.k,
                cc: ws.cc[c],
                flows: &self.crossing_flows[c],
            };
            for t in 0..h {
                self.service(ws, &mut st, &day, c, t);
            }
            ws.c[c] = st;
        }
        let mut tot = Totals::default();
        for t in 0..h {
            let mut any_closed = false;
            let mut total_queue = 0.0;
            for c in 0..nc {
                any_closed |= ws.open[c * h + t] < 1.0;
                total_queue += ws.backlog[c * h + t];
            }
            if any_closed {
                tot.days_any_closed += 1.0;
                tot.any_run += 1.0;
                tot.longest_any = tot.longest_any.max(tot.any_run);
            } else {
                tot.any_run = 0.0;
            }
            tot.peak_total = tot.peak_total.max(total_queue);
        }
        // 6. Markets and prices: nothing upstream depends on them, so each
        // commodity's days run in one pass. Each day's loss and CPI still
        // sum the commodities in order, as a day-by-day loop would.
        self.markets(ws);
        for t in 0..h {
            for m in 0..2 {
                let x = ws.cpi[m * h + t];
                tot.cpi_peak[m] = if t == 0 { x } else { tot.cpi_peak[m].max(x) };
                tot.cpi_sum[m] += x;
            }
            tot.cumulative += ws.cumulative_loss[t];
            ws.cumulative_loss[t] = tot.cumulative;
        }
        self.fold_slots(ws);
        let stranded_spoil = self.strand(ws);
        if h > 0 {
            ws.cumulative_loss[h - 1] += stranded_spoil;
        }
        self.write_row(
            ws,
            row,
            [tot.days_any_closed, tot.longest_any, tot.peak_total],
            tot.cpi_peak,
            tot.cpi_sum,
        );
    }

    /// Resets the workspace for a replicate and looks up every input the
    /// day loop needs once (per-flow, per-crossing and per-commodity
    /// constants), seeding each flow's arrival stream.
    #[inline(never)]
    fn realise(&self, seed: u64, rep: u64, ws: &mut Workspace) {
        let s = self.scenario;
        let h = s.meta.horizon;
        let pol = &s.policy;
        let v = &ws.inputs;
        ws.f.reset_to(s.flows.len());
        ws.c.fill(CrossingState::default());
        ws.g.reset_to(s.commodities.len());
        ws.spoil.fill(f64::NAN);
        let (reroute_share, reroute_days) = pol
            .reroute
            .map_or((0.0, 0.0), |(a, b)| (v.get(a), v.get(b)));
        let (ext_share, ext_cost, ext_days) = pol
            .external_route
            .map_or((0.0, 0.0, 0.0), |(a, b, c)| (v.get(a), v.get(b), v.get(c)));
        ws.k = ReplicateConsts {
            ret_share: v.get(s.traders.deferred_return_share),
            waiting_cost: v.get(s.traders.waiting_cost),
            reroute_share,
            reroute_days,
            ext_share,
            ext_cost,
        };
        let streams = ReplicateStreams::new(seed, rep);
        for (i, fl) in s.flows.iter().enumerate() {
            let lam = v.get(fl.trucks_per_day);
            ws.f.lam[i] = lam;
            ws.f.value[i] = v.get(fl.value_per_truck);
            ws.f.tonnes[i] = v.get(fl.tonnes_per_truck);
            ws.f.duty[i] = v.get(fl.duty_rate);
            ws.f.divert[i] = v.get(fl.divert_share);
            ws.f.divert_cost[i] = v.get(fl.divert_cost);
            let theta_inv = fl.persistence.map_or(0.0, |p| 1.0 / v.get(p).max(1e-9));
            ws.f.decay[i] = (-theta_inv).exp();
            ws.c[fl.crossing].lam += lam;
            ws.g.lam[fl.commodity] += lam;
            if s.meta.arrival_noise {
                ws.poisson[i].set(lam);
            }
        }
        // Daily demand: Poisson(λ_f) from the flow's own stream, day by day
        // (or exactly λ_f without arrival noise). Each stream is drawn in
        // its own order, so grouping the flows by four changes no value.
        if s.meta.arrival_noise {
            for (r, fl) in ws.arrival_rngs.iter_mut().zip(&s.flows) {
                *r = streams.stream(fl.arrivals_key);
            }
            PoissonSampler::fill_series(&ws.poisson, &mut ws.arrival_rngs, &mut ws.daily_demand);
        } else {
            for (days, &lam) in ws.daily_demand.chunks_exact_mut(h).zip(&ws.f.lam) {
                days.fill(lam);
            }
        }
        for (f, days) in ws.daily_demand.chunks_exact(h).enumerate() {
            // Σ_t A_f(t) in day order; the draws are whole numbers, whose
            // total any order of additions gives exactly (see `whole_sum`).
            ws.f.demand[f] = if s.meta.arrival_noise {
                whole_sum(days).unwrap_or_else(|| days.iter().sum())
            } else {
                days.iter().sum()
            };
        }
        // The day loop's demand totals, summed in its order (crossing by
        // crossing, each crossing's flows in order).
        ws.demand_g.fill(0.0);
        ws.demand_c.fill(0.0);
        ws.delivered.fill(0.0);
        ws.forgone_t.fill(0.0);
        ws.forgone_v.fill(0.0);
        ws.cpi.fill(0.0);
        ws.cumulative_loss.fill(0.0);
        if pol.external_route.is_some() {
            ws.ext_trucks.fill(0.0);
        }
        if pol.reroute.is_some() {
            ws.rerouted.fill(0.0);
        }
        for (c, cr) in s.crossings.iter().enumerate() {
            let dc = &mut ws.demand_c[c * h..(c + 1) * h];
            for &f in &cr.flows {
                let g = self.flow_commodity[f];
                let days = &ws.daily_demand[f * h..(f + 1) * h];
                let dg = &mut ws.demand_g[g * h..(g + 1) * h];
                for ((x, tg), tc) in days.iter().zip(dg.iter_mut()).zip(dc.iter_mut()) {
                    *tg += x;
                    *tc += x;
                }
            }
        }
        for (c, cr) in s.crossings.iter().enumerate() {
            let (surge_extra, surge_days) =
                pol.surge[c].map_or((0.0, 0.0), |(e, d)| (v.get(e), v.get(d)));
            ws.cc[c] = CrossingConsts {
                capacity: v.get(cr.capacity),
                surge_extra,
                surge_days,
                green: pol.green_lane[c].map_or(0.0, |id| v.get(id)),
                workers: v.get(cr.workers),
                alt: v.get(cr.alt_work_share),
                wage_usd: wage_in_usd(s, v, cr.wage, cr.wage_currency),
                cash: pol.cash_support[c].map_or(0.0, |id| v.get(id)),
                can_reroute: pol.reroute_via[c].is_some(),
            };
        }
        for (g, cm) in s.commodities.iter().enumerate() {
            ws.shelf[g] = match cm.shelf_life {
                Some((k, sc)) => {
                    let (k, sc) = (v.get(k).max(1e-9), v.get(sc).max(1e-9));
                    let (cold_share, mult) = pol.cold_chain[g]
                        .map_or((0.0, 1.0), |(c, m)| (v.get(c), v.get(m).max(1.0)));
                    ShelfLife {
                        perishable: true,
                        shape: k,
                        ln_scale: sc.ln(),
                        cold_share,
                        ln_cold_scale: (sc * mult).ln(),
                        external: 0.0,
                    }
                }
                None => ShelfLife::default(),
            };
            if pol.external_route.is_some() {
                ws.shelf[g].external = spoil_share_at(s, v, g, ext_days);
            }
            let inventory_days = v.get(cm.inventory_days);
            ws.gc[g] = MarketConsts {
                cap_stock: inventory_days * ws.g.lam[g],
                lag: v.get(cm.substitute_lag),
                ramp: v.get(cm.substitute_ramp),
                subst_share: v.get(cm.substitute_share),
                import_share: v.get(cm.import_share),
                max_mult: v.get(cm.max_multiplier),
                min_mult: v.get(cm.min_multiplier),
                exponent: -1.0 / v.get(cm.elasticity).max(1e-9),
                market_value: v.get(cm.market_value),
                premium: v.get(cm.substitute_premium),
                cpi_weight: v.get(cm.cpi_weight),
                market: cm.direction.market_ix(),
                origin_share: v.get(cm.origin_export_share),
                origin_exponent: -1.0 / v.get(cm.origin_elasticity).max(1e-9),
                origin_min: v.get(cm.origin_min_multiplier),
                origin_value: v.get(cm.origin_market_value),
                rot_share: v.get(cm.unsold_rot_share),
            };
        }
        for l in &mut ws.lanes {
            l.reset();
        }
        for a in &mut ws.slot_acc {
            a.reset();
        }
    }

    /// `S_g(w)` for whole days `w`, with a per-replicate cache (NaN =
    /// not computed yet).
    #[inline]
    fn spoil_share(&self, shelf: &[ShelfLife], cache: &mut [f64], g: usize, w: usize) -> f64 {
        let h = self.scenario.meta.horizon;
        let w = w.min(h);
        let slot = &mut cache[g * (h + 1) + w];
        if slot.is_nan() {
            *slot = if w == 0 || !shelf[g].perishable {
                0.0
            } else {
                shelf[g].share(self.ln_days[w])
            };
        }
        *slot
    }

    /// Adds what each lane slot's trucks served from the queue amounted to
    /// into its flow's and commodity's totals.
    fn fold_slots(&self, ws: &mut Workspace) {
        for (li, acc) in ws.slot_acc.iter().enumerate() {
            for (j, sl) in self.lane_slots[li].iter().enumerate() {
                let (f, g) = (sl.flow, sl.commodity);
                let (value, tonnes) = (ws.f.value[f], ws.f.tonnes[f]);
                ws.f.served[f] += acc.served[j];
                ws.f.delayed_v[f] += acc.delayed[j] * value;
                let (sv, st) = (acc.spoiled[j] * value, acc.spoiled[j] * tonnes);
                ws.f.spoiled_v[f] += sv;
                ws.f.spoiled_t[f] += st;
                ws.g.spoiled_v[g] += sv;
                ws.g.spoiled_t[g] += st;
            }
        }
    }

    /// Steps 1–2 for crossing `c` over all days, flow by flow: each flow's
    /// demand, dispatch and the split of what is not dispatched. Its costs
    /// go to each day's loss (`ws.cumulative_loss[t]`), in flow order
    /// within the day as in a day-by-day loop; a flow's days depend on
    /// nothing but its own pool of deferred trucks and the open fractions.
    #[inline(never)]
    fn arrivals(&self, ws: &mut Workspace, c: usize) {
        let flows = &self.scenario.crossings[c].flows;
        let mut i = 0;
        while i < flows.len() {
            // Four consecutive flow indices run in the lanes of one vector
            // (same values, see `arrivals_four`); the others one by one.
            let f = flows[i];
            let four = flows.get(i..i + 4) == Some(&[f, f + 1, f + 2, f + 3]);
            if four && self.vector_kernels && arrivals_four::run(self, ws, c, f) {
                i += 4;
            } else {
                self.arrival_days(ws, c, f);
                i += 1;
            }
        }
    }

    /// [`arrivals`](Engine::arrivals) of flow `f` (of crossing `c`) over
    /// all days.
    #[inline]
    fn arrival_days(&self, ws: &mut Workspace, c: usize, f: usize) {
        let s = self.scenario;
        let h = s.meta.horizon;
        let nf = ws.f.lam.len();
        let k = ws.k;
        let can_reroute = ws.cc[c].can_reroute;
        let open = &ws.open[c * h..(c + 1) * h];
        let g = self.flow_commodity[f];
        let perishable = self.flow_perishable[f];
        let fs = &mut ws.f;
        let (lam, value, duty, decay) = (fs.lam[f], fs.value[f], fs.duty[f], fs.decay[f]);
        let (divert, divert_cost) = (fs.divert[f], fs.divert_cost[f]);
        let ext_keep = 1.0 - ws.shelf[g].external;
        let back_max = k.ret_share * lam;
        let pool_floor = 1e-12 * lam.max(1.0);
        let demand = &ws.daily_demand[f * h..(f + 1) * h];
        let mut pool = fs.pool[f];
        // exp(−τ/θ) on the current closure day τ (set on its first day).
        let mut persist = 1.0;
        let mut sp = Split::load(fs, f);
        for t in 0..h {
            let o = open[t];
            let d = demand[t];
            let ix = t * nf + f;
            if o >= 1.0 {
                // Open: every truck is dispatched; deferred trucks
                // come back.
                let back = if pool > 0.0 {
                    let r = pool.min(back_max);
                    let left = pool - r;
                    pool = if left < pool_floor { 0.0 } else { left };
                    r
                } else {
                    0.0
                };
                ws.sent[ix] = d + back;
                ws.returned[ix] = back;
                continue;
            }
            // Dispatch o + (1 − o)·exp(−τ/θ), exp(−τ/θ) kept as a
            // running product over the days of the closure.
            let was_closed = t > 0 && open[t - 1] < 1.0;
            persist = if was_closed { persist * decay } else { 1.0 };
            let dispatched = d * (o + (1.0 - o) * persist);
            let mut not_sent = d - dispatched;
            if not_sent > 0.0 {
                let day_loss = &mut ws.cumulative_loss[t];
                if can_reroute {
                    let r = not_sent * k.reroute_share;
                    ws.rerouted[ix] = r;
                    sp.rerouted += r;
                    not_sent -= r;
                }
                if k.ext_share > 0.0 {
                    // By the external route: its cost now, its spoiled
                    // cargo in `external_spoilage` (per-day order).
                    let x = not_sent * k.ext_share;
                    not_sent -= x;
                    ws.ext_trucks[ix] = x;
                    sp.external += x;
                    let cost = x * k.ext_cost;
                    sp.external_cost += cost;
                    *day_loss += cost;
                    *day_loss += x * value * ws.shelf[g].external;
                    ws.delivered[g * h + t] += x * ext_keep;
                }
                let diverted = not_sent * divert;
                let rest = not_sent - diverted;
                sp.diverted += diverted;
                let dc = diverted * divert_cost;
                sp.diversion += dc;
                *day_loss += dc;
                let val = rest * value;
                if perishable {
                    sp.forgone_t += rest;
                    sp.forgone_v += val;
                    sp.customs_lost += val * duty;
                    ws.forgone_t[g * h + t] += rest;
                    ws.forgone_v[g * h + t] += val;
                } else {
                    pool += rest;
                    sp.deferred += rest;
                    sp.delayed_v += val;
                    sp.customs_delayed += val * duty;
                }
            }
            ws.sent[ix] = dispatched;
            ws.returned[ix] = 0.0;
        }
        ws.f.pool[f] = pool;
        sp.store(&mut ws.f, f);
    }

    /// The cargo spoiled on the external route, added to the flow and
    /// commodity totals day by day (crossing by crossing, flows in order).
    fn external_spoilage(&self, ws: &mut Workspace) {
        let s = self.scenario;
        let nf = ws.f.lam.len();
        for t in 0..s.meta.horizon {
            for cr in &s.crossings {
                for &f in &cr.flows {
                    let x = ws.ext_trucks[t * nf + f];
                    if x > 0.0 {
                        let g = self.flow_commodity[f];
                        let sh = ws.shelf[g].external;
                        add_spoiled(&mut ws.f, &mut ws.g, f, g, x, sh);
                    }
                }
            }
        }
    }

    /// Steps 3–5 for crossing `c` on day `t`: closure bookkeeping, queue,
    /// FIFO service, spoilage, waiting cost, work and wages. Records the
    /// crossing's end-of-day queue and adds its costs to the day's loss.
    /// `st` is the crossing's state, held by the caller over its days.
    #[inline]
    fn service(
        &self,
        ws: &mut Workspace,
        st: &mut CrossingState,
        day: &ServiceConsts,
        c: usize,
        t: usize,
    ) {
        let h = self.scenario.meta.horizon;
        let (k, cc) = (&day.k, &day.cc);
        let o = ws.open[c * h + t];
        let closed = o < 1.0;
        let was_closed = t > 0 && ws.open[c * h + t - 1] < 1.0;
        if closed {
            st.days_closed += 1.0;
            st.run_closed += 1.0;
            st.longest = st.longest.max(st.run_closed);
        } else if was_closed {
            st.run_closed = 0.0;
            st.reopen = Some(t);
            st.since_reopen = 0.0;
            // (`was_closed` implies t > 0.)
            st.backlog_at_reopen = ws.backlog[c * h + t - 1];
            st.cleared = None;
        } else {
            st.since_reopen += 1.0;
        }
        // Capacity o·K, plus surge after a reopening; a green lane for
        // perishables on days not fully open.
        let mut capacity = o * cc.capacity;
        if !closed && st.reopen.is_some() && st.since_reopen < cc.surge_days {
            capacity += cc.surge_extra;
        }
        let green = if closed { cc.green } else { 0.0 };
        let nf = ws.f.lam.len();
        let (sent, rerouted) = (
            &ws.sent[t * nf..(t + 1) * nf],
            &ws.rerouted[t * nf..(t + 1) * nf],
        );
        let mut day_loss = ws.cumulative_loss[t];
        // Fast path: nothing queued, nothing rerouted here and capacity for
        // all of today's arrivals: every truck is served on arrival (w = 0,
        // nothing spoils, nothing is delayed).
        let mut arriving = 0.0;
        for &(f, _) in day.flows {
            arriving += sent[f];
        }
        let rerouted_in = self.has_rerouted_slots[c]
            && self.lane_slots[2 * c]
                .iter()
                .chain(&self.lane_slots[2 * c + 1])
                .any(|sl| sl.rerouted && rerouted[sl.flow] > 0.0);
        let fast = !rerouted_in
            && arriving <= capacity
            && ws.lanes[2 * c].is_empty()
            && ws.lanes[2 * c + 1].is_empty();
        let served_c = if fast {
            let (served, delivered) = (&mut ws.f.served, &mut ws.delivered);
            for &(f, row) in day.flows {
                let x = sent[f];
                served[f] += x;
                delivered[row + t] += x;
            }
            ws.lanes[2 * c].skip_day(t);
            ws.lanes[2 * c + 1].skip_day(t);
            arriving
        } else {
            self.serve_queue(ws, c, t, capacity, green, &mut day_loss)
        };
        let queued = ws.lanes[2 * c].queued + ws.lanes[2 * c + 1].queued;
        ws.backlog[c * h + t] = queued;
        let wc = queued * k.waiting_cost;
        st.waiting += wc;
        day_loss += wc;
        st.peak = st.peak.max(queued);

        // Work and wages: utilisation against the day's demand of the
        // crossing's own flows (λ_c without arrival noise), so a day
        // without closure loses no work.
        let demand_c = ws.demand_c[c * h + t];
        let u = if demand_c > 0.0 {
            (served_c / demand_c).min(1.0)
        } else {
            1.0
        };
        if u < 1.0 {
            let lost = cc.workers * (1.0 - u);
            let lw = lost * cc.wage_usd * (1.0 - cc.alt);
            st.lost_pd += lost;
            st.lost_wages += lw;
            day_loss += lw;
            st.cash += lost * cc.cash;
            // Uncovered loss per worker, in days of wages.
            st.uncovered += if cc.cash == 0.0 {
                (1.0 - u) * (1.0 - cc.alt)
            } else if cc.wage_usd > 0.0 {
                (1.0 - u) * (cc.wage_usd * (1.0 - cc.alt) - cc.cash).max(0.0) / cc.wage_usd
            } else {
                0.0
            };
        }

        // Backlog clearing after a reopening.
        if !closed
            && st.reopen.is_some()
            && st.cleared.is_none()
            && queued <= 1e-9 * st.lam.max(1.0)
        {
            st.cleared = Some(t);
        }
        ws.cumulative_loss[t] = day_loss;
    }

    /// Pushes today's arrivals at crossing `c` into its two lanes and serves
    /// up to `capacity` trucks FIFO (the green lane first on closed days),
    /// counting spoilage and delay of every share served. Returns the
    /// trucks served.
    #[inline(never)]
    fn serve_queue(
        &self,
        ws: &mut Workspace,
        c: usize,
        t: usize,
        capacity: f64,
        green: f64,
        day_loss: &mut f64,
    ) -> f64 {
        let s = self.scenario;
        let h = s.meta.horizon;
        let nf = ws.f.lam.len();
        let reroute_days = ws.k.reroute_days;
        for li in [2 * c, 2 * c + 1] {
            let slots = &self.lane_slots[li];
            let (sent, returned) = (&ws.sent[t * nf..], &ws.returned[t * nf..]);
            let rerouted = &ws.rerouted[t * nf..];
            ws.lanes[li].push_with(t, |j| {
                let sl = slots[j];
                if sl.rerouted {
                    (rerouted[sl.flow], 0.0)
                } else {
                    (sent[sl.flow], returned[sl.flow])
                }
            });
        }
        let mut spoiled_today = 0.0;
        let (lo, hi) = ws.lanes.split_at_mut(2 * c + 1);
        let (per_lane, other_lane) = (&mut lo[2 * c], &mut hi[0]);
        let (acc_lo, acc_hi) = ws.slot_acc.split_at_mut(2 * c + 1);
        let accs = [&mut acc_lo[2 * c], &mut acc_hi[0]];
        let value = &ws.f.value;
        let delivered = &mut ws.delivered;
        let spoil = &mut ws.spoil;
        let shelf = &ws.shelf;
        let v = &ws.inputs;
        let slots = [&self.lane_slots[2 * c], &self.lane_slots[2 * c + 1]];
        // Lane 0 holds perishables, lane 1 the rest; without rerouted
        // slots, a cohort of the second lane, or one that waited no day,
        // spoils nothing (S = 0, so the delivered part `x·(1 − S)` is `x`).
        let plain = !self.has_rerouted_slots[c];
        let mut on = |lane: usize, x: Served| {
            let w = x.wait;
            let acc = &mut *accs[lane];
            let slots = slots[lane].iter().zip(x.amounts.iter().zip(x.returned));
            let totals = acc.served.iter_mut().zip(&mut acc.spoiled);
            let slots = slots.zip(totals.zip(&mut acc.delayed));
            if plain && (lane == 1 || w == 0) {
                for ((sl, (&a, &r)), ((served, _), delayed)) in slots {
                    if a <= 0.0 {
                        continue;
                    }
                    let (trucks, returned) = x.share(a, r);
                    *served += trucks;
                    delivered[sl.commodity * h + t] += trucks;
                    if w > 0 {
                        *delayed += trucks - returned;
                    }
                }
                return;
            }
            for ((sl, (&a, &r)), ((served, spoiled), delayed)) in slots {
                if a <= 0.0 {
                    continue;
                }
                let (trucks, returned) = x.share(a, r);
                let g = sl.commodity;
                let sh = if sl.rerouted {
                    spoil_share_at(s, v, g, w as f64 + reroute_days)
                } else if w == 0 || !sl.perishable {
                    0.0
                } else {
                    self.spoil_share(shelf, spoil, g, w)
                };
                *served += trucks;
                delivered[g * h + t] += trucks * (1.0 - sh);
                if sh > 0.0 {
                    let x = trucks * sh;
                    *spoiled += x;
                    spoiled_today += x * value[sl.flow];
                }
                if w > 0 || sl.rerouted {
                    *delayed += trucks - returned;
                }
            }
        };
        let mut served = 0.0;
        if green > 0.0 {
            served += serve_fifo([&mut *per_lane], t, green, |_, x| on(0, x));
        }
        served += match s.priority {
            Priority::Fifo => serve_fifo([&mut *per_lane, &mut *other_lane], t, capacity, &mut on),
            Priority::PerishablesFirst => {
                let a = serve_fifo([&mut *per_lane], t, capacity, |_, x| on(0, x));
                a + serve_fifo([&mut *other_lane], t, capacity - a, |_, x| on(1, x))
            }
        };
        *day_loss += spoiled_today;
        served
    }

    /// Step 6, commodity by commodity over all days: each day's shortfall,
    /// stock, substitution, price multiplier, consumers' cost and the origin
    /// glut. Adds each day's market losses to `ws.cumulative_loss[t]` (still
    /// per day here) and CPI contributions to `ws.cpi`.
    ///
    /// Three passes per commodity, each in day order: the day-to-day state
    /// (stock and shortfall days) with each day's price bases, then the
    /// price powers (independent calls, which the CPU overlaps), then the
    /// costs. Every value is computed as in one day-by-day pass.
    #[inline(never)]
    fn markets(&self, ws: &mut Workspace) {
        let h = self.scenario.meta.horizon;
        let md = &mut ws.market_days;
        for g in 0..ws.gc.len() {
            let mc = ws.gc[g];
            let lam_g = ws.g.lam[g];
            let days = g * h..(g + 1) * h;
            let demand = &ws.demand_g[days.clone()];
            let delivered = &ws.delivered[days.clone()];
            let forgone_t = &ws.forgone_t[days.clone()];
            let forgone_v = &ws.forgone_v[days.clone()];
            let price = &mut ws.price[days];
            let day_loss = &mut ws.cumulative_loss[..h];
            let cpi = &mut ws.cpi[mc.market * h..(mc.market + 1) * h];
            let m = mc.import_share;
            let has_demand = lam_g > 0.0;

            // 1. Stock starts full; `short_tau` counts the days of the
            // current shortfall (substitution ramps in with it).
            let (mut stock, mut short_tau) = (mc.cap_stock, 0.0);
            let (mut n_pow, mut n_origin) = (0, 0);
            for t in 0..h {
                price[t] = 1.0;
                md.active[t] = false;
                let gap = demand[t] - delivered[t];
                if gap == 0.0 && forgone_t[t] == 0.0 {
                    // Supply met demand exactly (an ordinary open day): no
                    // shortfall, no stock change, no substitution, price 1.
                    short_tau = 0.0;
                    continue;
                }
                if !has_demand {
                    continue;
                }
                // Shortfall against the day's demand (λ_g without noise).
                let x = if gap > 0.0 {
                    let used = stock.min(gap);
                    stock -= used;
                    (gap - used) / lam_g
                } else {
                    let add = (mc.cap_stock - stock).max(0.0).min(-gap);
                    stock += add;
                    (gap + add) / lam_g
                };
                let subst = if x > 0.0 {
                    let tau = short_tau;
                    short_tau += 1.0;
                    let level = if mc.ramp > 0.0 {
                        ((tau - mc.lag + 1.0) / mc.ramp).clamp(0.0, 1.0)
                    } else if tau >= mc.lag {
                        1.0
                    } else {
                        0.0
                    };
                    mc.subst_share * level
                } else {
                    short_tau = 0.0;
                    0.0
                };
                md.active[t] = true;
                md.x[t] = x;
                md.subst[t] = subst;
                let x_eff = if x > 0.0 { x * (1.0 - subst) } else { x };
                let z = 1.0 - m * x_eff;
                if z <= 0.0 {
                    price[t] = mc.max_mult;
                } else if x_eff != 0.0 {
                    // The base for now; the power in pass 2.
                    price[t] = z;
                    md.pow_days[n_pow] = t;
                    n_pow += 1;
                }
                // 6b. Origin glut from forgone exports.
                let forgone = forgone_t[t];
                if forgone > 0.0 && mc.origin_share > 0.0 {
                    let y = forgone / lam_g;
                    md.origin_mult[t] = 1.0 + mc.origin_share * y;
                    md.origin_days[n_origin] = t;
                    n_origin += 1;
                }
            }

            // 2. The price powers.
            for &t in &md.pow_days[..n_pow] {
                price[t] = price[t].powf(mc.exponent).clamp(mc.min_mult, mc.max_mult);
            }
            for &t in &md.origin_days[..n_origin] {
                md.origin_mult[t] = md.origin_mult[t]
                    .powf(mc.origin_exponent)
                    .max(mc.origin_min);
            }

            // 3. Consumers' cost, CPI and the origin glut.
            let (mut consumer, mut consumer_extra, mut glut) = (0.0, 0.0, 0.0);
            let (mut peak, mut sum_m) = (0.0f64, 0.0);
            for t in 0..h {
                let m_mult = price[t];
                if md.active[t] {
                    let (x, subst) = (md.x[t], md.subst[t]);
                    let mv = mc.market_value;
                    let premium = mc.premium * m * x.max(0.0) * subst * mv;
                    consumer += (m_mult - 1.0) * mv + premium;
                    // Direct loss counts extra spending only: a flood after
                    // reopening moves money from traders to consumers.
                    let extra = (m_mult - 1.0).max(0.0) * mv + premium;
                    consumer_extra += extra;
                    day_loss[t] += extra;
                    cpi[t] += mc.cpi_weight * (m_mult - 1.0);

                    let forgone = forgone_t[t];
                    if forgone > 0.0 {
                        let p_origin = if mc.origin_share > 0.0 {
                            md.origin_mult[t]
                        } else {
                            1.0
                        };
                        let gl = (1.0 - p_origin) * mc.origin_value + mc.rot_share * forgone_v[t];
                        glut += gl;
                        day_loss[t] += gl;
                    }
                }
                peak = if t == 0 { m_mult } else { peak.max(m_mult) };
                sum_m += m_mult;
            }
            ws.g.consumer[g] = consumer;
            ws.g.consumer_extra[g] = consumer_extra;
            ws.g.glut[g] = glut;
            ws.g.peak[g] = peak;
            ws.g.sum_m[g] = sum_m;
        }
    }

    /// Trucks still queued at the horizon: stranded, waiting `w = H − a`.
    /// Returns the value that spoils.
    fn strand(&self, ws: &mut Workspace) -> f64 {
        let s = self.scenario;
        let h = s.meta.horizon;
        let v = &ws.inputs;
        let reroute_days = ws.k.reroute_days;
        let mut stranded_spoil = 0.0;
        for (li, lane) in ws.lanes.iter().enumerate() {
            let slots = &self.lane_slots[li];
            lane.for_each_queued(|j, x, r, a| {
                let Slot {
                    flow: f,
                    commodity: g,
                    rerouted,
                    ..
                } = slots[j];
                let sh = if rerouted {
                    spoil_share_at(s, v, g, (h - a) as f64 + reroute_days)
                } else {
                    self.spoil_share(&ws.shelf, &mut ws.spoil, g, h - a)
                };
                ws.f.stranded[f] += x;
                stranded_spoil += add_spoiled(&mut ws.f, &mut ws.g, f, g, x, sh);
                ws.f.delayed_v[f] += (x - r) * ws.f.value[f];
            });
        }
        stranded_spoil
    }

    #[inline(never)]
    fn write_row(
        &self,
        ws: &Workspace,
        row: &mut [f64],
        [days_any_closed, longest_any, peak_total]: [f64; 3],
        cpi_peak: [f64; 2],
        cpi_sum: [f64; 2],
    ) {
        let s = self.scenario;
        let l = &self.layout;
        let h = s.meta.horizon;
        row.fill(0.0);
        let v = &ws.inputs;
        // Flow sums into crossing and total rows.
        let per_flow: [(usize, &Vec<f64>); 16] = [
            (ix::REROUTED_TRUCKS, &ws.f.rerouted_t),
            (ix::EXTERNAL_TRUCKS, &ws.f.external_t),
            (ix::EXTERNAL_COST, &ws.f.external_cost),
            (ix::DELAYED, &ws.f.delayed_v),
            (ix::FORGONE_VALUE, &ws.f.forgone_v),
            (ix::FORGONE_TRUCKS, &ws.f.forgone_t),
            (ix::DIVERTED_TRUCKS, &ws.f.diverted_t),
            (ix::DIVERSION_COST, &ws.f.diversion),
            (ix::SPOILED_VALUE, &ws.f.spoiled_v),
            (ix::SPOILED_TONNES, &ws.f.spoiled_t),
            (ix::STRANDED, &ws.f.stranded),
            (ix::CUSTOMS_LOST, &ws.f.customs_lost),
            (ix::CUSTOMS_DELAYED, &ws.f.customs_delayed),
            (ix::WAITING_COST, &EMPTY),
            (ix::LOST_WAGES, &EMPTY),
            (ix::LOST_PERSON_DAYS, &EMPTY),
        ];
        for (k, arr) in per_flow {
            for (f, x) in arr.iter().enumerate() {
                let c = self.flow_crossing[f];
                row[l.crossing(k, Some(c))] += x;
                row[l.crossing(k, None)] += x;
            }
        }
        for (c, cr) in s.crossings.iter().enumerate() {
            let mut put = |k: usize, x: f64| row[l.crossing(k, Some(c))] = x;
            put(ix::DAYS_CLOSED, ws.c[c].days_closed);
            put(ix::LONGEST_CLOSURE, ws.c[c].longest);
            put(ix::WAITING_COST, ws.c[c].waiting);
            put(ix::PEAK_BACKLOG, ws.c[c].peak);
            put(ix::LOST_PERSON_DAYS, ws.c[c].lost_pd);
            put(ix::LOST_WAGES, ws.c[c].lost_wages);
            put(ix::CASH_SUPPORT, ws.c[c].cash);
            let closed_at_end = h > 0 && ws.open[c * h + h - 1] < 1.0;
            let clear = match (ws.c[c].reopen, ws.c[c].cleared) {
                _ if closed_at_end => 0.0,
                (None, _) => 0.0,
                (Some(_), _) if ws.c[c].backlog_at_reopen <= 1e-9 * ws.c[c].lam.max(1.0) => 0.0,
                (Some(r), Some(t)) => (t - r + 1) as f64,
                (Some(r), None) => (h - r) as f64,
            };
            put(ix::DAYS_TO_CLEAR, clear);
            let workers = v.get(cr.workers);
            put(
                ix::EXHAUSTED,
                workers * cr.savings_days.cdf(ws.c[c].uncovered),
            );
            for k in [
                ix::WAITING_COST,
                ix::LOST_PERSON_DAYS,
                ix::LOST_WAGES,
                ix::EXHAUSTED,
                ix::CASH_SUPPORT,
            ] {
                row[l.crossing(k, None)] += row[l.crossing(k, Some(c))];
            }
            let t = l.crossing(ix::DAYS_TO_CLEAR, None);
            row[t] = row[t].max(clear);
        }
        row[l.crossing(ix::DAYS_CLOSED, None)] = days_any_closed;
        row[l.crossing(ix::LONGEST_CLOSURE, None)] = longest_any;
        row[l.crossing(ix::PEAK_BACKLOG, None)] = peak_total;

        for g in 0..s.commodities.len() {
            let vals = [
                (ix::CONSUMER_COST, ws.g.consumer[g]),
                (ix::CONSUMER_EXTRA, ws.g.consumer_extra[g]),
                (ix::GLUT_LOSS, ws.g.glut[g]),
                (ix::G_SPOILED_VALUE, ws.g.spoiled_v[g]),
                (ix::G_SPOILED_TONNES, ws.g.spoiled_t[g]),
            ];
            for (k, x) in vals {
                row[l.commodity(k, Some(g))] = x;
                row[l.commodity(k, None)] += x;
            }
            row[l.price(ix::PEAK_PRICE, g)] = ws.g.peak[g];
            row[l.price(ix::MEAN_PRICE, g)] = ws.g.sum_m[g] / h.max(1) as f64;
        }
        for m in 0..2 {
            row[l.market(ix::CPI_PEAK, m)] = cpi_peak[m];
            row[l.market(ix::CPI_MEAN, m)] = cpi_sum[m] / h.max(1) as f64;
        }
        row[l.direct_loss()] = row[l.crossing(ix::SPOILED_VALUE, None)]
            + row[l.crossing(ix::WAITING_COST, None)]
            + row[l.crossing(ix::DIVERSION_COST, None)]
            + row[l.crossing(ix::EXTERNAL_COST, None)]
            + row[l.crossing(ix::LOST_WAGES, None)]
            + row[l.commodity(ix::GLUT_LOSS, None)]
            + row[l.commodity(ix::CONSUMER_EXTRA, None)];
    }
}

static EMPTY: Vec<f64> = Vec::new();

impl Workspace {
    /// Truck accounting of the last simulated replicate.
    pub fn truck_balance(&self) -> TruckBalance {
        let sum = |v: &Vec<f64>| v.iter().sum::<f64>();
        TruckBalance {
            demand: sum(&self.f.demand),
            served: sum(&self.f.served),
            queued: self.lanes.iter().map(|l| l.queued).sum(),
            forgone: sum(&self.f.forgone_t),
            diverted: sum(&self.f.diverted_t),
            external: sum(&self.f.external_t),
            deferred_pending: sum(&self.f.pool),
        }
    }
}

/// Adds `x` trucks of flow `f` (commodity `g`), of which the share `sh`
/// spoiled, to the spoilage totals of both. Returns the value spoiled, USD.
fn add_spoiled(
    fs: &mut FlowState,
    gs: &mut CommodityState,
    f: usize,
    g: usize,
    x: f64,
    sh: f64,
) -> f64 {
    let sv = x * fs.value[f] * sh;
    let st = x * fs.tonnes[f] * sh;
    fs.spoiled_v[f] += sv;
    fs.spoiled_t[f] += st;
    gs.spoiled_v[g] += sv;
    gs.spoiled_t[g] += st;
    sv
}

/// The sum of the whole numbers `xs` (non-negative), when it is below 2⁵³:
/// then every partial sum, in any order, is a whole number below 2⁵³, so
/// every f64 addition is exact and this equals the sum in order, without
/// its chain of dependent additions. `None` when the sum may not be exact
/// (if the true sum is 2⁵³ or more, rounding keeps the computed one at or
/// above 2⁵³).
fn whole_sum(xs: &[f64]) -> Option<f64> {
    let mut acc = [0.0f64; 4];
    let chunks = xs.chunks_exact(4);
    let rest: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    let total = (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest;
    (total < (1u64 << 53) as f64).then_some(total)
}

fn wage_in_usd(s: &Scenario, v: &Inputs, wage: ParamId, cur: Currency) -> f64 {
    let w = v.get(wage);
    match cur {
        Currency::Usd => w,
        Currency::Pkr => s.pkr_per_usd.map_or(w, |r| w / v.get(r)),
        Currency::Afn => s.afn_per_usd.map_or(w, |r| w / v.get(r)),
    }
}

/// Share of commodity `g`'s cargo spoiled after `w` days, with the cold
/// chain lever: a share `c` travels refrigerated with its shelf-life scale
/// multiplied by `m`, so `S = (1 − c)·S(w; k, s) + c·S(w; k, m·s)`.
fn spoil_share_at(s: &Scenario, v: &Inputs, g: usize, w: f64) -> f64 {
    match s.commodities[g].shelf_life {
        Some((k, sc)) => {
            let (k, sc) = (v.get(k).max(1e-9), v.get(sc).max(1e-9));
            let plain = spoiled_share(w, k, sc);
            match s.policy.cold_chain[g] {
                Some((share, mult)) => {
                    let c = v.get(share);
                    (1.0 - c) * plain + c * spoiled_share(w, k, sc * v.get(mult).max(1.0))
                }
                None => plain,
            }
        }
        None => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::whole_sum;

    #[test]
    fn whole_sum_is_the_sum_in_order() {
        let mut rng = crate::rng::Xoshiro256pp::from_seed_u64(3);
        for len in [0, 1, 3, 4, 7, 180, 1001] {
            let xs: Vec<f64> = (0..len).map(|_| (rng.next_u64() >> 40) as f64).collect();
            let in_order: f64 = xs.iter().sum();
            assert_eq!(whole_sum(&xs), Some(in_order), "length {len}");
        }
    }

    #[test]
    fn whole_sum_declines_totals_from_two_to_the_53() {
        let big = (1u64 << 52) as f64;
        assert_eq!(whole_sum(&[big, big - 1.0]), Some(2.0 * big - 1.0));
        assert_eq!(whole_sum(&[big, big]), None);
        assert_eq!(whole_sum(&[big, big, 1.0, 0.0, 3.0]), None);
    }
}
