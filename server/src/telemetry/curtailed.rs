//! The sites whose power schedule has mining curtailed right now: refreshed beside the poller
//! (`crate::power::watch_curtailment`) and read by it, so a miner that is dark or idle at such a
//! site is shown as curtailed by schedule, not as a fault.

use std::collections::BTreeSet;
use std::sync::RwLock;

#[derive(Debug, Default)]
pub struct CurtailedSites(RwLock<BTreeSet<String>>);

impl CurtailedSites {
    pub fn contains(&self, site: &str) -> bool {
        self.0.read().map(|s| s.contains(site)).unwrap_or(false)
    }

    pub fn set(&self, sites: BTreeSet<String>) {
        if let Ok(mut s) = self.0.write() {
            *s = sites;
        }
    }
}

/// Below this share of nameplate a miner at a curtailed site is taken as following the
/// schedule (ramping down or sitting out) rather than under-performing.
pub const CURTAILED_BELOW_SHARE: f64 = 0.1;
