//! What an operator is alerted about, and when: the same conditions and thresholds as the
//! shipped Prometheus rules (deploy/prometheus/rules.yml), for installations that want a chat
//! message without running Prometheus. Pure: the caller passes the time and the readings.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::model::fleet::devices::{
    Device, DeviceKind, DeviceStatus, ASIC_MAX_TEMP_C, GPU_MAX_TEMP_C,
};
use crate::model::fleet::reason::{Reason, ReasonCode};
use crate::model::timeline::milestones::{statuses, Milestone, MilestoneStatus};

/// A device silent for this long is reported offline.
pub const OFFLINE_AFTER: Duration = Duration::minutes(10);
/// Share-proven hashrate below this share of the reported one means under-delivery.
pub const UNDER_DELIVERY_SHARE: f64 = 0.85;
/// Polls starting later than this are a lagging poller.
pub const POLL_LAG_LIMIT_S: f64 = 30.0;
/// A site's hashrate below this share of its 6-hour average is a drop.
pub const SITE_DROP_SHARE: f64 = 0.8;
/// The window a site's hashrate is averaged over.
pub const SITE_BASELINE_WINDOW: Duration = Duration::hours(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    DeviceOffline,
    OverTemperature,
    UnderDelivering,
    PollLag,
    SiteHashrateDrop,
    MilestoneSlipped,
    /// A GPU-hour lease up for renewal priced below its GPU model's index by more than the
    /// threshold (`model::ai::mark_to_market`).
    LeaseBelowMarket,
    /// A device's reason that pages someone (`ReasonCode::alerts`): a fatal Xid, a row remap,
    /// a dead hashboard …; the message carries its runbook line.
    Reason(ReasonCode),
}

impl AlertKind {
    /// How long a condition must hold before it alerts (the rules' `for:`). Offline needs no
    /// hold: its condition already asks for ten silent minutes.
    pub fn hold(self) -> Duration {
        match self {
            AlertKind::DeviceOffline
            | AlertKind::MilestoneSlipped
            | AlertKind::LeaseBelowMarket => Duration::zero(),
            AlertKind::OverTemperature | AlertKind::PollLag => Duration::minutes(5),
            AlertKind::UnderDelivering => Duration::minutes(30),
            AlertKind::SiteHashrateDrop => Duration::minutes(15),
            AlertKind::Reason(code) => reason_hold(code),
        }
    }

    /// The Prometheus alert of the same condition.
    pub fn rule_name(self) -> &'static str {
        match self {
            AlertKind::DeviceOffline => "RigshiftDeviceOffline",
            AlertKind::OverTemperature => "RigshiftDeviceOverTemperature",
            AlertKind::UnderDelivering => "RigshiftHashrateUnderDelivered",
            AlertKind::PollLag => "RigshiftPollLag",
            AlertKind::SiteHashrateDrop => "RigshiftSiteHashrateDrop",
            AlertKind::MilestoneSlipped => "RigshiftMilestoneSlipped",
            AlertKind::LeaseBelowMarket => "RigshiftLeaseBelowMarket",
            AlertKind::Reason(code) => reason_rule(code),
        }
    }
}

/// How long a reason must hold before it alerts: a GPU off the bus or out of spare rows does
/// not come back by itself (alert at once); a throttle can be a passing load peak.
fn reason_hold(code: ReasonCode) -> Duration {
    match code {
        ReasonCode::FatalXid | ReasonCode::RowRemapFailure => Duration::zero(),
        ReasonCode::RowRemapPending
        | ReasonCode::EccUncorrectable
        | ReasonCode::HashboardDown
        | ReasonCode::PsuFault
        | ReasonCode::ProtectionStop => Duration::minutes(5),
        _ => Duration::minutes(10),
    }
}

/// The Prometheus rule of an alerting reason (deploy/prometheus/rules.yml).
fn reason_rule(code: ReasonCode) -> &'static str {
    match code {
        ReasonCode::FatalXid => "RigshiftGpuFatalXid",
        ReasonCode::RowRemapFailure => "RigshiftGpuRowRemapFailure",
        ReasonCode::RowRemapPending => "RigshiftGpuRowRemapPending",
        ReasonCode::EccUncorrectable => "RigshiftGpuEccUncorrectable",
        ReasonCode::ThermalThrottle => "RigshiftGpuThermalThrottle",
        ReasonCode::PowerCap => "RigshiftGpuPowerCapped",
        ReasonCode::HashboardDown => "RigshiftHashboardDown",
        ReasonCode::FanFailure => "RigshiftFanFailure",
        ReasonCode::PsuFault => "RigshiftPsuFault",
        ReasonCode::ProtectionStop => "RigshiftProtectionStop",
        _ => "RigshiftDeviceReason",
    }
}

/// A condition that holds now. `key` identifies it across evaluations (kind + subject), so it
/// alerts once when it starts and once when it ends, not at every evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub key: String,
    pub kind: AlertKind,
    pub text: String,
}

fn condition(kind: AlertKind, subject: &str, text: String) -> Condition {
    Condition {
        key: format!("{}:{subject}", kind.rule_name()),
        kind,
        text,
    }
}

/// Each site's hashrate over the last six hours, one reading per evaluation.
#[derive(Debug, Default)]
pub struct SiteBaselines {
    readings: HashMap<String, VecDeque<(DateTime<Utc>, f64)>>,
}

impl SiteBaselines {
    pub fn record(&mut self, now: DateTime<Utc>, site: &str, ths: f64) {
        let q = self.readings.entry(site.to_string()).or_default();
        q.push_back((now, ths));
        while q
            .front()
            .is_some_and(|(t, _)| now - *t > SITE_BASELINE_WINDOW)
        {
            q.pop_front();
        }
    }

    /// The site's average over the window, once the readings span at least half an hour (a
    /// fresh start has no baseline to drop from).
    pub fn mean(&self, site: &str) -> Option<f64> {
        let q = self.readings.get(site)?;
        let (first, last) = (q.front()?.0, q.back()?.0);
        (last - first >= Duration::minutes(30))
            .then(|| q.iter().map(|(_, v)| v).sum::<f64>() / q.len() as f64)
    }
}

/// What the conditions are evaluated on.
pub struct Readings<'a> {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub devices: &'a [Device],
    pub poll_lag_s: f64,
    /// (site, reported ASIC hashrate of its devices that are not offline)
    pub site_hashrate: &'a [(String, f64)],
    pub baselines: &'a SiteBaselines,
    pub milestones: &'a [Milestone],
    /// GPU-hour leases marked to market (`model::ai::mark_to_market`).
    pub lease_marks: &'a [crate::model::ai::mark_to_market::LeaseMark],
    /// A reason's words and its runbook line, in the webhook's language (the caller's words
    /// tables: the model words nothing itself).
    pub reason_words: &'a dyn Fn(&Reason) -> ReasonWords,
}

/// How an alert names a device's reason.
pub struct ReasonWords {
    pub describe: String,
    pub runbook: String,
}

/// Every alert condition that holds in `r`.
pub fn conditions(r: &Readings) -> Vec<Condition> {
    let mut out = Vec::new();
    for d in r.devices {
        // A miner sitting out its site's power schedule is doing its job, not down.
        let curtailed = d
            .reason
            .as_ref()
            .is_some_and(|r| r.code() == ReasonCode::Curtailed);
        if d.status == DeviceStatus::Offline && curtailed {
            continue;
        }
        if d.status == DeviceStatus::Offline {
            let silent = d.last_seen.map_or(Duration::MAX, |t| r.now - t);
            if silent >= OFFLINE_AFTER {
                let since = d.last_seen.map_or("never answered".to_string(), |t| {
                    format!("silent since {}", t.format("%H:%M UTC"))
                });
                out.push(condition(
                    AlertKind::DeviceOffline,
                    &d.id,
                    format!("{} ({}, {}) offline: {since}", d.id, d.model, d.site),
                ));
            }
            // An offline device's last figures are history, not state.
            continue;
        }
        let limit = match d.kind {
            DeviceKind::Asic => ASIC_MAX_TEMP_C,
            DeviceKind::Gpu => GPU_MAX_TEMP_C,
        };
        if let Some(t) = d.temp_c.filter(|t| *t > limit) {
            out.push(condition(
                AlertKind::OverTemperature,
                &d.id,
                format!("{} ({}) at {t:.0} °C, above {limit:.0} °C", d.id, d.site),
            ));
        }
        if let Some(reason) = d.reason.as_ref().filter(|r| r.code().alerts()) {
            out.push(reason_condition(d, reason, (r.reason_words)(reason)));
        }
        if let (Some(reported), Some(proven)) = (d.hashrate_ths, d.share_hashrate_ths) {
            if reported > 0.0 && proven < UNDER_DELIVERY_SHARE * reported {
                out.push(condition(
                    AlertKind::UnderDelivering,
                    &d.id,
                    format!(
                        "{} ({}): pool-proven {proven:.1} TH/s vs reported {reported:.1} TH/s ({:.0} % short)",
                        d.id,
                        d.site,
                        (1.0 - proven / reported) * 100.0
                    ),
                ));
            }
        }
    }
    if r.poll_lag_s > POLL_LAG_LIMIT_S {
        out.push(condition(
            AlertKind::PollLag,
            "poller",
            format!("polls start {:.0} s late", r.poll_lag_s),
        ));
    }
    for (site, ths) in r.site_hashrate {
        if let Some(mean) = r.baselines.mean(site) {
            if *ths < SITE_DROP_SHARE * mean {
                out.push(condition(
                    AlertKind::SiteHashrateDrop,
                    site,
                    format!(
                        "{site} hashrate {:.1} PH/s, {:.0} % below its 6-hour average {:.1} PH/s",
                        ths / 1000.0,
                        (1.0 - ths / mean) * 100.0,
                        mean / 1000.0
                    ),
                ));
            }
        }
    }
    for (m, status) in r.milestones.iter().zip(statuses(r.milestones, r.today)) {
        if status == MilestoneStatus::Slipped {
            let days = m.slip_days(r.today);
            let by = if days > 0 {
                format!("{days} days late")
            } else {
                "waiting on a late dependency".to_string()
            };
            out.push(condition(
                AlertKind::MilestoneSlipped,
                &m.id,
                format!(
                    "{}: {} ({}) slipped, {by}",
                    m.site_id,
                    m.title,
                    m.kind.label()
                ),
            ));
        }
    }
    out.extend(lease_conditions(r.lease_marks));
    out
}

/// A renewing lease priced below the market by more than the threshold.
fn lease_conditions(marks: &[crate::model::ai::mark_to_market::LeaseMark]) -> Vec<Condition> {
    marks
        .iter()
        .filter(|m| m.alert)
        .filter_map(|m| {
            let (q, pct, usd) = (m.index.as_ref()?, m.vs_market_pct?, m.vs_market_usd_per_month?);
            Some(condition(
                AlertKind::LeaseBelowMarket,
                &m.contract_id,
                format!(
                    "{} ({}, {}): ${:.2}/GPU-hour is {:.1} % below the {} index (${:.2} on {}, {}), ${:.0} a month; it ends in {} days",
                    m.contract_id,
                    m.tenant,
                    m.site_id,
                    m.contract_usd_per_gpu_hour,
                    -pct,
                    q.gpu_model,
                    q.usd_per_gpu_hour,
                    q.date,
                    q.source,
                    -usd,
                    m.renews_in_days.unwrap_or(0)
                ),
            ))
        })
        .collect()
}

/// A device's alerting reason, worded with its runbook line.
fn reason_condition(d: &Device, reason: &Reason, words: ReasonWords) -> Condition {
    condition(
        AlertKind::Reason(reason.code()),
        &d.id,
        format!(
            "{} ({}, {}): {}. Runbook: {}",
            d.id, d.model, d.site, words.describe, words.runbook
        ),
    )
}

/// A condition starting or ending.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Firing(Condition),
    Resolved(Condition),
}

/// Turns conditions into changes: a condition alerts once it has held for its kind's hold time,
/// and once more when it ends; in between it is silent (deduplicated).
#[derive(Debug, Default)]
pub struct Tracker {
    /// Holding, not yet alerted: since when.
    pending: BTreeMap<String, DateTime<Utc>>,
    firing: BTreeMap<String, Condition>,
}

impl Tracker {
    pub fn update(&mut self, now: DateTime<Utc>, holding: Vec<Condition>) -> Vec<Change> {
        let mut changes = Vec::new();
        let keys: std::collections::BTreeSet<&str> =
            holding.iter().map(|c| c.key.as_str()).collect();
        // Ended: resolved if it had alerted, forgotten if it was still pending.
        let ended: Vec<String> = self
            .firing
            .keys()
            .filter(|k| !keys.contains(k.as_str()))
            .cloned()
            .collect();
        for k in ended {
            if let Some(c) = self.firing.remove(&k) {
                changes.push(Change::Resolved(c));
            }
        }
        self.pending.retain(|k, _| keys.contains(k.as_str()));
        for c in holding {
            if self.firing.contains_key(&c.key) {
                continue;
            }
            let since = *self.pending.entry(c.key.clone()).or_insert(now);
            if now - since >= c.kind.hold() {
                self.pending.remove(&c.key);
                self.firing.insert(c.key.clone(), c.clone());
                changes.push(Change::Firing(c));
            }
        }
        changes
    }

    pub fn firing(&self) -> usize {
        self.firing.len()
    }
}

/// One chat message for a batch of changes (Slack's `text`), at most `max_lines` listed; a
/// thousand devices dropping at once make one message, not a thousand.
pub fn message(changes: &[Change], max_lines: usize) -> Option<String> {
    if changes.is_empty() {
        return None;
    }
    let firing = changes
        .iter()
        .filter(|c| matches!(c, Change::Firing(_)))
        .count();
    let resolved = changes.len() - firing;
    let mut text = format!("Rigshift: {firing} new alert(s), {resolved} resolved");
    let mut sorted: Vec<&Change> = changes.iter().collect();
    // Firing first, then by kind, so the worst news leads.
    sorted.sort_by_key(|c| match c {
        Change::Firing(c) => (0, c.kind, c.key.clone()),
        Change::Resolved(c) => (1, c.kind, c.key.clone()),
    });
    for c in sorted.iter().take(max_lines) {
        let line = match c {
            Change::Firing(c) => format!("\n:red_circle: {}", c.text),
            Change::Resolved(c) => format!("\n:white_check_mark: resolved: {}", c.text),
        };
        text.push_str(&line);
    }
    if changes.len() > max_lines {
        text.push_str(&format!(
            "\n…and {} more (see the fleet page)",
            changes.len() - max_lines
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::milestones::MilestoneKind;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(min)
    }

    fn device(id: &str, status: DeviceStatus, last_seen_min: i64) -> Device {
        Device {
            status,
            hashrate_ths: Some(200.0),
            share_hashrate_ths: Some(195.0),
            temp_c: Some(70.0),
            power_w: Some(3500.0),
            last_seen: Some(at(last_seen_min)),
            ..Device::offline(id, DeviceKind::Asic, "S21", "muskogee", "10.0.0.1:4028")
        }
    }

    fn readings<'a>(
        now: i64,
        devices: &'a [Device],
        sites: &'a [(String, f64)],
        baselines: &'a SiteBaselines,
        milestones: &'a [Milestone],
    ) -> Readings<'a> {
        Readings {
            now: at(now),
            today: at(now).date_naive(),
            devices,
            poll_lag_s: 0.5,
            site_hashrate: sites,
            baselines,
            milestones,
            lease_marks: &[],
            reason_words: &|r| ReasonWords {
                describe: format!("{:?}", r.code()),
                runbook: "the runbook line".into(),
            },
        }
    }

    #[test]
    fn thresholds_match_the_device_status_rules() {
        let mut hot = device("a", DeviceStatus::Degraded, 0);
        hot.temp_c = Some(ASIC_MAX_TEMP_C + 1.0);
        let mut warm = device("b", DeviceStatus::Online, 0);
        warm.temp_c = Some(ASIC_MAX_TEMP_C);
        let mut short = device("c", DeviceStatus::Online, 0);
        short.share_hashrate_ths = Some(160.0);
        let mut close = device("d", DeviceStatus::Online, 0);
        close.share_hashrate_ths = Some(171.0);
        let silent = device("e", DeviceStatus::Offline, -11);
        let recent = device("f", DeviceStatus::Offline, -9);
        let mut hot_offline = device("g", DeviceStatus::Offline, -30);
        hot_offline.temp_c = Some(99.0);
        let devices = [hot, warm, short, close, silent, recent, hot_offline];
        let b = SiteBaselines::default();
        let keys: Vec<String> = conditions(&readings(0, &devices, &[], &b, &[]))
            .into_iter()
            .map(|c| c.key)
            .collect();
        assert_eq!(
            keys,
            vec![
                "RigshiftDeviceOverTemperature:a",
                "RigshiftHashrateUnderDelivered:c",
                "RigshiftDeviceOffline:e",
                "RigshiftDeviceOffline:g",
            ]
        );
    }

    #[test]
    fn an_alert_waits_for_its_hold_fires_once_and_resolves_once() {
        let mut hot = device("a", DeviceStatus::Degraded, 0);
        hot.temp_c = Some(92.0);
        let cool = device("a", DeviceStatus::Online, 0);
        let b = SiteBaselines::default();
        let mut t = Tracker::default();
        let mut fired = Vec::new();
        for minute in 0..=12 {
            let d = if minute < 10 { &hot } else { &cool };
            let changes = t.update(
                at(minute),
                conditions(&readings(minute, std::slice::from_ref(d), &[], &b, &[])),
            );
            fired.extend(changes.into_iter().map(|c| (minute, c)));
        }
        assert_eq!(fired.len(), 2, "{fired:?}");
        assert!(
            matches!(fired[0], (5, Change::Firing(_))),
            "fires after 5 min: {fired:?}"
        );
        assert!(matches!(fired[1], (10, Change::Resolved(_))), "{fired:?}");
        // A blip shorter than the hold never alerts.
        let mut t = Tracker::default();
        assert!(t
            .update(
                at(0),
                conditions(&readings(0, std::slice::from_ref(&hot), &[], &b, &[]))
            )
            .is_empty());
        assert!(t.update(at(3), vec![]).is_empty());
        assert!(t
            .update(
                at(6),
                conditions(&readings(6, std::slice::from_ref(&hot), &[], &b, &[]))
            )
            .is_empty());
    }

    #[test]
    fn a_site_drop_is_measured_against_its_own_six_hour_average() {
        let mut b = SiteBaselines::default();
        let sites_ok = [("pecos".to_string(), 10_000.0)];
        // 20 minutes of history is no baseline yet.
        for m in 0..20 {
            b.record(at(m), "pecos", 10_000.0);
        }
        let dropped = [("pecos".to_string(), 6_000.0)];
        assert!(conditions(&readings(20, &[], &dropped, &b, &[])).is_empty());
        for m in 20..360 {
            b.record(at(m), "pecos", 10_000.0);
        }
        assert!(conditions(&readings(360, &[], &sites_ok, &b, &[])).is_empty());
        let c = conditions(&readings(360, &[], &dropped, &b, &[]));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, AlertKind::SiteHashrateDrop);
        assert!(c[0].text.contains("40 % below"), "{}", c[0].text);
        // 8,500 is 15 % below: within tolerance.
        let slight = [("pecos".to_string(), 8_500.0)];
        assert!(conditions(&readings(360, &[], &slight, &b, &[])).is_empty());
    }

    #[test]
    fn slipped_milestones_and_a_lagging_poller_alert() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let late = Milestone {
            id: "m1".into(),
            site_id: "muskogee".into(),
            kind: MilestoneKind::Retrofit,
            title: "Building C retrofit".into(),
            planned_start: day(1),
            planned_end: day(15),
            actual_start: Some(day(1)),
            actual_end: None,
            mw: 40.0,
            depends_on: vec![],
            contract_id: None,
            version: 1,
        };
        let b = SiteBaselines::default();
        let ms = [late];
        let mut r = readings(0, &[], &[], &b, &ms);
        r.poll_lag_s = 45.0;
        let c = conditions(&r);
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "polls start 45 s late",
                "muskogee: Building C retrofit (Retrofit) slipped, 10 days late"
            ]
        );
    }

    #[test]
    fn one_message_per_batch_however_many_changes() {
        let changes: Vec<Change> = (0..50)
            .map(|i| {
                Change::Firing(condition(
                    AlertKind::DeviceOffline,
                    &format!("asic-{i:04}"),
                    format!("asic-{i:04} offline"),
                ))
            })
            .chain([Change::Resolved(condition(
                AlertKind::PollLag,
                "poller",
                "polls start 40 s late".into(),
            ))])
            .collect();
        let text = message(&changes, 20).unwrap();
        assert!(
            text.starts_with("Rigshift: 50 new alert(s), 1 resolved"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 1 + 20 + 1);
        assert!(
            text.ends_with("…and 31 more (see the fleet page)"),
            "{text}"
        );
        assert!(message(&[], 20).is_none());
    }

    #[test]
    fn a_fatal_xid_alerts_at_once_with_its_runbook_and_a_throttle_after_ten_minutes() {
        let gpu = |reason| Device {
            status: DeviceStatus::Degraded,
            reason: Some(reason),
            last_seen: Some(at(0)),
            ..Device::offline(
                "node-1/gpu3",
                DeviceKind::Gpu,
                "H100",
                "muskogee",
                "http://x",
            )
        };
        let xid = gpu(Reason::FatalXid { xid: 79 });
        let b = SiteBaselines::default();
        let c = conditions(&readings(0, std::slice::from_ref(&xid), &[], &b, &[]));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].key, "RigshiftGpuFatalXid:node-1/gpu3");
        assert_eq!(
            c[0].text, "node-1/gpu3 (H100, muskogee): FatalXid. Runbook: the runbook line",
            "the caller's words for the reason and its runbook"
        );
        let mut t = Tracker::default();
        assert_eq!(t.update(at(0), c).len(), 1, "no hold for a GPU off the bus");
        let hot = gpu(Reason::ThermalThrottle);
        let mut t = Tracker::default();
        let fired: Vec<i64> = (0..=12)
            .filter(|m| {
                !t.update(
                    at(*m),
                    conditions(&readings(*m, std::slice::from_ref(&hot), &[], &b, &[])),
                )
                .is_empty()
            })
            .collect();
        assert_eq!(fired, vec![10]);
        // A miner dark because its site is curtailed by schedule is not an offline alert.
        let sitting_out = Device {
            status: DeviceStatus::Offline,
            reason: Some(Reason::Curtailed),
            last_seen: Some(at(-30)),
            ..Device::offline("asic-9", DeviceKind::Asic, "S21", "pecos", "10.0.0.9:4028")
        };
        assert!(conditions(&readings(
            0,
            std::slice::from_ref(&sitting_out),
            &[],
            &b,
            &[]
        ))
        .is_empty());
        // A reason that does not page (an application's Xid) is shown, not alerted.
        let app = gpu(Reason::Xid { xid: 13 });
        assert!(conditions(&readings(0, std::slice::from_ref(&app), &[], &b, &[])).is_empty());
    }

    #[test]
    fn a_renewing_lease_below_the_market_alerts_once_with_its_figures() {
        use crate::model::ai::mark_to_market::LeaseMark;
        use crate::model::mining::forwards::GpuIndexQuote;
        let mark = |id: &str, alert: bool| LeaseMark {
            contract_id: id.into(),
            site_id: "muskogee".into(),
            tenant: "Lab".into(),
            gpu_model: Some("H100 SXM".into()),
            gpus: 100,
            contract_usd_per_gpu_hour: 1.8,
            index: Some(GpuIndexQuote {
                date: at(0).date_naive(),
                gpu_model: "H100 SXM".into(),
                usd_per_gpu_hour: 2.0,
                source: "import:idx.csv".into(),
            }),
            vs_market_usd_per_month: Some(-11_688.0),
            vs_market_pct: Some(-10.0),
            end_on: None,
            renews_in_days: Some(45),
            alert,
        };
        let marks = [mark("low", true), mark("fine", false)];
        let b = SiteBaselines::default();
        let mut r = readings(0, &[], &[], &b, &[]);
        r.lease_marks = &marks;
        let c = conditions(&r);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].kind, AlertKind::LeaseBelowMarket);
        assert_eq!(c[0].key, "RigshiftLeaseBelowMarket:low");
        assert!(
            c[0].text.contains("10.0 % below the H100 SXM index")
                && c[0].text.contains("$11688 a month")
                && c[0].text.contains("ends in 45 days"),
            "{}",
            c[0].text
        );
        assert_eq!(AlertKind::LeaseBelowMarket.hold(), Duration::zero());
    }
}
