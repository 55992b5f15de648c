//! Power prices into the store: a file imported by `rigshift power import`, or a CSV a URL
//! serves, fetched every hour (`--power-prices-url`). Both refuse a bad file whole: nothing is
//! stored unless every line reads.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use app::model::curtailment::SitePower;
use app::model::power::parse_prices;

use crate::remote::{Remote, RemoteLimits};
use crate::store::Store;

/// Imports a price file; returns the rows written.
pub async fn import_file(store: &Store, path: &std::path::Path) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let rows = parse_prices(&text)
        .with_context(|| format!("{} refused, nothing stored", path.display()))?;
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().to_string());
    Ok(store
        .upsert_power_prices(&rows, &format!("import:{name}"), Utc::now())
        .await?)
}

/// Sets a site's terms from a JSON file.
pub async fn set_terms_file(
    store: &Store,
    site: &str,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let terms: SitePower = serde_json::from_str(&text)
        .with_context(|| format!("{} is not site power terms", path.display()))?;
    terms.validate().map_err(anyhow::Error::msg)?;
    // A fresh database holds no sites until the server's first start seeds them; seed now, as
    // that start would, so terms can be set before it.
    crate::store::seed_if_empty(store).await?;
    if !store.set_site_power(site, Some(&terms), "cli").await? {
        anyhow::bail!("no site {site}");
    }
    Ok(())
}

/// Imports coincident-peak interval starts (a header line, then one RFC 3339 time per line).
pub async fn import_peaks(store: &Store, path: &std::path::Path) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut peaks = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let t = chrono::DateTime::parse_from_rfc3339(line.trim().trim_matches('"')).with_context(
            || {
                format!(
                    "line {}: {:?} is not an RFC 3339 time; nothing stored",
                    i + 1,
                    line.trim()
                )
            },
        )?;
        peaks.push(t.to_utc());
    }
    Ok(store.set_coincident_peaks(&peaks).await?)
}

/// Fetches the price CSV at `url` every `every`, storing it whole or not at all.
pub fn spawn_feed(
    url: String,
    store: Arc<Store>,
    every: Duration,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let remote = Remote::new(
        &url,
        RemoteLimits {
            // A year of 15-minute prices for a few points is a few megabytes.
            max_bytes: 64 * 1024 * 1024,
            ..RemoteLimits::default()
        },
    )?;
    let host = crate::remote::host_of(&url);
    Ok(tokio::spawn(async move {
        loop {
            match fetch_once(&remote, &store, &host).await {
                Ok(n) => tracing::info!(rows = n, %host, "power prices fetched"),
                Err(e) => {
                    tracing::warn!(error = %e, %host, "power prices not fetched; keeping the stored ones")
                }
            }
            tokio::time::sleep(every).await;
        }
    }))
}

async fn fetch_once(remote: &Remote, store: &Store, host: &str) -> anyhow::Result<u64> {
    let text = remote.get_text("").await?;
    let rows = parse_prices(&text)?;
    Ok(store
        .upsert_power_prices(&rows, &format!("feed:{host}"), Utc::now())
        .await?)
}

/// Keeps `sites` set to the sites whose power schedule curtails mining now: checked at once and
/// then every `every` (a 15-minute interval is the schedule's unit; a minute's delay is noise).
pub fn watch_curtailment(
    services: app::api::ports::Services,
    sites: std::sync::Arc<crate::telemetry::curtailed::CurtailedSites>,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match app::api::power::service::curtailed_now(&services, services.clock.now()).await {
                Ok(now) => sites.set(now),
                Err(e) => {
                    tracing::warn!(error = %e, "could not tell which sites are curtailed now")
                }
            }
        }
    })
}
