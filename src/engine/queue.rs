//! The queue at a crossing: cohorts of trucks by arrival day.
//!
//! A [`Lane`] holds, for each arrival day, the (fractional) trucks of each of
//! its flows still waiting. Service takes whole cohorts oldest first; the
//! cohort that capacity only partly covers is served pro rata across its
//! flows. Every cohort is touched O(1) times on average (the head pointer
//! only moves forward), so long queues cost no more per day than short ones.
//! Memory: `H × flows` per lane, allocated once per thread.

/// Trucks served from one flow's cohort: what the engine needs to account
/// for them.
#[derive(Clone, Copy, Debug)]
pub struct Served {
    /// Position of the flow in the lane (see [`Lane::flows`]).
    pub slot: usize,
    /// Trucks served.
    pub trucks: f64,
    /// Of which trucks that had been deferred and came back.
    pub returned: f64,
    /// Days waited: `w = t − a`.
    pub wait: usize,
}

/// One first-in-first-out queue over a set of flows.
#[derive(Clone, Debug)]
pub struct Lane {
    /// Global flow indices served by this lane.
    pub flows: Vec<usize>,
    nf: usize,
    /// `amt[a·nf + j]`: trucks of flow slot `j` that arrived on day `a`.
    amt: Vec<f64>,
    /// Of those, trucks that were deferred earlier and returned.
    ret: Vec<f64>,
    /// Total of each cohort.
    tot: Vec<f64>,
    head: usize,
    next: usize,
    /// Trucks queued in this lane.
    pub queued: f64,
}

impl Lane {
    /// A lane over `flows` for a horizon of `h` days.
    pub fn new(flows: Vec<usize>, h: usize) -> Self {
        let nf = flows.len();
        Self {
            flows,
            nf,
            amt: vec![0.0; nf * h],
            ret: vec![0.0; nf * h],
            tot: vec![0.0; h],
            head: 0,
            next: 0,
            queued: 0.0,
        }
    }

    /// Empties the lane for a new replicate (no allocation).
    pub fn reset(&mut self) {
        self.head = 0;
        self.next = 0;
        self.queued = 0.0;
    }

    /// Records day `t`'s arrivals; `arrivals[j]`/`returned[j]` are flow slot
    /// `j`'s trucks and, of them, returned deferred trucks. Days must be
    /// pushed in order, once each.
    pub fn push(&mut self, t: usize, arrivals: &[f64], returned: &[f64]) {
        debug_assert_eq!(t, self.next);
        let row = t * self.nf;
        let mut total = 0.0;
        for j in 0..self.nf {
            self.amt[row + j] = arrivals[j];
            self.ret[row + j] = returned[j];
            total += arrivals[j];
        }
        self.tot[t] = total;
        self.queued += total;
        self.next = t + 1;
    }

    /// Serves up to `capacity` trucks on day `t`, oldest cohorts first,
    /// calling `on_served` for every (flow, cohort) share served. Returns
    /// the trucks served.
    pub fn serve(&mut self, t: usize, capacity: f64, mut on_served: impl FnMut(Served)) -> f64 {
        let mut cap = capacity;
        let mut served = 0.0;
        while cap > 0.0 && self.head < self.next {
            let a = self.head;
            let tot = self.tot[a];
            if tot <= 0.0 {
                self.head += 1;
                continue;
            }
            let row = a * self.nf;
            let wait = t - a;
            if tot <= cap {
                for j in 0..self.nf {
                    let x = self.amt[row + j];
                    if x > 0.0 {
                        on_served(Served {
                            slot: j,
                            trucks: x,
                            returned: self.ret[row + j],
                            wait,
                        });
                    }
                }
                cap -= tot;
                served += tot;
                self.queued -= tot;
                self.tot[a] = 0.0;
                self.head += 1;
            } else {
                let phi = cap / tot;
                let keep = 1.0 - phi;
                let mut left = 0.0;
                for j in 0..self.nf {
                    let x = self.amt[row + j];
                    if x > 0.0 {
                        let r = self.ret[row + j];
                        on_served(Served {
                            slot: j,
                            trucks: x * phi,
                            returned: r * phi,
                            wait,
                        });
                        self.amt[row + j] = x * keep;
                        self.ret[row + j] = r * keep;
                        left += x * keep;
                    }
                }
                served += cap;
                self.queued -= cap;
                self.tot[a] = left;
                cap = 0.0;
            }
        }
        if self.head >= self.next {
            // Guard against drift: an empty lane holds exactly nothing.
            self.queued = 0.0;
        }
        served
    }

    /// Visits every cohort still queued (for trucks stranded at the
    /// horizon): `(slot, trucks, returned, arrival day)`.
    pub fn for_each_queued(&self, mut f: impl FnMut(usize, f64, f64, usize)) {
        for a in self.head..self.next {
            if self.tot[a] <= 0.0 {
                continue;
            }
            let row = a * self.nf;
            for j in 0..self.nf {
                let x = self.amt[row + j];
                if x > 0.0 {
                    f(j, x, self.ret[row + j], a);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_pro_rata() {
        let mut l = Lane::new(vec![10, 11], 4);
        l.push(0, &[2.0, 2.0], &[0.0, 0.0]);
        l.push(1, &[1.0, 3.0], &[0.0, 1.0]);
        let mut got = Vec::new();
        let s = l.serve(1, 6.0, |x| got.push((x.slot, x.trucks, x.wait)));
        assert_eq!(s, 6.0);
        // Day-0 cohort fully (wait 1), then half of day 1 pro rata (wait 0).
        assert_eq!(
            got,
            vec![(0, 2.0, 1), (1, 2.0, 1), (0, 0.5, 0), (1, 1.5, 0)]
        );
        assert!((l.queued - 2.0).abs() < 1e-12);
        let mut rest = Vec::new();
        l.for_each_queued(|j, x, r, a| rest.push((j, x, r, a)));
        assert_eq!(rest, vec![(0, 0.5, 0.0, 1), (1, 1.5, 0.5, 1)]);
    }
}
