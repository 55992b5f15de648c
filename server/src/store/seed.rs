//! The illustrative demo company (`--demo`, on by default): its sites and conversion timeline,
//! inserted into a database that has no sites and marked as demo data wherever they show.

use app::model::company::site::Site;
use app::model::timeline::milestones::Milestone;

use super::{Store, StoreError};

const SEED_SITES: &str = include_str!("../../data/seed_sites.json");
const SEED_TIMELINE: &str = include_str!("../../data/seed_timeline.json");

/// The bundled example sites.
pub fn example_sites() -> Result<Vec<Site>, StoreError> {
    serde_json::from_str(SEED_SITES)
        .map_err(|e| StoreError::Corrupt(format!("seed_sites.json: {e}")))
}

/// Inserts the bundled example sites into an empty database; returns how many were added.
pub async fn seed_if_empty(store: &Store) -> Result<usize, StoreError> {
    if !store.sites().await?.is_empty() {
        return Ok(0);
    }
    let sites = example_sites()?;
    for (i, site) in sites.iter().enumerate() {
        store.insert_site(site, i as i64).await?;
    }
    let milestones: Vec<Milestone> = serde_json::from_str(SEED_TIMELINE)
        .map_err(|e| StoreError::Corrupt(format!("seed_timeline.json: {e}")))?;
    store.insert_milestones(&milestones).await?;
    let ids: Vec<String> = sites.iter().map(|s| s.id.clone()).collect();
    store.mark_demo_sites(&ids).await?;
    Ok(sites.len())
}
