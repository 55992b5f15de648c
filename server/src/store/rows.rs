//! Rows the store hands out and takes in that are not API types: shared by both engines.

use chrono::{DateTime, NaiveDate, Utc};

use app::api::auth::Role;
use app::model::fleet::devices::DeviceKind;
use app::model::fleet::protocol::Protocol;
use app::model::timeline::annotation::AnnotationTarget;

/// Who is behind a live session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session_id: i64,
    pub name: String,
    pub role: Role,
    pub language: Option<app::i18n::Lang>,
    /// The tenant a tenant user is bound to.
    pub tenant: Option<String>,
}

/// A user as the login check needs it.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

/// A device to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSpec {
    pub id: String,
    pub kind: DeviceKind,
    pub model: String,
    pub site: String,
    pub address: String,
    /// The API it is read over (GPUs: always DCGM exporter, recorded as `cgminer`).
    pub protocol: Protocol,
    /// The prefix of the environment variables holding its login (`<PREFIX>_USER`,
    /// `<PREFIX>_PASSWORD`): the name only, never the secret.
    pub credentials_env: Option<String>,
}

/// What a new annotation resolves to before it is stored.
#[derive(Debug, Clone)]
pub struct NewAnnotationRow {
    pub target: AnnotationTarget,
    pub site_id: Option<String>,
    pub on_date: NaiveDate,
    pub text: String,
}

/// What a retention run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub hours_written: u64,
    pub rows_deleted: u64,
    pub partitions_dropped: u64,
}

/// The current time as both engines store it: PostgreSQL keeps microseconds, so a value is
/// cut to them before it is written or returned, and what a write answers equals what a later
/// read gives.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// Where a point's stored prices came from, and how many.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PriceCoverage {
    pub point: String,
    /// ERCOT's type of the point's series (`LZ`, `LZEW`, `HU`, …; empty where the file named none).
    pub point_type: String,
    pub intervals: i64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// `import:FILE`, `feed:HOST` or `simulated`.
    pub source: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
}

/// One GPU's month.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuMonth {
    pub device_id: String,
    pub month: NaiveDate,
    pub unavailable_minutes: f64,
    pub observed_hours: f64,
}

/// Per month, what a contract's GPUs gave: the GPUs in scope seen, their unavailable minutes
/// and observed hours summed.
pub fn measures(
    months: &[GpuMonth],
    in_scope: impl Fn(&str) -> bool,
) -> std::collections::BTreeMap<NaiveDate, app::model::ai::sla::MonthMeasure> {
    let mut out: std::collections::BTreeMap<NaiveDate, app::model::ai::sla::MonthMeasure> =
        Default::default();
    for m in months.iter().filter(|m| in_scope(&m.device_id)) {
        let e = out.entry(m.month).or_default();
        e.gpus += 1;
        e.unavailable_gpu_minutes += m.unavailable_minutes;
        e.observed_gpu_hours += m.observed_hours;
    }
    out
}
