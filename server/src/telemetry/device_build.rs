//! A fleet row from a registered endpoint and what it answered: the model resolved against the
//! catalogue, the status and problem the readings give, the share-based rate.

use chrono::{DateTime, Utc};

use app::model::fleet::catalogue;
use app::model::fleet::devices::{
    over_reports, AsicReading, Device, DeviceKind, DeviceStatus, GpuReading, PowerSource,
};
use app::model::fleet::diagnosis::{asic_status, gpu_status};
use app::model::fleet::reason::{worst, Reason, ReasonCode};

use crate::store::DeviceSpec;

/// What a device registered as `registered` is, given what it reports: the registered model
/// when one was given (with the reported one as a mismatch when they differ), else the reported
/// model — identified against the catalogue when it can be, verbatim otherwise.
pub fn resolve_model(registered: &str, reported: Option<&str>) -> (String, Option<String>) {
    let reported = reported.map(str::trim).filter(|r| !r.is_empty());
    if registered == UNKNOWN_MODEL {
        return match reported {
            Some(r) => (
                catalogue::identify_asic(r).map_or_else(|| r.to_string(), |m| m.id.to_string()),
                None,
            ),
            None => (registered.to_string(), None),
        };
    }
    let mismatch = reported.filter(|r| {
        match (
            catalogue::asic_by_any_name(registered),
            catalogue::identify_asic(r),
        ) {
            (Some(a), Some(b)) => a.id != b.id,
            // A model we cannot place is not evidence of a mismatch.
            _ => false,
        }
    });
    (registered.to_string(), mismatch.map(str::to_string))
}

/// The model a device registered by address alone carries until it answers.
pub const UNKNOWN_MODEL: &str = "unknown";

/// What a device is, resolved from its registered and reported models; kept per endpoint and
/// recomputed only when either changes (catalogue matching normalises strings: not per poll).
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub(super) registered: String,
    pub(super) reported: Option<String>,
    pub(super) model: String,
    pub(super) mismatch: Option<String>,
    pub(super) catalogue: Option<&'static catalogue::AsicModel>,
}

impl Resolved {
    pub(super) fn of(registered: &str, reported: Option<&str>) -> Self {
        let (model, mismatch) = resolve_model(registered, reported);
        Self {
            registered: registered.to_string(),
            reported: reported.map(str::to_string),
            catalogue: catalogue::asic_by_any_name(&model),
            model,
            mismatch,
        }
    }

    pub(super) fn matches(&self, registered: &str, reported: Option<&str>) -> bool {
        self.registered == registered && self.reported.as_deref() == reported
    }
}

/// A device as it is shown before its first answer.
pub(super) fn blank_device(spec: &DeviceSpec) -> Device {
    Device::offline(
        &*spec.id,
        spec.kind,
        &*spec.model,
        &*spec.site,
        &*spec.address,
    )
}

/// Sets `d` (the ASIC's cached device) from its reading `r`.
pub(super) fn fill_asic_device(
    d: &mut Device,
    spec: &DeviceSpec,
    resolved: &Resolved,
    r: &AsicReading,
    share: Option<f64>,
    at: DateTime<Utc>,
    curtailed: bool,
) {
    let catalogue_model = resolved.catalogue;
    // The catalogue's nameplate, else the one the firmware rates itself at (factory hash).
    let np = catalogue_model.map(|m| m.hashrate_ths).or(r.nameplate_ths);
    let (mut status, mut reason) = asic_status(r, np);
    if let Some(s) = share.filter(|s| over_reports(r.hashrate_ths, *s)) {
        status = status.max(DeviceStatus::Degraded);
        let over = Reason::OverReporting {
            reported_ths: r.hashrate_ths,
            proven_ths: s,
        };
        reason = worst(reason.into_iter().chain([over]));
    }
    // At a site its power schedule curtails, a miner hashing next to nothing is following the
    // schedule: that is the reason, not a fault (a dead board still shows as one).
    if curtailed
        && np.is_some_and(|np| r.hashrate_ths < super::curtailed::CURTAILED_BELOW_SHARE * np)
        && reason
            .as_ref()
            .is_none_or(|r| r.code() >= ReasonCode::OverTemperature)
    {
        reason = Some(Reason::Curtailed);
    }
    if let Some(reported) = &resolved.mismatch {
        let mismatch = Reason::ModelMismatch {
            registered: spec.model.to_string(),
            reported: reported.clone(),
        };
        reason = worst(reason.into_iter().chain([mismatch]));
    }
    d.kind = DeviceKind::Asic;
    d.model.clone_from(&resolved.model);
    d.site.clone_from(&spec.site);
    d.address.clone_from(&spec.address);
    d.status = status;
    d.hashrate_ths = Some(r.hashrate_ths);
    d.share_hashrate_ths = share;
    d.gpu_util_pct = None;
    d.temp_c = r
        .temps_c
        .iter()
        .chain(r.boards.iter().filter_map(|b| b.temp_c.as_ref()))
        .copied()
        .reduce(f64::max);
    // Antminer firmware does not report power; the nameplate draw stands in (hashrate-scaled
    // figures would reward firmware that over-reports).
    (d.power_w, d.power_source) = match (r.power_w, catalogue_model) {
        (Some(w), _) => (Some(w), r.power_source.or(Some(PowerSource::Miner))),
        (None, Some(m)) => (Some(m.power_w), Some(PowerSource::Nameplate)),
        (None, None) => (None, None),
    };
    d.last_seen = Some(at);
    // It answered: no transport error to tell; the reason is worded where it is shown.
    d.problem = None;
    d.reason = reason;
    d.firmware.clone_from(&r.firmware);
    d.model_mismatch.clone_from(&resolved.mismatch);
}

pub(super) fn gpu_device(spec: &DeviceSpec, g: &GpuReading, at: DateTime<Utc>) -> Device {
    let (status, reason) = gpu_status(g);
    let model = if g.model_name.is_empty() {
        &spec.model
    } else {
        &g.model_name
    };
    Device {
        status,
        gpu_util_pct: g.util_pct,
        temp_c: g.temp_c,
        power_w: g.power_w,
        last_seen: Some(at),
        problem: None,
        reason,
        gpu_health: Some(Box::new(g.health.clone())),
        ..Device::offline(
            format!("{}/gpu{}", spec.id, g.gpu),
            DeviceKind::Gpu,
            model.as_str(),
            &*spec.site,
            &*spec.address,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_names_its_model_and_a_registered_one_is_checked_against_it() {
        assert_eq!(
            resolve_model(UNKNOWN_MODEL, Some("Antminer S21 XP")),
            ("S21XP".into(), None)
        );
        assert_eq!(
            resolve_model(UNKNOWN_MODEL, Some("Antminer S23")),
            ("Antminer S23".into(), None)
        );
        assert_eq!(
            resolve_model(UNKNOWN_MODEL, None),
            (UNKNOWN_MODEL.into(), None)
        );
        assert_eq!(
            resolve_model("S21", Some("Antminer S21")),
            ("S21".into(), None)
        );
        assert_eq!(
            resolve_model("M60S", Some("Antminer S21")),
            ("M60S".into(), Some("Antminer S21".into()))
        );
        // An unplaceable answer is not evidence against the registration.
        assert_eq!(resolve_model("S21", Some("weird")), ("S21".into(), None));
    }
}
