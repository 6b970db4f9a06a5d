//! The queue at a crossing: cohorts of trucks by arrival day.
//!
//! A [`Lane`] holds, for each arrival day, the (fractional) trucks of each of
//! its slots still waiting (a slot is a flow, or a flow rerouted from
//! another crossing). [`serve_fifo`] serves one or more lanes together,
//! oldest arrival day first; the cohort that capacity only partly covers is
//! served pro rata across all its slots and lanes. Every cohort is touched
//! O(1) times on average (heads only move forward), so long queues cost no
//! more per day than short ones. Memory: `H × slots` per lane, allocated
//! once per thread.

/// A share of one cohort (the trucks of one arrival day) served today.
#[derive(Clone, Copy, Debug)]
pub struct Served<'a> {
    /// Trucks of each slot in the cohort before today's service; slot `j`
    /// is served `amounts[j] · phi` (exactly `amounts[j]` when `phi` is 1).
    pub amounts: &'a [f64],
    /// Of those, trucks that had been deferred and came back.
    pub returned: &'a [f64],
    /// Share of the cohort served, in (0, 1].
    pub phi: f64,
    /// Days waited at this crossing: `w = t − a`.
    pub wait: usize,
}

impl Served<'_> {
    /// Trucks of slot `j` served, and of them returned deferred trucks.
    #[inline]
    pub fn slot(&self, j: usize) -> (f64, f64) {
        self.share(self.amounts[j], self.returned[j])
    }

    /// The served part of a slot's `trucks` and `returned` trucks (for
    /// callers that walk the slices themselves).
    #[inline]
    pub fn share(&self, trucks: f64, returned: f64) -> (f64, f64) {
        if self.phi >= 1.0 {
            (trucks, returned)
        } else {
            (trucks * self.phi, returned * self.phi)
        }
    }
}

/// One first-in-first-out queue over a set of slots.
#[derive(Clone, Debug)]
pub struct Lane {
    nf: usize,
    /// `amt[a·nf + j]`: trucks of slot `j` that arrived on day `a`.
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
    /// A lane of `slots` slots for a horizon of `h` days.
    pub fn new(slots: usize, h: usize) -> Self {
        Self {
            nf: slots,
            amt: vec![0.0; slots * h],
            ret: vec![0.0; slots * h],
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

    /// Records day `t`'s arrivals; `arrivals[j]`/`returned[j]` are slot
    /// `j`'s trucks and, of them, returned deferred trucks. Days must be
    /// pushed in order, once each.
    pub fn push(&mut self, t: usize, arrivals: &[f64], returned: &[f64]) {
        self.push_with(t, |j| (arrivals[j], returned[j]));
    }

    /// [`push`](Lane::push) with slot `j`'s (trucks, returned trucks) given
    /// by `slot(j)`, written straight into the cohort row.
    #[inline]
    pub fn push_with(&mut self, t: usize, slot: impl Fn(usize) -> (f64, f64)) {
        debug_assert_eq!(t, self.next);
        let row = t * self.nf;
        let (amt, ret) = (
            &mut self.amt[row..row + self.nf],
            &mut self.ret[row..row + self.nf],
        );
        let mut total = 0.0;
        for (j, (a, r)) in amt.iter_mut().zip(ret.iter_mut()).enumerate() {
            let (x, y) = slot(j);
            *a = x;
            *r = y;
            total += x;
        }
        self.tot[t] = total;
        self.queued += total;
        self.next = t + 1;
    }

    /// Whether no truck is queued (skipping empty cohorts).
    pub fn is_empty(&mut self) -> bool {
        self.front().is_none()
    }

    /// Records an empty day `t` on an empty lane (its arrivals were all
    /// served on arrival elsewhere): keeps the day order without touching
    /// the cohort arrays.
    pub fn skip_day(&mut self, t: usize) {
        debug_assert!(self.head >= self.next && t == self.next);
        self.tot[t] = 0.0;
        self.next = t + 1;
        self.head = self.next;
    }

    /// Arrival day of the oldest non-empty cohort, if any.
    fn front(&mut self) -> Option<usize> {
        while self.head < self.next && self.tot[self.head] <= 0.0 {
            self.head += 1;
        }
        if self.head < self.next {
            Some(self.head)
        } else {
            self.queued = 0.0; // an empty lane holds exactly nothing
            None
        }
    }

    /// Serves the share `phi` (0 < phi ≤ 1) of the oldest cohort on day `t`.
    #[inline]
    fn take_front(&mut self, t: usize, phi: f64, on: &mut impl FnMut(Served)) {
        let a = self.head;
        let row = a * self.nf;
        let (amt, ret) = (
            &mut self.amt[row..row + self.nf],
            &mut self.ret[row..row + self.nf],
        );
        on(Served {
            amounts: amt,
            returned: ret,
            phi,
            wait: t - a,
        });
        if phi >= 1.0 {
            self.queued -= self.tot[a];
            self.tot[a] = 0.0;
            self.head += 1;
        } else {
            let keep = 1.0 - phi;
            let mut left = 0.0;
            for (x, r) in amt.iter_mut().zip(ret.iter_mut()) {
                if *x > 0.0 {
                    *x *= keep;
                    *r *= keep;
                    left += *x;
                }
            }
            self.queued -= self.tot[a] - left;
            self.tot[a] = left;
        }
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

/// Serves up to `capacity` trucks on day `t` from `lanes` together, oldest
/// arrival day first, pro rata within a day across all slots of all lanes.
/// `on(lane, served)` is called once for every cohort share served, `lane`
/// being the position in `lanes`. Returns the trucks served.
pub fn serve_fifo<const N: usize>(
    lanes: [&mut Lane; N],
    t: usize,
    capacity: f64,
    mut on: impl FnMut(usize, Served),
) -> f64 {
    let mut lanes = lanes;
    let mut cap = capacity;
    let mut served = 0.0;
    while cap > 0.0 {
        let mut day = usize::MAX;
        for l in lanes.iter_mut() {
            if let Some(d) = l.front() {
                day = day.min(d);
            }
        }
        if day == usize::MAX || day > t {
            break;
        }
        let tot: f64 = lanes
            .iter()
            .filter(|l| l.head == day)
            .map(|l| l.tot[day])
            .sum();
        let (phi, used) = if tot <= cap {
            (1.0, tot)
        } else {
            (cap / tot, cap)
        };
        for (i, l) in lanes.iter_mut().enumerate() {
            if l.head == day {
                l.take_front(t, phi, &mut |s| on(i, s));
            }
        }
        cap -= used;
        served += used;
    }
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_pro_rata() {
        let mut l = Lane::new(2, 4);
        l.push(0, &[2.0, 2.0], &[0.0, 0.0]);
        l.push(1, &[1.0, 3.0], &[0.0, 1.0]);
        let mut got = Vec::new();
        let s = serve_fifo([&mut l], 1, 6.0, |_, x| {
            for j in 0..x.amounts.len() {
                got.push((j, x.slot(j).0, x.wait))
            }
        });
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

    #[test]
    fn two_lanes_share_a_day_pro_rata() {
        let mut a = Lane::new(1, 3);
        let mut b = Lane::new(1, 3);
        a.push(0, &[4.0], &[0.0]);
        b.push(0, &[0.0], &[0.0]);
        a.push(1, &[2.0], &[0.0]);
        b.push(1, &[6.0], &[0.0]);
        let mut got = Vec::new();
        let s = serve_fifo([&mut a, &mut b], 1, 8.0, |l, x| {
            if x.amounts[0] > 0.0 {
                got.push((l, x.slot(0).0, x.wait))
            }
        });
        assert_eq!(s, 8.0);
        // Day 0 (lane a only) in full, then half of day 1 in both lanes.
        assert_eq!(got, vec![(0, 4.0, 1), (0, 1.0, 0), (1, 3.0, 0)]);
        assert!((a.queued - 1.0).abs() < 1e-12 && (b.queued - 3.0).abs() < 1e-12);
    }
}
