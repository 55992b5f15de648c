//! The TOML fleet file (`--fleet FILE`): devices to poll, kept in version control by operators.
//!
//! ```toml
//! [[asic]]
//! address = "10.0.0.5:4028"
//! site = "pecos-ridge"
//! model = "S21"
//!
//! [[asic]]                          # the newer miner APIs: protocol = whatsminer_v3 (host:4433),
//! protocol = "braiins_rest"         # braiins_rest or axeos (a base URL), fluxos (host:4028)
//! address = "http://10.0.0.6"
//! site = "pecos-ridge"
//! credentials_env = "BOS_PECOS"     # its login from BOS_PECOS_USER / BOS_PECOS_PASSWORD
//!
//! [[gpu]]
//! url = "http://10.0.1.2:9400/metrics"
//! site = "muskogee"
//!
//! [[pool]]
//! kind = "braiins"
//! site = "pecos-ridge"
//! token_env = "BRAIINS_TOKEN_PECOS"   # the token itself never goes in this file
//! # url = "https://pool.braiins.com"  # the default
//! ```

use serde::Deserialize;

use app::api::fleet::NewDevice;
use app::model::fleet::devices::DeviceKind;
use app::model::fleet::protocol::Protocol;

use crate::pool::{PoolAccount, PoolKind};
use crate::store::DeviceSpec;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    asic: Vec<AsicEntry>,
    #[serde(default)]
    gpu: Vec<GpuEntry>,
    #[serde(default)]
    pool: Vec<PoolEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolEntry {
    kind: String,
    site: String,
    token_env: String,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsicEntry {
    address: String,
    site: toml::Spanned<String>,
    model: Option<String>,
    id: Option<String>,
    #[serde(default)]
    protocol: Protocol,
    credentials_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GpuEntry {
    url: String,
    site: toml::Spanned<String>,
    model: Option<String>,
    id: Option<String>,
}

/// One entry of either kind, read the same way.
struct Entry {
    kind: DeviceKind,
    address: String,
    site: toml::Spanned<String>,
    model: Option<String>,
    id: Option<String>,
    protocol: Protocol,
    credentials_env: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FleetFileError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Parses and validates a fleet file's text; every entry must be usable or nothing is loaded.
pub fn parse(path: &str, text: &str) -> Result<Vec<DeviceSpec>, FleetFileError> {
    Ok(parse_entries(path, text)?
        .into_iter()
        .map(|(spec, _)| spec)
        .collect())
}

/// Parses a fleet file whose devices must each belong to one of `sites` (the portfolio's):
/// an unknown site refuses the file, naming its line.
pub fn parse_for_sites(
    path: &str,
    text: &str,
    sites: &[String],
) -> Result<Vec<DeviceSpec>, FleetFileError> {
    let entries = parse_entries(path, text)?;
    if let Some((spec, line)) = entries.iter().find(|(s, _)| !sites.contains(&s.site)) {
        return Err(FleetFileError::Invalid {
            path: path.to_string(),
            message: format!(
                "line {line}: {} is at site {:?}, which is not in the portfolio (sites: {})",
                spec.address,
                spec.site,
                if sites.is_empty() {
                    "none yet".to_string()
                } else {
                    sites.join(", ")
                }
            ),
        });
    }
    Ok(entries.into_iter().map(|(spec, _)| spec).collect())
}

/// Every entry with the line of its `site`.
fn parse_entries(path: &str, text: &str) -> Result<Vec<(DeviceSpec, usize)>, FleetFileError> {
    let invalid = |message: String| FleetFileError::Invalid {
        path: path.to_string(),
        message,
    };
    let file: FleetFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let entries = file
        .asic
        .into_iter()
        .map(|a| Entry {
            kind: DeviceKind::Asic,
            address: a.address,
            site: a.site,
            model: a.model,
            id: a.id,
            protocol: a.protocol,
            credentials_env: a.credentials_env,
        })
        .chain(file.gpu.into_iter().map(|g| Entry {
            kind: DeviceKind::Gpu,
            address: g.url,
            site: g.site,
            model: g.model,
            id: g.id,
            protocol: Protocol::Cgminer,
            credentials_env: None,
        }));
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut out: Vec<(DeviceSpec, usize)> = Vec::new();
    for (n, e) in entries.enumerate() {
        let Entry {
            kind,
            address,
            site,
            model,
            id,
            protocol,
            credentials_env,
        } = e;
        let line = line_of(site.span().start);
        let site = site.into_inner();
        let d = NewDevice {
            kind,
            address: address.clone(),
            site: site.clone(),
            model: model.clone(),
            protocol,
            credentials_env: credentials_env.clone(),
        };
        d.validate()
            .map_err(|e| invalid(format!("entry {} ({address}): {e}", n + 1)))?;
        let id = id.unwrap_or_else(|| {
            format!(
                "file-{}",
                address
                    .trim_start_matches("http://")
                    .replace(['/', ':', '.'], "-")
                    .trim_matches('-')
            )
        });
        if out.iter().any(|(o, _)| o.id == id) {
            return Err(invalid(format!(
                "entry {} ({address}): duplicate device id {id}",
                n + 1
            )));
        }
        out.push((
            DeviceSpec {
                id,
                kind,
                model: model.unwrap_or_else(|| crate::telemetry::poller::UNKNOWN_MODEL.into()),
                site,
                address,
                protocol,
                credentials_env,
            },
            line,
        ));
    }
    Ok(out)
}

/// The `[[pool]]` entries of a fleet file; every entry must name a known pool kind and an
/// environment variable that is set.
pub fn parse_pools(
    path: &str,
    text: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<PoolAccount>, FleetFileError> {
    let invalid = |message: String| FleetFileError::Invalid {
        path: path.to_string(),
        message,
    };
    let file: FleetFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    file.pool
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let at = |why: String| invalid(format!("pool entry {}: {why}", n + 1));
            let kind = PoolKind::parse(&p.kind)
                .ok_or_else(|| at(format!("unknown pool kind {:?} (known: braiins)", p.kind)))?;
            if p.site.trim().is_empty() {
                return Err(at("site is empty".into()));
            }
            if env(&p.token_env).is_none_or(|t| t.trim().is_empty()) {
                return Err(at(format!(
                    "environment variable {} (token_env) is not set",
                    p.token_env
                )));
            }
            let url = p
                .url
                .unwrap_or_else(|| kind.default_url().to_string())
                .trim_end_matches('/')
                .to_string();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(at(format!(
                    "url {url:?} must start with http:// or https://"
                )));
            }
            Ok(PoolAccount {
                kind,
                site: p.site,
                url,
                token_env: p.token_env,
            })
        })
        .collect()
}

/// Reads the `[[pool]]` entries of the file at `path`, tokens from the process environment.
pub fn load_pools(path: &std::path::Path) -> Result<Vec<PoolAccount>, FleetFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FleetFileError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_pools(&shown, &text, |k| std::env::var(k).ok())
}

/// Reads and parses the file at `path`; every device must be at one of `sites`.
pub fn load(path: &std::path::Path, sites: &[String]) -> Result<Vec<DeviceSpec>, FleetFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FleetFileError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_for_sites(&shown, &text, sites)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_entries_name_their_token_variable_never_the_token() {
        let text = "[[pool]]\nkind = \"braiins\"\nsite = \"tx\"\ntoken_env = \"TOK\"\n";
        let pools = parse_pools("f.toml", text, |k| (k == "TOK").then(|| "secret".into())).unwrap();
        assert_eq!(pools[0].url, "https://pool.braiins.com");
        assert_eq!(pools[0].token_env, "TOK");
        let missing = parse_pools("f.toml", text, |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("TOK") && missing.contains("not set"),
            "{missing}"
        );
        let bad = parse_pools(
            "f.toml",
            "[[pool]]\nkind = \"nope\"\nsite = \"tx\"\ntoken_env = \"TOK\"\n",
            |_| Some("x".into()),
        );
        assert!(bad.unwrap_err().to_string().contains("unknown pool kind"));
        // A token written into the file is refused, not silently used.
        assert!(parse_pools(
            "f.toml",
            "[[pool]]\nkind = \"braiins\"\nsite = \"tx\"\ntoken_env = \"TOK\"\ntoken = \"abc\"\n",
            |_| Some("x".into())
        )
        .is_err());
        // Device entries still parse beside pools.
        assert!(parse("f.toml", text).unwrap().is_empty());
    }

    #[test]
    fn a_device_at_a_site_not_in_the_portfolio_refuses_the_file_by_line() {
        let text = "[[asic]]\naddress = \"10.0.0.5:4028\"\nsite = \"pecos-ridge\"\n\n[[gpu]]\nurl = \"http://10.0.1.2:9400/metrics\"\nsite = \"my-real-site\"\n";
        let sites = vec!["pecos-ridge".to_string()];
        let e = parse_for_sites("f.toml", text, &sites)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "f.toml: line 7: http://10.0.1.2:9400/metrics is at site \"my-real-site\""
            ),
            "{e}"
        );
        let both = vec!["pecos-ridge".to_string(), "my-real-site".to_string()];
        assert_eq!(parse_for_sites("f.toml", text, &both).unwrap().len(), 2);
    }

    #[test]
    fn reads_asics_and_gpu_nodes() {
        let specs = parse("f.toml", "[[asic]]\naddress = \"10.0.0.5:4028\"\nsite = \"pecos-ridge\"\nmodel = \"S21\"\n\n[[gpu]]\nurl = \"http://10.0.1.2:9400/metrics\"\nsite = \"muskogee\"\nid = \"node-7\"\n").unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].id, "file-10-0-0-5-4028");
        assert_eq!(specs[0].kind, DeviceKind::Asic);
        assert_eq!(specs[1].id, "node-7");
        assert_eq!(specs[1].model, "unknown");
    }

    #[test]
    fn one_bad_entry_rejects_the_file_with_its_position() {
        let e = parse("f.toml", "[[asic]]\naddress = \"10.0.0.5:4028\"\nsite = \"a\"\n[[asic]]\naddress = \"nope\"\nsite = \"a\"\n").unwrap_err();
        assert!(e.to_string().contains("entry 2 (nope)"), "{e}");
        assert!(parse(
            "f.toml",
            "[[asic]]\naddress = \"h:1\"\nsite = \"a\"\ncolour = \"red\"\n"
        )
        .is_err());
        assert!(parse("f.toml", "[[asic]]\naddress = \"h:1\"\nsite = \"a\"\n[[asic]]\naddress = \"h:1\"\nsite = \"b\"\n").unwrap_err().to_string().contains("duplicate"));
        assert!(parse("f.toml", "not toml [").is_err());
    }
}
