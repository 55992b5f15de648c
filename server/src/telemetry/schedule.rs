//! When each endpoint is polled next: the per-endpoint state between polls and a heap of due
//! times, so a tick looks at what is due, not at every endpoint. No IO: the poller feeds it the
//! registry's devices and the polls' outcomes, and asks it what is due.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::device_build::Resolved;
use super::firmware::Family;
use super::PollError;
use crate::store::DeviceSpec;

/// How often a device is polled, and how long a dead one is left alone at most.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub interval: Duration,
    pub max_backoff: Duration,
}

/// Per-endpoint state between polls.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    /// Shared with the poll task (an `Arc`: nothing is copied per poll).
    pub(super) spec: Arc<DeviceSpec>,
    pub(super) next_poll: Instant,
    pub(super) failures: u32,
    /// First accepted-difficulty reading of the current uptime, for the share-based rate.
    pub(super) share_base: Option<(DateTime<Utc>, f64)>,
    /// The (model, firmware) last seen, queued for the store once per change.
    pub(super) identity: Option<(Option<String>, Option<String>)>,
    /// The firmware family the device last answered as (`None`: ask it what it is).
    pub(super) family: Option<Family>,
    /// Ids of the devices its last answer produced (a GPU node's GPUs; an ASIC itself).
    pub(super) produced: Vec<String>,
    pub(super) resolved: Option<Resolved>,
    /// A poll of it is under way (not dispatched again until it has come back).
    pub(super) in_flight: bool,
}

/// An endpoint's turn in the schedule; the spec is shared with the endpoint (nothing copied).
#[derive(Debug)]
struct Due {
    at: Instant,
    spec: Arc<DeviceSpec>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at
            .cmp(&other.at)
            .then_with(|| self.spec.id.cmp(&other.spec.id))
    }
}

/// Deterministic jitter in [-10 %, +10 %] of `base`, varied per device and attempt.
pub(super) fn jitter(base: Duration, id: &str, salt: u64) -> Duration {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h ^= salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let unit = (h % 2001) as f64 / 1000.0 - 1.0; // -1..=1
    base.mul_f64(1.0 + 0.1 * unit)
}

/// Every endpoint this process polls and when each is due.
#[derive(Default)]
pub struct Schedule {
    endpoints: HashMap<String, Endpoint>,
    /// Earliest first; an entry whose time no longer matches its endpoint's is stale and skipped.
    heap: BinaryHeap<Reverse<Due>>,
}

impl Schedule {
    pub fn len(&self) -> usize {
        self.endpoints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut Endpoint> {
        self.endpoints.get_mut(id)
    }

    /// Adds an endpoint, first due `at`.
    pub fn add(&mut self, spec: DeviceSpec, at: Instant) {
        let spec = Arc::new(spec);
        self.heap.push(Reverse(Due {
            at,
            spec: spec.clone(),
        }));
        self.endpoints.insert(
            spec.id.clone(),
            Endpoint {
                next_poll: at,
                spec,
                failures: 0,
                share_base: None,
                identity: None,
                family: None,
                produced: Vec::new(),
                resolved: None,
                in_flight: false,
            },
        );
    }

    /// Makes the schedule hold exactly `wanted` (the registry as last read): endpoints no longer
    /// wanted are dropped and returned with the device ids they produced; a changed
    /// registration is taken in without losing its turn; new endpoints are spread over the
    /// first 5 % of an interval so a large fleet does not arrive at once.
    pub fn sync(
        &mut self,
        wanted: HashMap<String, DeviceSpec>,
        now: Instant,
        interval: Duration,
    ) -> Vec<(String, Vec<String>)> {
        let gone: Vec<String> = self
            .endpoints
            .keys()
            .filter(|id| !wanted.contains_key(*id))
            .cloned()
            .collect();
        let removed = gone
            .into_iter()
            .filter_map(|id| self.endpoints.remove(&id).map(|e| (id, e.produced)))
            .collect();
        for (id, spec) in wanted {
            match self.endpoints.get_mut(&id) {
                Some(e) if *e.spec != spec => e.spec = Arc::new(spec),
                Some(_) => {}
                None => {
                    let at = now + jitter(interval, &id, 0).mul_f64(0.05);
                    self.add(spec, at);
                }
            }
        }
        removed
    }

    /// Takes every endpoint due at `now` off the schedule (earliest first), marking each in
    /// flight so it is not dispatched again before its poll comes back; with the longest
    /// lateness among them, ms.
    pub fn take_due(&mut self, now: Instant) -> (Vec<(Arc<DeviceSpec>, Option<Family>)>, u64) {
        let mut due = Vec::new();
        let mut lag_ms = 0;
        while let Some(Reverse(next)) = self.heap.peek() {
            if next.at > now {
                break;
            }
            let Some(Reverse(Due { at, spec })) = self.heap.pop() else {
                break;
            };
            let Some(e) = self.endpoints.get_mut(&spec.id) else {
                continue;
            };
            if e.next_poll != at || e.in_flight {
                continue;
            }
            lag_ms = lag_ms.max(now.saturating_duration_since(at).as_millis() as u64);
            due.push((e.spec.clone(), e.family));
            e.in_flight = true;
        }
        (due, lag_ms)
    }

    /// A poll of `id` came back at `now` (`failed`: with this error): the endpoint is due
    /// again after an interval, or after a backoff doubling per failure up to `max_backoff`
    /// (each ±10 %, varied by `salt`). Returns the endpoint, unless it was dropped meanwhile.
    pub(super) fn finish(
        &mut self,
        id: &str,
        failed: Option<&PollError>,
        now: Instant,
        timing: Timing,
        salt: u64,
    ) -> Option<&mut Endpoint> {
        let e = self.endpoints.get_mut(id)?;
        e.in_flight = false;
        match failed {
            None => {
                e.failures = 0;
                e.next_poll = now + jitter(timing.interval, &e.spec.id, salt);
            }
            Some(err) => {
                e.failures += 1;
                // An answer that no longer parses may be new firmware: ask what it is again.
                if matches!(err, PollError::Malformed(_) | PollError::DeviceError(_)) {
                    e.family = None;
                }
                let backoff = timing
                    .interval
                    .saturating_mul(1u32 << e.failures.min(6))
                    .min(timing.max_backoff);
                e.next_poll = now + jitter(backoff, &e.spec.id, salt);
                e.share_base = None;
            }
        }
        self.heap.push(Reverse(Due {
            at: e.next_poll,
            spec: e.spec.clone(),
        }));
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use app::model::fleet::devices::DeviceKind;

    use super::*;

    fn spec(id: &str) -> DeviceSpec {
        DeviceSpec {
            id: id.into(),
            kind: DeviceKind::Asic,
            model: "S21".into(),
            site: "north".into(),
            address: format!("10.0.0.1:{}", 4000 + id.len()),
            credentials_env: None,
            protocol: Default::default(),
        }
    }

    const TIMING: Timing = Timing {
        interval: Duration::from_secs(10),
        max_backoff: Duration::from_secs(300),
    };

    fn ids(due: &[(Arc<DeviceSpec>, Option<Family>)]) -> Vec<&str> {
        due.iter().map(|(s, _)| s.id.as_str()).collect()
    }

    #[test]
    fn due_endpoints_come_out_earliest_first_and_later_ones_wait() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.add(spec("c"), t0 + Duration::from_secs(3));
        s.add(spec("a"), t0 + Duration::from_secs(1));
        s.add(spec("b"), t0 + Duration::from_secs(2));
        s.add(spec("late"), t0 + Duration::from_secs(60));
        assert!(s.take_due(t0).0.is_empty());
        let (due, lag_ms) = s.take_due(t0 + Duration::from_secs(5));
        assert_eq!(ids(&due), ["a", "b", "c"]);
        // "a" was due 4 s before the tick.
        assert_eq!(lag_ms, 4_000);
    }

    #[test]
    fn an_endpoint_in_flight_is_not_dispatched_again_until_its_poll_is_back() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.add(spec("a"), t0);
        assert_eq!(ids(&s.take_due(t0).0), ["a"]);
        // Still in flight much later: nothing due, however long the poll takes.
        assert!(s.take_due(t0 + Duration::from_secs(120)).0.is_empty());
        let back = t0 + Duration::from_secs(121);
        let e = s.finish("a", None, back, TIMING, 1).unwrap();
        assert!(!e.in_flight);
        let next = e.next_poll - back;
        assert!(
            next >= Duration::from_secs(9) && next <= Duration::from_secs(11),
            "{next:?}"
        );
        assert!(s.take_due(back + Duration::from_secs(8)).0.is_empty());
        assert_eq!(ids(&s.take_due(back + Duration::from_secs(12)).0), ["a"]);
    }

    #[test]
    fn failures_back_off_doubling_up_to_the_limit_and_an_answer_resets_it() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.add(spec("a"), t0);
        let refused = PollError::Connect("refused".into());
        let mut waits = Vec::new();
        for n in 0..8 {
            s.take_due(t0 + Duration::from_secs(100_000));
            let e = s.finish("a", Some(&refused), t0, TIMING, n).unwrap();
            waits.push((e.next_poll - t0).as_secs_f64());
        }
        // 20, 40, 80, 160 s, then the 300-s cap (each ±10 %).
        for (w, expected) in waits
            .iter()
            .zip([20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0])
        {
            assert!((w / expected - 1.0).abs() <= 0.1001, "{waits:?}");
        }
        s.take_due(t0 + Duration::from_secs(100_000));
        let e = s.finish("a", None, t0, TIMING, 9).unwrap();
        assert_eq!(e.failures, 0);
        assert!((e.next_poll - t0) <= Duration::from_secs(11));
    }

    #[test]
    fn a_malformed_answer_forgets_the_family_and_a_refused_connection_keeps_it() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.add(spec("a"), t0);
        s.get_mut("a").unwrap().family = Some(Family::Antminer);
        s.take_due(t0);
        let e = s
            .finish("a", Some(&PollError::ConnectTimeout), t0, TIMING, 0)
            .unwrap();
        assert_eq!(e.family, Some(Family::Antminer));
        s.take_due(t0 + Duration::from_secs(100));
        let e = s
            .finish("a", Some(&PollError::Malformed("}{".into())), t0, TIMING, 1)
            .unwrap();
        assert_eq!(e.family, None);
    }

    #[test]
    fn a_registry_re_read_drops_adds_and_updates_without_losing_turns() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.add(spec("keep"), t0 + Duration::from_secs(4));
        s.add(spec("gone"), t0 + Duration::from_secs(1));
        s.get_mut("gone").unwrap().produced = vec!["gone".into()];
        let mut moved = spec("keep");
        moved.site = "south".into();
        let wanted: HashMap<String, DeviceSpec> = [
            ("keep".to_string(), moved),
            ("new".to_string(), spec("new")),
        ]
        .into();
        let removed = s.sync(wanted, t0, TIMING.interval);
        assert_eq!(
            removed,
            vec![("gone".to_string(), vec!["gone".to_string()])]
        );
        assert_eq!(s.len(), 2);
        // The new endpoint is due within 5 % (±10 %) of an interval; "gone" never comes out;
        // "keep" keeps its turn at 4 s, with its new site.
        let (first, _) = s.take_due(t0 + Duration::from_millis(600));
        assert_eq!(ids(&first), ["new"]);
        let (then, _) = s.take_due(t0 + Duration::from_secs(5));
        assert_eq!(ids(&then), ["keep"]);
        assert_eq!(then[0].0.site, "south");
    }

    #[test]
    fn a_poll_of_a_dropped_endpoint_is_ignored() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        s.add(spec("a"), t0);
        s.take_due(t0);
        s.sync(HashMap::new(), t0, TIMING.interval);
        assert!(s.finish("a", None, t0, TIMING, 0).is_none());
        assert!(s.take_due(t0 + Duration::from_secs(60)).0.is_empty());
    }

    #[test]
    fn jitter_stays_within_ten_percent_and_varies() {
        let base = Duration::from_secs(10);
        let values: Vec<Duration> = (0..50).map(|i| jitter(base, "dev-1", i)).collect();
        assert!(values
            .iter()
            .all(|d| *d >= Duration::from_secs(9) && *d <= Duration::from_secs(11)));
        assert!(values.iter().any(|d| *d != values[0]));
    }
}
