//! Each site's time zone, for the poller: a miner's local times without a zone (Whatsminer's
//! error times) are placed in its site's zone. Refreshed beside the poller from the portfolio
//! (`crate::power::watch_curtailment`); a site without one (or an unknown name) reads as UTC.

use std::collections::BTreeMap;
use std::sync::RwLock;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use jiff::tz::TimeZone as Zone;

#[derive(Debug, Default)]
pub struct SiteZones(RwLock<BTreeMap<String, Zone>>);

pub use crate::clock::zone;

impl SiteZones {
    /// Sets the zones from (site id, zone name) pairs.
    pub fn set<'a>(&self, sites: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let zones = sites
            .into_iter()
            .filter_map(|(site, name)| zone(name).map(|z| (site.to_string(), z)))
            .collect();
        if let Ok(mut z) = self.0.write() {
            *z = zones;
        }
    }

    /// A local time at `site` in UTC. At a clock change a repeated hour takes its first
    /// occurrence and a skipped one is moved past the gap (jiff's "compatible" choice).
    pub fn to_utc(&self, site: &str, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let zones = self.0.read().ok()?;
        let Some(zone) = zones.get(site) else {
            return Some(Utc.from_utc_datetime(&local));
        };
        local_in(zone, local)
    }
}

/// `local` read in `zone`, in UTC.
pub fn local_in(zone: &Zone, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    use chrono::{Datelike, Timelike};
    let civil = jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        i8::try_from(local.month()).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        i8::try_from(local.second()).ok()?,
        0,
    )
    .ok()?;
    let ts = zone
        .to_ambiguous_zoned_datetime(civil)
        .compatible()
        .ok()?
        .timestamp();
    DateTime::from_timestamp(ts.as_second(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn local_times_are_placed_in_the_sites_zone() {
        let z = SiteZones::default();
        z.set([
            ("pecos", "America/Chicago"),
            ("oslo", "Europe/Oslo"),
            ("bad", "Mars/Olympus"),
        ]);
        // 23 May is daylight time in both: CDT is UTC−5, CEST UTC+2.
        let t = at("2026-05-23 09:19:10");
        assert_eq!(
            z.to_utc("pecos", t).unwrap().to_rfc3339(),
            "2026-05-23T14:19:10+00:00"
        );
        assert_eq!(
            z.to_utc("oslo", t).unwrap().to_rfc3339(),
            "2026-05-23T07:19:10+00:00"
        );
        // No zone (or an unknown one): read as UTC, as the firmware's own tools do.
        assert_eq!(
            z.to_utc("bad", t).unwrap().to_rfc3339(),
            "2026-05-23T09:19:10+00:00"
        );
        assert_eq!(
            z.to_utc("nowhere", t).unwrap().to_rfc3339(),
            "2026-05-23T09:19:10+00:00"
        );
        // Winter: CST is UTC−6.
        assert_eq!(
            z.to_utc("pecos", at("2026-01-10 00:30:00"))
                .unwrap()
                .to_rfc3339(),
            "2026-01-10T06:30:00+00:00"
        );
        assert!(zone("America/Chicago").is_some() && zone("Mars/Olympus").is_none());
    }
}
