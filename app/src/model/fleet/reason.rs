//! The one reason a device is not earning what it should: of everything wrong with it, the
//! thing to fix first. What a reading gives is `diagnosis`; words and runbooks live in `i18n`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a machine's own firmware says is wrong, in its own words: kept beside the reason it
/// maps onto, so an operator can search the maker's documentation for the code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FirmwareReport {
    /// The firmware family that reported it (`LuxOS`, `Whatsminer`, `Braiins OS`, …).
    pub source: String,
    /// The firmware's own code (`NOPIC_PROTECTION`, `264`), or empty where it gives none.
    pub code: String,
    /// The firmware's own words.
    pub message: String,
    /// The maker's page for this code, where the firmware names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// When the firmware raised it (a time without a zone is read in the site's zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// Which of the fleet's reasons a firmware fault is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The power supply failed or protected itself.
    Psu,
    /// The firmware stopped hashing to protect the machine (NOPIC, over-heat protection).
    Protection,
    /// A board or the miner stopped hashing, or another fault that costs hashrate.
    Hashing,
    /// A sensor failed: the machine may hash on, but flies blind.
    Sensor,
}

impl FaultKind {
    /// The fleet reason for a report of this kind.
    pub fn reason(self, report: FirmwareReport) -> Reason {
        match self {
            FaultKind::Psu => Reason::PsuFault { report },
            FaultKind::Protection => Reason::ProtectionStop { report },
            FaultKind::Hashing => Reason::FirmwareFault { report },
            FaultKind::Sensor => Reason::SensorFault { report },
        }
    }
}

/// A fault a firmware reports, before its time is placed: the poller reads a time without a
/// zone (Whatsminer's) in the site's zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FirmwareFault {
    pub kind: FaultKind,
    pub report: FirmwareReport,
    /// The firmware's local time, where it gave one without a zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_time: Option<chrono::NaiveDateTime>,
}

impl FirmwareFault {
    /// A report of `kind` from `source` in its own code and words, without a time or link.
    pub fn new(
        kind: FaultKind,
        source: &str,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FirmwareFault {
            kind,
            report: FirmwareReport {
                source: source.to_string(),
                code: code.into(),
                message: message.into(),
                doc_url: None,
                at: None,
            },
            local_time: None,
        }
    }

    /// With the time the firmware gave in UTC (an RFC 3339 string; unreadable: none).
    pub fn at_rfc3339(mut self, at: Option<&str>) -> Self {
        self.report.at = at
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        self
    }

    /// With the maker's page for the code (https only: it becomes a link on the page).
    pub fn doc_url(mut self, url: Option<String>) -> Self {
        self.report.doc_url = url.filter(|u| u.starts_with("https://"));
        self
    }

    /// With the firmware's local time, for the site's zone to place.
    pub fn local_time(mut self, local: Option<chrono::NaiveDateTime>) -> Self {
        self.local_time = local;
        self
    }
}

/// Why a device is not earning in full, worst first (the order of the variants is the order of
/// importance: a GPU off the bus is not also "hot").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The device does not answer its poll.
    Offline,
    /// The firmware reports its power supply failed or protected itself.
    PsuFault { report: FirmwareReport },
    /// The firmware stopped hashing to protect the machine (LuxOS NOPIC protection, …).
    ProtectionStop { report: FirmwareReport },
    /// A GPU raised an Xid that takes it out of service until reset (79: fallen off the bus).
    FatalXid { xid: u32 },
    /// A GPU's memory has no spare rows left: it needs replacing.
    RowRemapFailure,
    /// A GPU has a row remap waiting: it needs a reset to use its spare row.
    RowRemapPending,
    /// Uncorrectable (double-bit) ECC errors since the driver loaded.
    EccUncorrectable { errors: u64 },
    /// An ASIC hashboard reports no chips or no hashrate.
    HashboardDown { board: u32 },
    /// An ASIC fan stands still while the others turn.
    FanFailure { fan: u32 },
    /// The firmware reports a fault that costs hashrate (a board rebooted for not hashing, …).
    FirmwareFault { report: FirmwareReport },
    /// Hotter than the device's limit.
    OverTemperature { celsius: f64 },
    /// A GPU's clocks are held down because it is too hot.
    ThermalThrottle,
    /// The hardware slows the GPU down (a board or PSU signal).
    HwSlowdown,
    /// A GPU's clocks are held down by its power limit or the power brake.
    PowerCap,
    /// The site's power schedule has the machine curtailed now (price above the strike).
    Curtailed,
    /// An ASIC reports clearly more hashrate than its accepted shares prove.
    OverReporting { reported_ths: f64, proven_ths: f64 },
    /// An ASIC hashes below 80 % of its nameplate.
    LowHashrate { percent: f64 },
    /// The firmware reports a failed sensor: the machine hashes on but flies blind.
    SensorFault { report: FirmwareReport },
    /// A GPU raised an Xid that is an application's fault; the GPU goes on.
    Xid { xid: u32 },
    /// The device reports a different model than it was registered as.
    ModelMismatch {
        registered: String,
        reported: String,
    },
}

/// A reason's code without its figures (filters, metrics labels, runbooks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    Offline,
    PsuFault,
    ProtectionStop,
    FatalXid,
    RowRemapFailure,
    RowRemapPending,
    EccUncorrectable,
    HashboardDown,
    FanFailure,
    FirmwareFault,
    OverTemperature,
    ThermalThrottle,
    HwSlowdown,
    PowerCap,
    Curtailed,
    OverReporting,
    LowHashrate,
    SensorFault,
    Xid,
    ModelMismatch,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 20] = [
        ReasonCode::Offline,
        ReasonCode::PsuFault,
        ReasonCode::ProtectionStop,
        ReasonCode::FatalXid,
        ReasonCode::RowRemapFailure,
        ReasonCode::RowRemapPending,
        ReasonCode::EccUncorrectable,
        ReasonCode::HashboardDown,
        ReasonCode::FanFailure,
        ReasonCode::FirmwareFault,
        ReasonCode::OverTemperature,
        ReasonCode::ThermalThrottle,
        ReasonCode::HwSlowdown,
        ReasonCode::PowerCap,
        ReasonCode::Curtailed,
        ReasonCode::OverReporting,
        ReasonCode::LowHashrate,
        ReasonCode::SensorFault,
        ReasonCode::Xid,
        ReasonCode::ModelMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Offline => "offline",
            ReasonCode::PsuFault => "psu_fault",
            ReasonCode::ProtectionStop => "protection_stop",
            ReasonCode::FatalXid => "fatal_xid",
            ReasonCode::RowRemapFailure => "row_remap_failure",
            ReasonCode::RowRemapPending => "row_remap_pending",
            ReasonCode::EccUncorrectable => "ecc_uncorrectable",
            ReasonCode::HashboardDown => "hashboard_down",
            ReasonCode::FanFailure => "fan_failure",
            ReasonCode::FirmwareFault => "firmware_fault",
            ReasonCode::OverTemperature => "over_temperature",
            ReasonCode::ThermalThrottle => "thermal_throttle",
            ReasonCode::HwSlowdown => "hw_slowdown",
            ReasonCode::PowerCap => "power_cap",
            ReasonCode::Curtailed => "curtailed",
            ReasonCode::OverReporting => "over_reporting",
            ReasonCode::LowHashrate => "low_hashrate",
            ReasonCode::SensorFault => "sensor_fault",
            ReasonCode::Xid => "xid",
            ReasonCode::ModelMismatch => "model_mismatch",
        }
    }

    pub fn parse(s: &str) -> Option<ReasonCode> {
        ReasonCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// True when the device does no work for anyone while it holds: what an SLA counts as
    /// unavailable (offline, or a GPU with a fatal error).
    pub fn unavailable(self) -> bool {
        matches!(
            self,
            ReasonCode::Offline | ReasonCode::FatalXid | ReasonCode::RowRemapFailure
        )
    }

    /// True when the reason pages someone (an alert through the rules and the webhooks);
    /// the others are shown but not alerted on as such.
    pub fn alerts(self) -> bool {
        matches!(
            self,
            ReasonCode::PsuFault
                | ReasonCode::ProtectionStop
                | ReasonCode::FatalXid
                | ReasonCode::RowRemapFailure
                | ReasonCode::RowRemapPending
                | ReasonCode::EccUncorrectable
                | ReasonCode::HashboardDown
                | ReasonCode::FanFailure
                | ReasonCode::ThermalThrottle
                | ReasonCode::PowerCap
        )
    }
}

impl Reason {
    /// The firmware's own report behind the reason, where a firmware gave one.
    pub fn firmware_report(&self) -> Option<&FirmwareReport> {
        match self {
            Reason::PsuFault { report }
            | Reason::ProtectionStop { report }
            | Reason::FirmwareFault { report }
            | Reason::SensorFault { report } => Some(report),
            _ => None,
        }
    }

    pub fn code(&self) -> ReasonCode {
        match self {
            Reason::Offline => ReasonCode::Offline,
            Reason::PsuFault { .. } => ReasonCode::PsuFault,
            Reason::ProtectionStop { .. } => ReasonCode::ProtectionStop,
            Reason::FirmwareFault { .. } => ReasonCode::FirmwareFault,
            Reason::SensorFault { .. } => ReasonCode::SensorFault,
            Reason::FatalXid { .. } => ReasonCode::FatalXid,
            Reason::RowRemapFailure => ReasonCode::RowRemapFailure,
            Reason::RowRemapPending => ReasonCode::RowRemapPending,
            Reason::EccUncorrectable { .. } => ReasonCode::EccUncorrectable,
            Reason::HashboardDown { .. } => ReasonCode::HashboardDown,
            Reason::FanFailure { .. } => ReasonCode::FanFailure,
            Reason::OverTemperature { .. } => ReasonCode::OverTemperature,
            Reason::ThermalThrottle => ReasonCode::ThermalThrottle,
            Reason::HwSlowdown => ReasonCode::HwSlowdown,
            Reason::PowerCap => ReasonCode::PowerCap,
            Reason::Curtailed => ReasonCode::Curtailed,
            Reason::OverReporting { .. } => ReasonCode::OverReporting,
            Reason::LowHashrate { .. } => ReasonCode::LowHashrate,
            Reason::Xid { .. } => ReasonCode::Xid,
            Reason::ModelMismatch { .. } => ReasonCode::ModelMismatch,
        }
    }
}

/// The worst of several reasons (the order of `ReasonCode`).
pub fn worst(reasons: impl IntoIterator<Item = Reason>) -> Option<Reason> {
    reasons.into_iter().min_by_key(|r| r.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_order_the_reasons() {
        for c in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(c.as_str()), Some(c));
        }
        assert_eq!(ReasonCode::parse("fatal-xid"), None);
        assert_eq!(
            worst([
                Reason::PowerCap,
                Reason::RowRemapPending,
                Reason::Xid { xid: 13 }
            ]),
            Some(Reason::RowRemapPending)
        );
        assert!(ReasonCode::FatalXid.unavailable() && ReasonCode::Offline.unavailable());
        assert!(!ReasonCode::RowRemapPending.unavailable() && !ReasonCode::PowerCap.unavailable());
    }
}
