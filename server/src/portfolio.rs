//! The portfolio document as text: TOML (primary, for companies that keep configuration in
//! git) or JSON, read whole with every refusal naming its line and field, and written back
//! deterministically so export → import → export is byte-identical. The rules live in
//! `app::model::company::portfolio`; this edge only reads and writes the formats and the files.

use std::path::Path;

use anyhow::Context;

use app::model::company::portfolio::{path_text, PathStep, Portfolio};

/// The two formats a document comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// By a file's extension (`.json`, else TOML).
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }

    /// By a request's `Content-Type` (JSON unless it names TOML or plain text).
    pub fn of_content_type(content_type: Option<&str>) -> Format {
        match content_type {
            Some(t) if t.contains("toml") || t.starts_with("text/plain") => Format::Toml,
            _ => Format::Json,
        }
    }
}

/// A document refused: the line (when the format can tell it), the field's path, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct DocumentError {
    pub line: Option<usize>,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.field.is_empty()) {
            (Some(l), false) => write!(f, "line {l}, {}: {}", self.field, self.reason),
            (Some(l), true) => write!(f, "line {l}: {}", self.reason),
            (None, false) => write!(f, "{}: {}", self.field, self.reason),
            (None, true) => write!(f, "{}", self.reason),
        }
    }
}

/// The 1-based line holding byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Reads and validates a document; nothing about it is stored here.
pub fn parse(text: &str, format: Format) -> Result<Portfolio, DocumentError> {
    let doc: Portfolio = match format {
        Format::Toml => toml::from_str(text).map_err(|e| DocumentError {
            line: e.span().map(|s| line_at(text, s.start)),
            field: String::new(),
            reason: e.message().trim().to_string(),
        })?,
        Format::Json => serde_json::from_str(text).map_err(|e| DocumentError {
            line: Some(e.line()),
            field: String::new(),
            reason: strip_json_position(&e.to_string()),
        })?,
    };
    doc.validate().map_err(|e| DocumentError {
        line: match format {
            Format::Toml => toml_line(text, &e.path),
            Format::Json => None,
        },
        field: path_text(&e.path),
        reason: e.reason,
    })?;
    Ok(doc)
}

/// serde_json appends " at line L column C"; the line is given apart.
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The line of the value at `path` in a TOML document (the nearest enclosing one found).
fn toml_line(text: &str, path: &[PathStep]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let mut best = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut array: Option<&toml::de::DeArray> = None;
    for step in path {
        let value = match step {
            PathStep::Field(name) => table?
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == name.as_str())
                .map(|(_, v)| v)?,
            PathStep::Index(i) => array?.get(*i)?,
        };
        best = Some(line_at(text, value.span().start));
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    best
}

/// The document as TOML, fields in the model's order.
pub fn to_toml(doc: &Portfolio) -> anyhow::Result<String> {
    Ok(format!(
        "# Rigshift portfolio: sites, fleet lines, power terms, lease contracts and milestones.\n\
         # `rigshift portfolio import FILE [--dry-run] [--replace]` applies it whole.\n\n{}",
        toml::to_string(doc).context("writing the portfolio as TOML")?
    ))
}

/// The document as pretty JSON.
pub fn to_json(doc: &Portfolio) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(doc)? + "\n")
}

/// What `rigshift portfolio import` and `history import` print and store.
pub mod cli {
    use super::*;
    use app::api::portfolio::ApplyOptions;
    use app::api::ports::SiteStore;
    use app::model::company::portfolio::{ChangeAction, Plan};

    /// Prints the stored portfolio.
    pub async fn export(database_url: &str, json: bool) -> anyhow::Result<String> {
        let store = crate::store::Store::connect(database_url).await?;
        let doc = store.stored_portfolio().await?.portfolio;
        if json {
            to_json(&doc)
        } else {
            to_toml(&doc)
        }
    }

    /// Applies `file` (or says what it would do with `dry_run`).
    pub async fn import(
        database_url: &str,
        file: &Path,
        dry_run: bool,
        replace: bool,
    ) -> anyhow::Result<Plan> {
        let doc = read_file(file)?;
        let store = crate::store::Store::connect(database_url).await?;
        let today = chrono::Utc::now().date_naive();
        let options = ApplyOptions {
            replace,
            dry_run,
            expect: None,
        };
        Ok(store
            .apply_portfolio(&doc, options, "cli", today)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?)
    }

    /// One line per change, then a count.
    pub fn describe(plan: &Plan, dry_run: bool) -> String {
        let mut out = String::new();
        for c in &plan.changes {
            let verb = match c.action {
                ChangeAction::Add => "add",
                ChangeAction::Change => "change",
                ChangeAction::Retire => "retire",
            };
            let target = format!("{:?}", c.target).to_lowercase();
            out.push_str(&format!("{verb} {target} {}", c.id));
            if c.target != app::model::company::portfolio::ChangeTarget::Site {
                out.push_str(&format!(" (site {})", c.site));
            }
            if !c.fields.is_empty() {
                out.push_str(&format!(": {}", c.fields.join(", ")));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "{}{} added, {} changed, {} retired\n",
            if dry_run {
                "dry run, nothing stored: "
            } else {
                ""
            },
            plan.count(ChangeAction::Add),
            plan.count(ChangeAction::Change),
            plan.count(ChangeAction::Retire),
        ));
        out
    }

    /// Imports a reported-history CSV whole; returns the site-months stored.
    pub async fn import_history(database_url: &str, file: &Path) -> anyhow::Result<usize> {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let store = crate::store::Store::connect(database_url).await?;
        let stored = store.stored_portfolio().await?;
        let ids: Vec<&str> = stored
            .portfolio
            .sites
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        let months = app::model::investor::reported::parse(&text, &ids)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        Ok(store
            .import_reported(&months, &format!("import:{name}"), "cli")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?)
    }
}

/// Reads `path` (TOML, or JSON by its extension).
pub fn read_file(path: &Path) -> anyhow::Result<Portfolio> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text, Format::of_path(path)).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
[[sites]]
id = "north"
name = "North Hall"
location = "Texas"
capacity_mw = 100.0
initial_mining_mw = 80.0
power_usd_per_kwh = 0.04
pue_ai = 1.25
mining_uptime = 0.95
pool_fee_pct = 1.0

[[sites.fleet]]
model_id = "S21"
count = 20000

[[sites.contracts]]
id = "north-colo"
tenant = "Hyperscaler"
start_on = "2026-01-01"
ramp_months = 6
power_pass_through = true

[sites.contracts.terms]
kind = "colocation"
critical_mw = 16.0
usd_per_kw_month = 130.0
escalator_pct_per_year = 3.0
"#;

    #[test]
    fn a_toml_document_reads_and_writes_back_to_the_same_text() {
        let doc = parse(DOC, Format::Toml).unwrap();
        assert_eq!(doc.sites[0].contracts[0].id, "north-colo");
        let once = to_toml(&doc).unwrap();
        let again = to_toml(&parse(&once, Format::Toml).unwrap()).unwrap();
        assert_eq!(once, again);
        let json = to_json(&doc).unwrap();
        assert_eq!(parse(&json, Format::Json).unwrap(), doc);
    }

    #[test]
    fn refusals_name_the_line_and_the_field() {
        let bad = DOC.replace("count = 20000", "count = 20000\nwatts = 3");
        let e = parse(&bad, Format::Toml).unwrap_err();
        assert_eq!(e.line, Some(16), "{e}");
        assert!(e.reason.contains("unknown field `watts`"), "{e}");

        let bad = DOC.replace("\"S21\"", "\"S99\"");
        let e = parse(&bad, Format::Toml).unwrap_err();
        assert_eq!(e.field, "sites[0].fleet[0].model_id");
        assert_eq!(e.line, Some(14), "{e}");

        let bad = DOC.replace("capacity_mw = 100.0", "capacity_mw = -100.0");
        let e = parse(&bad, Format::Toml).unwrap_err();
        assert_eq!(e.field, "sites[0].capacity_mw");
        assert_eq!(e.line, Some(6), "{e}");

        let bad = DOC.replace("2026-01-01", "2026-02-30");
        let e = parse(&bad, Format::Toml).unwrap_err();
        assert_eq!(e.line, Some(20), "{e}");

        let e = parse("{\"sites\": [{\"id\": 5}]}", Format::Json).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.to_string().starts_with("line 1: invalid type"), "{e}");
    }
}
