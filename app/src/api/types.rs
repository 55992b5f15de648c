//! The request and answer types the ports name (rows, grants, measurements), apart from the
//! server functions that use them, so `ports` imports only downward. Each is re-exported from
//! the module of its feature (`admin::UserRow`, `embeds::EmbedGrant`, …).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::Role;
use crate::model::fleet::devices::DeviceKind;
use crate::model::investor::embed::EmbedView;

// admin

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token as created: the secret is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// A signed-in browser session (its secret never leaves the server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionRow {
    pub id: i64,
    pub user: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When it ends unless used again (the earlier of idle timeout and absolute lifetime).
    pub expires_at: DateTime<Utc>,
    /// The client address it was last used from.
    pub address: String,
    pub user_agent: String,
    /// The session making this request.
    pub current: bool,
}

/// An admin's change to a user: either or both fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
}

/// A user's change of their own password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

// embeds

/// An embed token as the admin page lists it. The token is included: it is published in the
/// IR page's iframe URL by design, and the snippet generator needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EmbedRow {
    pub id: i64,
    pub name: String,
    pub view: EmbedView,
    pub sites: Vec<String>,
    pub origins: Vec<String>,
    pub token: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new embed token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedEmbed {
    pub embed: EmbedRow,
}

/// What a valid, unrevoked embed token grants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EmbedGrant {
    pub id: i64,
    pub view: EmbedView,
    pub sites: Vec<String>,
    pub origins: Vec<String>,
}

// estimators

/// A measured SHA-256d rate over 80-byte headers (API.md `/estimate/sha256` response).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sha256Measurement {
    pub hashes: u64,
    pub seconds: f64,
    pub hashes_per_s: f64,
    pub threads: u32,
}

// fleet

/// `POST /devices` body (API.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    pub kind: DeviceKind,
    /// `host:port` for an ASIC on a TCP API (`cgminer`, `whatsminer_v3`, `fluxos`), a base
    /// `http://` URL for one on an HTTP API (`braiins_rest`, `axeos`) and for a DCGM exporter.
    pub address: String,
    pub site: String,
    pub model: Option<String>,
    /// The API an ASIC is read over (`cgminer` when omitted).
    #[serde(default)]
    pub protocol: crate::model::fleet::protocol::Protocol,
    /// The prefix of the environment variables holding the device's login
    /// (`<PREFIX>_USER`, `<PREFIX>_PASSWORD`), for APIs that need one; the secret itself is
    /// never sent or stored.
    #[serde(default)]
    pub credentials_env: Option<String>,
}

// portfolio

/// The portfolio as stored, with versions for optimistic concurrency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoredPortfolio {
    pub portfolio: crate::model::company::portfolio::Portfolio,
    pub site_versions: BTreeMap<String, i64>,
    pub contract_versions: BTreeMap<String, i64>,
    /// Sites that came with the illustrative demo company.
    pub demo_sites: Vec<String>,
}

/// A write's precondition: `target` `id` is still at `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expect {
    pub target: crate::model::company::portfolio::ChangeTarget,
    pub id: String,
    pub version: i64,
}

/// How a document is applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplyOptions {
    /// Retire stored sites the document does not list.
    pub replace: bool,
    /// Say what would change; change nothing.
    pub dry_run: bool,
    pub expect: Option<Expect>,
}

// closed months

/// One version of a closed month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClosedMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub version: i64,
    pub figures: crate::model::investor::monthly_close::MonthFigures,
    /// Against the version before (empty for version 1).
    pub changes: Vec<crate::model::investor::monthly_close::ChangedLine>,
    /// Why it was restated (`close` for version 1).
    pub reason: String,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
    /// Every version of the month, oldest first.
    #[serde(default)]
    pub versions: Vec<i64>,
    /// `unaudited, estimated`.
    #[serde(default)]
    pub footnote: String,
    /// Against the month before, when it is closed (its newest version).
    #[serde(default)]
    pub month_on_month: Option<ComparedMonth>,
    /// Against the same month a year before, when it is closed.
    #[serde(default)]
    pub year_on_year: Option<ComparedMonth>,
}

/// A closed month's figures against an earlier closed month's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ComparedMonth {
    /// `YYYY-MM` and the version compared with.
    pub month: String,
    pub version: i64,
    pub lines: Vec<crate::model::investor::monthly_close::Comparison>,
}

/// A closed month's version in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClosedMonthRow {
    pub month: String,
    pub version: i64,
    pub reason: String,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
}
