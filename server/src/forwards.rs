//! Forward inputs into the store: a hashprice forward curve and a GPU rental index, each from a
//! CSV file (`rigshift forwards import`, `rigshift gpu-index import`) or a URL serving the same
//! CSV, fetched daily (`--forwards-url`, `--gpu-index-url`). A bad file is refused whole:
//! nothing is stored unless every line reads.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use app::model::mining::forwards::{parse_forward_curve, parse_gpu_index};

use crate::remote::{Remote, RemoteLimits};
use crate::store::Store;

/// Which of the two inputs a file or feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardInput {
    /// `as_of,month,usd_per_ph_day`
    HashpriceCurve,
    /// `date,gpu_model,usd_per_gpu_hour`
    GpuIndex,
}

impl ForwardInput {
    fn name(self) -> &'static str {
        match self {
            ForwardInput::HashpriceCurve => "hashprice forward curve",
            ForwardInput::GpuIndex => "GPU rental index",
        }
    }

    /// Parses `text` whole and stores it under `source`; returns the rows written.
    pub async fn store(self, store: &Store, text: &str, source: &str) -> anyhow::Result<u64> {
        let now = Utc::now();
        Ok(match self {
            ForwardInput::HashpriceCurve => {
                let rows = parse_forward_curve(text)?;
                store.replace_forward_curves(&rows, source, now).await?
            }
            ForwardInput::GpuIndex => {
                let quotes = parse_gpu_index(text)?;
                store.upsert_gpu_index(&quotes, source, now).await?
            }
        })
    }
}

/// Imports a file; returns the rows written.
pub async fn import_file(
    store: &Store,
    input: ForwardInput,
    path: &std::path::Path,
) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().to_string());
    input
        .store(store, &text, &format!("import:{name}"))
        .await
        .with_context(|| format!("{} refused, nothing stored", path.display()))
}

/// Fetches `url` now and then every `every`, storing each answer whole or not at all; `changed`
/// runs after a stored answer (the cached overview is priced on it).
pub fn spawn_feed(
    input: ForwardInput,
    url: String,
    store: Arc<Store>,
    every: Duration,
    changed: impl Fn() + Send + 'static,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let remote = Remote::new(
        &url,
        RemoteLimits {
            max_bytes: 8 * 1024 * 1024,
            ..RemoteLimits::default()
        },
    )?;
    let host = crate::remote::host_of(&url);
    Ok(tokio::spawn(async move {
        loop {
            let fetched = async {
                let text = remote.get_text("").await?;
                input.store(&store, &text, &format!("feed:{host}")).await
            };
            match fetched.await {
                Ok(n) => {
                    tracing::info!(rows = n, %host, "{} fetched", input.name());
                    changed();
                }
                Err(e) => tracing::warn!(
                    error = %format!("{e:#}"),
                    %host,
                    "{} not fetched; keeping the stored one",
                    input.name()
                ),
            }
            tokio::time::sleep(every).await;
        }
    }))
}
