//! Power prices into the store: a file imported by `rigshift power import`, or what a URL
//! serves — a CSV, or ERCOT's public API page by page — fetched every hour
//! (`--power-prices-url`, with ERCOT's subscription key from `--power-prices-key-env`). Both
//! refuse a bad file whole: nothing is stored unless every line of every page reads.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use app::model::power::curtailment::SitePower;
use app::model::power::price_file::parse_prices;

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

/// The header ERCOT's API gateway reads a subscription key from.
const ERCOT_KEY_HEADER: &str = "ocp-apim-subscription-key";

/// Most pages one fetch follows: ERCOT pages hold up to 10,000 prices per request; a year of a
/// few points is well within 200 pages, and a server that keeps paging is cut off.
const MAX_PAGES: u32 = 200;

/// Fetches the prices at `url` every `every`, storing each answer whole or not at all. `key` is
/// sent as ERCOT's subscription key. A bad answer — or a panic while reading one — is logged and
/// the next hour tries again: the task never ends on its own.
pub fn spawn_feed(
    url: String,
    key: Option<String>,
    store: Arc<Store>,
    every: Duration,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mut remote = Remote::new(
        &url,
        RemoteLimits {
            // A year of 15-minute prices for a few points is a few megabytes.
            max_bytes: 64 * 1024 * 1024,
            ..RemoteLimits::default()
        },
    )?;
    if let Some(key) = &key {
        remote = remote.with_secret_header(ERCOT_KEY_HEADER, key);
    }
    let host = crate::remote::host_of(&url);
    Ok(tokio::spawn(async move {
        loop {
            let (remote, store, task_host) = (remote.clone(), store.clone(), host.clone());
            let attempt =
                tokio::spawn(async move { fetch_once(&remote, &store, &task_host).await });
            match attempt.await {
                Ok(Ok(n)) => tracing::info!(rows = n, %host, "power prices fetched"),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, %host, "power prices not fetched; keeping the stored ones")
                }
                Err(e) => {
                    tracing::error!(error = %e, %host, "reading power prices failed; keeping the stored ones")
                }
            }
            tokio::time::sleep(every).await;
        }
    }))
}

/// One fetch: the first answer, and for an ERCOT API page every further page it announces.
pub async fn fetch_once(remote: &Remote, store: &Store, host: &str) -> anyhow::Result<u64> {
    let first = remote.get_text("").await?;
    let mut rows = parse_prices(&first)?;
    let pages = app::model::power::json::page_meta(&first)
        .and_then(|m| m.total_pages)
        .unwrap_or(1);
    if pages > MAX_PAGES {
        anyhow::bail!("{pages} pages announced; at most {MAX_PAGES} are read (narrow the dates)");
    }
    let joiner = if remote.base().contains('?') {
        '&'
    } else {
        '?'
    };
    for page in 2..=pages {
        let text = remote.get_text(&format!("{joiner}page={page}")).await?;
        rows.extend(parse_prices(&text).map_err(|e| anyhow::anyhow!("page {page}: {e}"))?);
    }
    Ok(store
        .upsert_power_prices(&rows, &format!("feed:{host}"), Utc::now())
        .await?)
}

/// Keeps `sites` set to the sites whose power schedule curtails mining now: checked at once and
/// then every `every` (a 15-minute interval is the schedule's unit; a minute's delay is noise).
pub fn watch_curtailment(
    services: app::api::ports::Services,
    sites: std::sync::Arc<crate::telemetry::curtailed::CurtailedSites>,
    zones: std::sync::Arc<crate::telemetry::site_zones::SiteZones>,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            // The sites' time zones ride along: an edited zone reaches the poller by the next
            // check.
            match services.sites.list_sites().await {
                Ok(all) => zones.set(
                    all.iter()
                        .filter_map(|s| Some((s.id.as_str(), s.timezone.as_deref()?))),
                ),
                Err(e) => tracing::warn!(error = %e, "could not read the sites' time zones"),
            }
            match app::api::power::service::curtailed_now(&services, services.clock.now()).await {
                Ok(now) => sites.set(now),
                Err(e) => {
                    tracing::warn!(error = %e, "could not tell which sites are curtailed now")
                }
            }
        }
    })
}
