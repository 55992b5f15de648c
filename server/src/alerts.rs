//! Webhook alerts (`--webhook-url`): every `interval` the fleet, the poller and the timeline
//! are evaluated against `app::model::fleet::alerts`; new and resolved alerts go out as one
//! Slack-compatible message (`{"text": …}`) per evaluation. A condition alerts once when it
//! starts and once when it ends; a failed delivery is retried with the next batch (bounded);
//! every delivery's outcome is in the audit log (`webhook.delivered`, `webhook.failed`).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use app::api::ports::Services;
use app::model::fleet::alerts::{
    conditions, message, Change, Readings, ReasonWords, SiteBaselines, Tracker,
};

use crate::store::Store;

/// Lines listed in one message; the rest are counted.
const MAX_LINES: usize = 20;
/// Changes kept for redelivery while the webhook fails; the oldest go first.
const MAX_BACKLOG: usize = 500;

pub struct WebhookAlerts {
    pub url: String,
    pub interval: Duration,
    pub services: Services,
    pub store: Arc<Store>,
}

impl WebhookAlerts {
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run())
    }

    async fn run(self) {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook client");
                return;
            }
        };
        let host = host_of(&self.url);
        let mut tracker = Tracker::default();
        let mut baselines = SiteBaselines::default();
        let mut backlog: Vec<Change> = Vec::new();
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = Utc::now();
            let devices = self.services.fleet.devices().await;
            let summary = self.services.fleet.summary().await;
            // A fleet that has not been polled yet has no state to alert on.
            if summary.at.is_none() && !devices.is_empty() {
                continue;
            }
            let milestones = match self.services.timeline.milestones().await {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, "alerts: reading milestones");
                    Vec::new()
                }
            };
            let sites: Vec<(String, f64)> = summary
                .sites
                .iter()
                .filter(|s| s.asics > 0)
                .map(|s| (s.site.clone(), s.asic_hashrate_ths))
                .collect();
            let marks = match app::api::risk::service::lease_marks(&self.services).await {
                Ok(m) => m.marks,
                Err(e) => {
                    tracing::warn!(error = %e, "alerts: marking leases to market");
                    Vec::new()
                }
            };
            let holding = conditions(&Readings {
                now,
                today: self.services.clock.today(),
                devices: &devices,
                poll_lag_s: summary.poll_lag_ms as f64 / 1000.0,
                site_hashrate: &sites,
                baselines: &baselines,
                milestones: &milestones,
                lease_marks: &marks,
                reason_words: &webhook_words,
            });
            for (site, ths) in &sites {
                baselines.record(now, site, *ths);
            }
            backlog.extend(tracker.update(now, holding));
            if backlog.len() > MAX_BACKLOG {
                let drop = backlog.len() - MAX_BACKLOG;
                backlog.drain(..drop);
            }
            let Some(text) = message(&backlog, MAX_LINES) else {
                continue;
            };
            let sent = client
                .post(&self.url)
                .json(&serde_json::json!({ "text": text }))
                .send()
                .await;
            let (action, detail) = match sent {
                Ok(r) if r.status().is_success() => {
                    let d = format!("{} changes, HTTP {}", backlog.len(), r.status().as_u16());
                    backlog.clear();
                    ("webhook.delivered", d)
                }
                Ok(r) => (
                    "webhook.failed",
                    format!(
                        "HTTP {}; {} changes kept for the next try",
                        r.status().as_u16(),
                        backlog.len()
                    ),
                ),
                Err(e) => (
                    "webhook.failed",
                    format!(
                        "{}; {} changes kept for the next try",
                        transport(&e),
                        backlog.len()
                    ),
                ),
            };
            if let Err(e) = self.store.audit("alerts", action, &host, &detail).await {
                tracing::warn!(error = %e, "auditing a webhook delivery");
            }
            if action == "webhook.failed" {
                tracing::warn!(%host, %detail, "webhook delivery failed");
            }
        }
    }
}

/// The webhook's host: its path holds the secret of a Slack-style URL and never reaches logs.
fn host_of(url: &str) -> String {
    url.split_once("://")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(rest))
        .unwrap_or("webhook")
        .to_string()
}

fn transport(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

#[cfg(test)]
mod tests {
    use app::model::fleet::alerts::*;
    use app::model::fleet::devices::{ASIC_MAX_TEMP_C, GPU_MAX_TEMP_C};

    /// The shipped Prometheus rules and the webhook alerts use the same thresholds.
    #[test]
    fn the_prometheus_rules_use_the_same_thresholds() {
        let rules = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/prometheus/rules.yml"),
        )
        .unwrap();
        let rule = |name: &str| {
            let start = rules.find(&format!("alert: {name}")).unwrap();
            let rest = &rules[start + 1..];
            rest[..rest.find("- alert:").unwrap_or(rest.len())].to_string()
        };
        let minutes = |d: chrono::Duration| format!("for: {}m", d.num_minutes());
        let offline = rule(AlertKind::DeviceOffline.rule_name());
        assert!(offline.contains(&minutes(OFFLINE_AFTER)), "{offline}");
        let hot = rule(AlertKind::OverTemperature.rule_name());
        assert!(
            hot.contains(&format!("{{kind=\"asic\"}} > {ASIC_MAX_TEMP_C}")),
            "{hot}"
        );
        assert!(
            hot.contains(&format!("{{kind=\"gpu\"}} > {GPU_MAX_TEMP_C}")),
            "{hot}"
        );
        assert!(hot.contains(&minutes(AlertKind::OverTemperature.hold())));
        let under = rule(AlertKind::UnderDelivering.rule_name());
        assert!(
            under.contains(&format!("< {UNDER_DELIVERY_SHARE} *")),
            "{under}"
        );
        assert!(under.contains(&minutes(AlertKind::UnderDelivering.hold())));
        let drop = rule(AlertKind::SiteHashrateDrop.rule_name());
        assert!(drop.contains(&format!("< {SITE_DROP_SHARE} *")), "{drop}");
        assert!(
            drop.contains(&format!("[{}h]", SITE_BASELINE_WINDOW.num_hours())),
            "{drop}"
        );
        assert!(drop.contains(&minutes(AlertKind::SiteHashrateDrop.hold())));
        let lag = rule(AlertKind::PollLag.rule_name());
        assert!(lag.contains(&format!("> {POLL_LAG_LIMIT_S}")), "{lag}");
        assert!(lag.contains(&minutes(AlertKind::PollLag.hold())));
        assert!(rules.contains(&format!(
            "alert: {}",
            AlertKind::MilestoneSlipped.rule_name()
        )));
        let lease = rule(AlertKind::LeaseBelowMarket.rule_name());
        assert!(
            lease.contains("rigshift_lease_below_market == 1"),
            "{lease}"
        );
    }

    /// Every reason that pages has its rule, matching its reason code, holding as long as the
    /// webhook alert holds, carrying the dashboard's own runbook line.
    #[test]
    fn every_alerting_reason_has_its_rule_and_runbook() {
        use app::model::fleet::reason::ReasonCode;
        let rules = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/prometheus/rules.yml"),
        )
        .unwrap();
        let codes: Vec<ReasonCode> = ReasonCode::ALL.into_iter().filter(|c| c.alerts()).collect();
        assert_eq!(codes.len(), 10);
        for code in codes {
            let kind = AlertKind::Reason(code);
            let name = kind.rule_name();
            assert_ne!(
                name, "RigshiftDeviceReason",
                "{code:?} has no rule of its own"
            );
            let start = rules
                .find(&format!("alert: {name}\n"))
                .unwrap_or_else(|| panic!("no rule {name}"));
            let rest = &rules[start + 1..];
            let rule = &rest[..rest.find("- alert:").unwrap_or(rest.len())];
            assert!(
                rule.contains(&format!(
                    "rigshift_device_reason{{reason=\"{}\"}} == 1",
                    code.as_str()
                )),
                "{rule}"
            );
            let hold = kind.hold().num_minutes();
            assert_eq!(rule.contains("for:"), hold > 0, "{rule}");
            if hold > 0 {
                assert!(rule.contains(&format!("for: {hold}m")), "{rule}");
            }
            let runbook = (app::i18n::EN.reasons.runbook)(code);
            assert!(rule.contains(&format!("runbook: \"{runbook}\"")), "{rule}");
        }
    }

    #[test]
    fn only_the_host_of_a_webhook_url_is_recorded() {
        assert_eq!(
            super::host_of("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "hooks.slack.com"
        );
        assert_eq!(super::host_of("http://127.0.0.1:9/hook?k=s"), "127.0.0.1:9");
    }
}

/// The webhook speaks English: a reason's words and runbook line from the English tables.
fn webhook_words(reason: &app::model::fleet::reason::Reason) -> ReasonWords {
    ReasonWords {
        describe: (app::i18n::EN.reasons.describe)(reason),
        runbook: (app::i18n::EN.reasons.runbook)(reason.code()).to_string(),
    }
}

#[cfg(test)]
mod words_tests {
    use app::model::fleet::reason::Reason;

    #[test]
    fn the_webhook_words_a_reason_in_english_with_its_runbook() {
        let w = super::webhook_words(&Reason::FatalXid { xid: 79 });
        assert_eq!(w.describe, "fatal Xid 79: fallen off the bus");
        assert!(
            w.runbook.starts_with("Drain the node's jobs"),
            "{}",
            w.runbook
        );
    }
}
