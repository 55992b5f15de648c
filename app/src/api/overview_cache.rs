//! (ssr) The overview and revenue series computed once and shared: under a burst of visitors (an
//! IR page and its embeds after an earnings release) every request for the same range gets the
//! same figures without recomputing them from the store.
//!
//! An entry is valid for one range, one date, one wall-clock minute and one data revision.
//! Writes through this process (timeline, annotations) bump the revision, so an operator sees
//! their edit at once; figures written in the background (market feed, pool payouts, telemetry,
//! or another replica) show within the minute.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};

use super::overview_page::OverviewPage;
use crate::model::company::range::TimeRange;
use crate::model::company::revenue::RevenueDay;
use crate::model::investor::overview::Overview;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    today: NaiveDate,
    minute: i64,
    revision: u64,
}

/// Entries per map at most: API callers may ask for any window; the pages use a handful.
const MAX_ENTRIES: usize = 32;

/// One value per request kind `R` (a range, a window), each with the key it was computed under.
struct Slots<R, V>(Mutex<HashMap<R, (Key, Arc<V>)>>);

impl<R, V> Default for Slots<R, V> {
    fn default() -> Self {
        Slots(Mutex::new(HashMap::new()))
    }
}

impl<R: std::hash::Hash + Eq, V> Slots<R, V> {
    fn get(&self, what: &R, key: Key) -> Option<Arc<V>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(what)
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, what: R, key: Key, value: Arc<V>) {
        // A panic while holding the lock leaves a map that is still consistent.
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (k, _)| *k == key);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(what, (key, value));
    }
}

#[derive(Default)]
pub struct OverviewCache {
    revision: AtomicU64,
    /// Full daily figures (exports, embeds, the API).
    overview: Slots<TimeRange, Overview>,
    /// What the page receives: downsampled, charts built.
    page: Slots<(TimeRange, crate::i18n::Lang), OverviewPage>,
    /// Every site's daily revenue over a window (`/revenue`, embeds).
    revenue: Slots<(NaiveDate, NaiveDate), Vec<RevenueDay>>,
    /// Risk bands per query (`/risk`, the overview's panel).
    risk: Slots<RiskKey, crate::model::investor::risk_report::RiskReport>,
    /// Rendered embeds (body and ETag): what every visitor of an IR page gets is rendered and
    /// hashed once per data revision and minute, not per request.
    embeds: Slots<EmbedKey, RenderedEmbed>,
}

/// An embed request as a key: grant id, view slug, month, dark theme, language, JSON.
pub type EmbedKey = (
    i64,
    &'static str,
    Option<String>,
    bool,
    crate::i18n::Lang,
    bool,
);

/// An embed as served: its body and the ETag of that body.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedEmbed {
    pub body: String,
    pub etag: String,
}

/// A risk query as a key: range, paths, seed, and the scenario's volatility and drift (bits).
pub type RiskKey = (
    Option<String>,
    Option<usize>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
);

impl OverviewCache {
    /// Called after every write that changes what the overview shows.
    pub fn invalidate(&self) {
        self.revision.fetch_add(1, Ordering::SeqCst);
    }

    /// The data revision: bumped by every write through this process that changes the
    /// overview (the server's page cache keys on it too).
    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::SeqCst)
    }

    fn key(&self, today: NaiveDate, now: DateTime<Utc>) -> Key {
        Key {
            today,
            minute: now.timestamp().div_euclid(60),
            revision: self.revision.load(Ordering::SeqCst),
        }
    }

    /// Two requests that miss together both compute; the figures are the same either way. A
    /// write that lands while computing makes the result stale: it is returned, not kept.
    async fn through<R: std::hash::Hash + Eq, V, E>(
        &self,
        slots: &Slots<R, V>,
        what: R,
        (today, now): (NaiveDate, DateTime<Utc>),
        compute: impl Future<Output = Result<V, E>>,
    ) -> Result<Arc<V>, E> {
        let key = self.key(today, now);
        if let Some(v) = slots.get(&what, key) {
            return Ok(v);
        }
        let fresh = Arc::new(compute.await?);
        if self.key(today, now) == key {
            slots.put(what, key, fresh.clone());
        }
        Ok(fresh)
    }

    pub async fn overview<E>(
        &self,
        range: TimeRange,
        at: (NaiveDate, DateTime<Utc>),
        compute: impl Future<Output = Result<Overview, E>>,
    ) -> Result<Arc<Overview>, E> {
        self.through(&self.overview, range, at, compute).await
    }

    pub async fn page<E>(
        &self,
        range: (TimeRange, crate::i18n::Lang),
        at: (NaiveDate, DateTime<Utc>),
        compute: impl Future<Output = Result<OverviewPage, E>>,
    ) -> Result<Arc<OverviewPage>, E> {
        self.through(&self.page, range, at, compute).await
    }

    pub async fn risk<E>(
        &self,
        query: RiskKey,
        at: (NaiveDate, DateTime<Utc>),
        compute: impl Future<Output = Result<crate::model::investor::risk_report::RiskReport, E>>,
    ) -> Result<Arc<crate::model::investor::risk_report::RiskReport>, E> {
        self.through(&self.risk, query, at, compute).await
    }

    pub async fn revenue<E>(
        &self,
        window: (NaiveDate, NaiveDate),
        at: (NaiveDate, DateTime<Utc>),
        compute: impl Future<Output = Result<Vec<RevenueDay>, E>>,
    ) -> Result<Arc<Vec<RevenueDay>>, E> {
        self.through(&self.revenue, window, at, compute).await
    }

    pub async fn embed<E>(
        &self,
        key: EmbedKey,
        at: (NaiveDate, DateTime<Utc>),
        compute: impl Future<Output = Result<RenderedEmbed, E>>,
    ) -> Result<Arc<RenderedEmbed>, E> {
        self.through(&self.embeds, key, at, compute).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    fn at(minute: i64) -> (NaiveDate, DateTime<Utc>) {
        (
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            DateTime::from_timestamp(1_790_000_000 / 60 * 60 + minute * 60, 0).unwrap(),
        )
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        // The futures here never wait on anything: one poll completes them.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("pending"),
        }
    }

    #[test]
    fn computes_once_per_minute_and_again_after_a_write() {
        let cache = OverviewCache::default();
        let runs = AtomicU32::new(0);
        let slots: Slots<TimeRange, u32> = Slots::default();
        let get = |t| {
            block_on(cache.through(&slots, TimeRange::OneYear, t, async {
                Ok::<_, ()>(runs.fetch_add(1, Ordering::SeqCst) + 1)
            }))
            .unwrap()
        };
        assert_eq!(*get(at(0)), 1);
        assert_eq!(*get(at(0)), 1, "same minute, no write: shared");
        assert_eq!(*get(at(1)), 2, "a new minute recomputes");
        cache.invalidate();
        assert_eq!(*get(at(1)), 3, "a write recomputes");
        assert_eq!(*get(at(1)), 3);
        // Ranges do not share.
        let other =
            block_on(cache.through(&slots, TimeRange::All, at(1), async { Ok::<_, ()>(99) }))
                .unwrap();
        assert_eq!(*other, 99);
        assert_eq!(*get(at(1)), 3);
    }

    #[test]
    fn the_map_stays_bounded_whatever_windows_are_asked_for() {
        let slots: Slots<u32, u32> = Slots::default();
        let key = |minute| Key {
            today: at(0).0,
            minute,
            revision: 0,
        };
        for i in 0..100 {
            slots.put(i, key(1), Arc::new(i));
        }
        assert!(slots.0.lock().unwrap().len() <= MAX_ENTRIES);
        assert_eq!(slots.get(&99, key(1)).as_deref(), Some(&99));
        assert!(slots.get(&99, key(2)).is_none());
    }

    #[test]
    fn errors_are_not_kept() {
        let cache = OverviewCache::default();
        let slots: Slots<TimeRange, u32> = Slots::default();
        let r = block_on(cache.through(&slots, TimeRange::OneYear, at(0), async {
            Err::<u32, _>("down")
        }));
        assert!(r.is_err());
        let ok = block_on(cache.through(&slots, TimeRange::OneYear, at(0), async {
            Ok::<_, &str>(7)
        }));
        assert_eq!(*ok.unwrap(), 7);
    }
}
