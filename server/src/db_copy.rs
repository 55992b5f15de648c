//! `rigshift db copy`: moves an installation from its SQLite file to PostgreSQL — every table
//! with its ids (annotation versions, the audit trail, users, tokens and embeds keep working),
//! in one transaction, then checks the row counts on both sides.

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, Row};

use crate::store::{EngineKind, Store};

#[derive(Clone, Copy)]
enum Ty {
    Text,
    Int,
    Real,
    Day,
    Time,
}
use Ty::*;

/// Tables in an order that satisfies the foreign keys, with each column's type.
const TABLES: &[(&str, &[(&str, Ty)])] = &[
    (
        "sites",
        &[
            ("id", Text),
            ("name", Text),
            ("location", Text),
            ("capacity_mw", Real),
            ("initial_mining_mw", Real),
            ("power_usd_per_kwh", Real),
            ("pue_ai", Real),
            ("mining_uptime", Real),
            ("pool_fee_pct", Real),
            ("opex_usd_per_mw_month", Real),
            ("timezone", Text),
            ("position", Int),
            ("retired_on", Day),
            ("demo", Int),
            ("version", Int),
            ("updated_by", Text),
        ],
    ),
    (
        "fleet_lines",
        &[("site_id", Text), ("model_id", Text), ("count", Int)],
    ),
    (
        "lease_contracts",
        &[
            ("id", Text),
            ("site_id", Text),
            ("tenant", Text),
            ("terms", Text),
            ("start_on", Day),
            ("ramp_months", Int),
            ("end_on", Day),
            ("power_pass_through", Int),
            ("sla", Text),
            ("devices", Text),
            ("register", Text),
            ("version", Int),
            ("updated_by", Text),
        ],
    ),
    (
        "site_power",
        &[
            ("site_id", Text),
            ("terms", Text),
            ("updated_at", Time),
            ("updated_by", Text),
        ],
    ),
    (
        "power_prices",
        &[
            ("point", Text),
            ("point_type", Text),
            ("interval_start", Time),
            ("usd_per_mwh", Real),
            ("source", Text),
            ("fetched_at", Time),
        ],
    ),
    ("coincident_peaks", &[("interval_start", Time)]),
    (
        "forward_curves",
        &[
            ("as_of", Day),
            ("month", Day),
            ("usd_per_ph_day", Real),
            ("source", Text),
            ("fetched_at", Time),
        ],
    ),
    (
        "gpu_index",
        &[
            ("day", Day),
            ("model_key", Text),
            ("gpu_model", Text),
            ("usd_per_gpu_hour", Real),
            ("source", Text),
            ("fetched_at", Time),
        ],
    ),
    (
        "power_credits",
        &[
            ("id", Text),
            ("site_id", Text),
            ("month", Text),
            ("kind", Text),
            ("usd", Real),
            ("note", Text),
            ("recorded_by", Text),
            ("recorded_at", Time),
        ],
    ),
    (
        "closed_months",
        &[
            ("month", Text),
            ("version", Int),
            ("figures", Text),
            ("changes", Text),
            ("reason", Text),
            ("closed_by", Text),
            ("closed_at", Time),
        ],
    ),
    (
        "reported_months",
        &[
            ("site_id", Text),
            ("month", Day),
            ("btc_produced", Real),
            ("mining_revenue_usd", Real),
            ("power_cost_usd", Real),
            ("energy_mwh", Real),
            ("ai_revenue_usd", Real),
            ("hashrate_ths_avg", Real),
            ("source", Text),
            ("imported_at", Time),
            ("imported_by", Text),
        ],
    ),
    (
        "market_days",
        &[
            ("day", Day),
            ("btc_usd", Real),
            ("difficulty", Real),
            ("fees_btc_per_block", Real),
            ("source", Text),
            ("height", Int),
            ("fetched_at", Time),
        ],
    ),
    (
        "pool_rewards",
        &[
            ("day", Day),
            ("site", Text),
            ("pool", Text),
            ("btc", Real),
            ("fetched_at", Time),
        ],
    ),
    (
        "devices",
        &[
            ("id", Text),
            ("kind", Text),
            ("model", Text),
            ("site", Text),
            ("address", Text),
            ("source", Text),
            ("added_at", Time),
            ("removed_at", Time),
            ("reported_model", Text),
            ("firmware", Text),
            ("protocol", Text),
            ("credentials_env", Text),
        ],
    ),
    (
        "milestones",
        &[
            ("id", Text),
            ("site_id", Text),
            ("kind", Text),
            ("title", Text),
            ("planned_start", Day),
            ("planned_end", Day),
            ("actual_start", Day),
            ("actual_end", Day),
            ("mw", Real),
            ("depends_on", Text),
            ("contract_id", Text),
            ("version", Int),
            ("position", Int),
        ],
    ),
    (
        "annotations",
        &[
            ("id", Int),
            ("target_kind", Text),
            ("target", Text),
            ("site_id", Text),
            ("on_date", Day),
            ("version", Int),
            ("text", Text),
            ("author", Text),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    ),
    (
        "annotation_versions",
        &[
            ("annotation_id", Int),
            ("version", Int),
            ("text", Text),
            ("author", Text),
            ("at", Time),
        ],
    ),
    (
        "users",
        &[
            ("id", Int),
            ("name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("created_at", Time),
            ("disabled_at", Time),
            ("language", Text),
            ("tenant", Text),
        ],
    ),
    (
        "sessions",
        &[
            ("id", Int),
            ("secret_hash", Text),
            ("user_id", Int),
            ("created_at", Time),
            ("last_seen_at", Time),
            ("expires_at", Time),
            ("address", Text),
            ("user_agent", Text),
        ],
    ),
    (
        "api_tokens",
        &[
            ("id", Int),
            ("name", Text),
            ("role", Text),
            ("secret_hash", Text),
            ("created_at", Time),
            ("created_by", Text),
            ("revoked_at", Time),
            ("last_used_at", Time),
        ],
    ),
    (
        "audit_log",
        &[
            ("id", Int),
            ("at", Time),
            ("actor", Text),
            ("action", Text),
            ("target", Text),
            ("detail", Text),
        ],
    ),
    (
        "embed_tokens",
        &[
            ("id", Int),
            ("name", Text),
            ("view", Text),
            ("sites", Text),
            ("origins", Text),
            ("secret_hash", Text),
            ("token", Text),
            ("created_at", Time),
            ("created_by", Text),
            ("revoked_at", Time),
        ],
    ),
    (
        "samples_hourly",
        &[
            ("device_id", Text),
            ("hour", Text),
            ("samples", Int),
            ("online_samples", Int),
            ("hashrate_ths", Real),
            ("share_hashrate_ths", Real),
            ("gpu_util_pct", Real),
            ("temp_c", Real),
            ("power_w", Real),
            ("delivered_ths", Real),
        ],
    ),
];

const SAMPLES: (&str, &[(&str, Ty)]) = (
    "samples",
    &[
        ("device_id", Text),
        ("at", Time),
        ("status", Text),
        ("hashrate_ths", Real),
        ("share_hashrate_ths", Real),
        ("gpu_util_pct", Real),
        ("temp_c", Real),
        ("power_w", Real),
    ],
);

/// Tables whose `id` is an identity: their sequences continue after the copied ids.
const IDENTITIES: &[&str] = &[
    "annotations",
    "users",
    "sessions",
    "api_tokens",
    "audit_log",
    "embed_tokens",
];

enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
    Day(Option<NaiveDate>),
    Time(Option<DateTime<Utc>>),
}

fn read(row: &sqlx::sqlite::SqliteRow, i: usize, ty: Ty) -> Result<Value, sqlx::Error> {
    Ok(match ty {
        Text => Value::Text(row.try_get(i)?),
        Int => Value::Int(row.try_get(i)?),
        Real => Value::Real(row.try_get(i)?),
        Day => Value::Day(row.try_get(i)?),
        Time => Value::Time(row.try_get(i)?),
    })
}

/// Rows copied per table: (table, in the source, in the destination).
pub struct Report(pub Vec<(&'static str, i64, i64)>);

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, from, to) in &self.0 {
            writeln!(f, "  {table:<20} {from:>10} → {to:>10}")?;
        }
        Ok(())
    }
}

pub async fn copy(from: &str, to: &str, samples: bool) -> anyhow::Result<Report> {
    // The URLs are read once here for the lock's path and checked before anything is opened;
    // after opening, each store says which engine it is.
    if EngineKind::of_url(from) != Some(EngineKind::Sqlite) {
        bail!("--from must be a sqlite:// URL (the installation to move)");
    }
    if EngineKind::of_url(to) != Some(EngineKind::Postgres) {
        bail!("--to must be a postgres:// URL");
    }
    let path = crate::backup::sqlite_path(from)?;
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    // A running server would keep writing to the source during the copy.
    let _lock = crate::backup::DatabaseLock::acquire(&path)?;
    let source = Store::connect(from)
        .await
        .with_context(|| format!("opening {from}"))?;
    let target = Store::connect(to)
        .await
        .with_context(|| format!("opening {to}"))?;
    let (Some(src), Some(dst)) = (source.sqlite_pool(), target.postgres_pool()) else {
        bail!("--from must open as SQLite and --to as PostgreSQL");
    };
    for table in ["sites", "users", "devices", "annotations"] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(dst)
                .await?;
        if n > 0 {
            bail!("the destination already holds {table}: copy into an empty database");
        }
    }
    let mut tables: Vec<(&'static str, &'static [(&'static str, Ty)])> = TABLES.to_vec();
    if samples {
        let days: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT substr(at, 1, 10) FROM samples")
                .fetch_all(src)
                .await?;
        let days: Vec<NaiveDate> = days.iter().filter_map(|d| d.parse().ok()).collect();
        target.prepare_sample_days(&days).await?;
        tables.push(SAMPLES);
    }
    let mut tx = dst.begin().await?;
    for (table, columns) in &tables {
        copy_table(src, &mut tx, table, columns).await?;
    }
    for table in IDENTITIES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    let mut report = Vec::new();
    for (table, _) in &tables {
        let count = format!("SELECT COUNT(*) FROM {table}");
        let a: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
            .fetch_one(src)
            .await?;
        let b: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .fetch_one(dst)
            .await?;
        report.push((*table, a, b));
    }
    if let Some((table, a, b)) = report.iter().find(|(_, a, b)| a != b) {
        bail!("{table}: {a} rows in the source, {b} in the destination");
    }
    Ok(Report(report))
}

async fn copy_table(
    src: &sqlx::SqlitePool,
    tx: &mut sqlx::Transaction<'_, Postgres>,
    table: &str,
    columns: &[(&str, Ty)],
) -> anyhow::Result<()> {
    const ROWS: usize = 500;
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    // Tables declared WITHOUT ROWID are read in their key's order.
    let order = match table {
        "power_prices" => "point, point_type, interval_start",
        "forward_curves" => "as_of, month",
        "gpu_index" => "model_key, day",
        _ => "rowid",
    };
    let select = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
    let rows = sqlx::query(sqlx::AssertSqlSafe(select))
        .fetch_all(src)
        .await
        .with_context(|| format!("reading {table}"))?;
    for chunk in rows.chunks(ROWS) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
        for (r, _) in chunk.iter().enumerate() {
            let params: Vec<String> = (0..columns.len())
                .map(|c| format!("${}", r * columns.len() + c + 1))
                .collect();
            sql.push_str(if r == 0 { "(" } else { ",(" });
            sql.push_str(&params.join(","));
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for (i, (_, ty)) in columns.iter().enumerate() {
                q = match read(row, i, *ty).with_context(|| format!("{table}.{}", columns[i].0))? {
                    Value::Text(v) => q.bind(v),
                    Value::Int(v) => q.bind(v),
                    Value::Real(v) => q.bind(v),
                    Value::Day(v) => q.bind(v),
                    Value::Time(v) => q.bind(v),
                };
            }
        }
        q.execute(&mut **tx)
            .await
            .with_context(|| format!("writing {table}"))?;
    }
    Ok(())
}
