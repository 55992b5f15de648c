//! The conversion calculator's inputs as URL query parameters (plain data, testable natively).

use crate::api::estimators::MarketNow;
use crate::model::fleet::catalogue::{asic, gpu};
use crate::model::timeline::conversion::{AiOffer, ConversionInputs};

pub use crate::i18n::KnobLabel;

/// One slider or choice: its query key, its label and the range the UI offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knob {
    pub key: &'static str,
    pub label: KnobLabel,
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

pub const SITE_MW: Knob = Knob {
    key: "mw",
    label: KnobLabel::SiteMw,
    min: 5.0,
    max: 500.0,
    step: 5.0,
};
pub const POWER_PRICE: Knob = Knob {
    key: "kwh",
    label: KnobLabel::PowerPrice,
    min: 0.01,
    max: 0.12,
    step: 0.001,
};
pub const BTC_PRICE: Knob = Knob {
    key: "btc",
    label: KnobLabel::BtcPrice,
    min: 20_000.0,
    max: 300_000.0,
    step: 1_000.0,
};
pub const BTC_CHANGE: Knob = Knob {
    key: "btcg",
    label: KnobLabel::BtcChange,
    min: -50.0,
    max: 100.0,
    step: 1.0,
};
pub const DIFF_GROWTH: Knob = Knob {
    key: "dg",
    label: KnobLabel::DifficultyGrowth,
    min: -2.0,
    max: 6.0,
    step: 0.1,
};
pub const COLO_PRICE: Knob = Knob {
    key: "kwm",
    label: KnobLabel::ColoPrice,
    min: 50.0,
    max: 300.0,
    step: 1.0,
};
pub const GPU_HOUR: Knob = Knob {
    key: "gph",
    label: KnobLabel::GpuHour,
    min: 0.5,
    max: 8.0,
    step: 0.05,
};
pub const UTILISATION: Knob = Knob {
    key: "util",
    label: KnobLabel::Utilisation,
    min: 0.2,
    max: 1.0,
    step: 0.01,
};
pub const GPU_CAPEX: Knob = Knob {
    key: "gcap",
    label: KnobLabel::GpuCapex,
    min: 5.0,
    max: 80.0,
    step: 0.5,
};
pub const CONVERSION_CAPEX: Knob = Knob {
    key: "capex",
    label: KnobLabel::ConversionCapex,
    min: 0.0,
    max: 15.0,
    step: 0.1,
};
pub const BUILD_MONTHS: Knob = Knob {
    key: "build",
    label: KnobLabel::BuildMonths,
    min: 0.0,
    max: 36.0,
    step: 1.0,
};
pub const HORIZON_YEARS: Knob = Knob {
    key: "years",
    label: KnobLabel::HorizonYears,
    min: 1.0,
    max: 15.0,
    step: 1.0,
};

/// BTC's volatility for the risk fan, % a year.
pub const BTC_VOL: Knob = Knob {
    key: "vol",
    label: KnobLabel::BtcVolatility,
    min: 0.0,
    max: 150.0,
    step: 1.0,
};

/// Every numeric knob, in display order.
pub const KNOBS: [Knob; 13] = [
    SITE_MW,
    POWER_PRICE,
    BTC_PRICE,
    BTC_CHANGE,
    DIFF_GROWTH,
    COLO_PRICE,
    GPU_HOUR,
    UTILISATION,
    GPU_CAPEX,
    CONVERSION_CAPEX,
    BUILD_MONTHS,
    HORIZON_YEARS,
    BTC_VOL,
];

/// The calculator's state; `None` means "the default".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CalcParams {
    pub values: Vec<(&'static str, f64)>,
    pub asic: Option<String>,
    pub gpu: Option<String>,
    /// `true` for GPU-hours, `false` for colocation.
    pub gpu_cloud: bool,
}

impl CalcParams {
    /// Reads the knobs from query pairs; out-of-range or unparsable values fall back to defaults.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let values = KNOBS
            .iter()
            .filter_map(|k| {
                let v: f64 = get(k.key)?.parse().ok()?;
                (v.is_finite() && v >= k.min && v <= k.max).then_some((k.key, v))
            })
            .collect();
        Self {
            values,
            asic: get("asic").filter(|a| asic(a).is_some()),
            gpu: get("gpu").filter(|g| gpu(g).is_some()),
            gpu_cloud: get("ai").as_deref() == Some("gpu"),
        }
    }

    pub fn get(&self, knob: Knob) -> Option<f64> {
        self.values
            .iter()
            .find(|(k, _)| *k == knob.key)
            .map(|(_, v)| *v)
    }

    /// A copy with `knob` set to `v`.
    pub fn with(&self, knob: Knob, v: f64) -> Self {
        let mut next = self.clone();
        next.values.retain(|(k, _)| *k != knob.key);
        next.values.push((knob.key, v));
        next
    }

    /// The URL query (without `?`), keys in a stable order.
    pub fn to_query(&self) -> String {
        let mut parts: Vec<String> = KNOBS
            .iter()
            .filter_map(|k| self.get(*k).map(|v| format!("{}={}", k.key, v)))
            .collect();
        if let Some(a) = &self.asic {
            parts.push(format!("asic={a}"));
        }
        if let Some(g) = &self.gpu {
            parts.push(format!("gpu={g}"));
        }
        if self.gpu_cloud {
            parts.push("ai=gpu".into());
        }
        parts.join("&")
    }

    /// BTC's volatility a year for the risk fan: the slider, else the stored history's
    /// estimate, else 50 % (near BTC's 2022–2025 realised figure).
    pub fn btc_vol(&self, m: &MarketNow) -> f64 {
        self.get(BTC_VOL)
            .unwrap_or_else(|| default_value(BTC_VOL, m))
            / 100.0
    }

    /// Model inputs: explicit values, else defaults from today's market and industry norms.
    pub fn inputs(&self, m: &MarketNow) -> ConversionInputs {
        let v = |k: Knob, default: f64| self.get(k).unwrap_or(default);
        let asic_id = self
            .asic
            .as_deref()
            .and_then(asic)
            .map(|a| a.id)
            .unwrap_or("S21");
        let gpu_id = self
            .gpu
            .as_deref()
            .and_then(gpu)
            .map(|g| g.id)
            .unwrap_or("H100-SXM");
        let ai = if self.gpu_cloud {
            AiOffer::GpuHours {
                gpu_id,
                usd_per_gpu_hour: v(GPU_HOUR, 2.0),
                utilisation: v(UTILISATION, 0.75),
                gpu_capex_usd: v(GPU_CAPEX, 30.0) * 1000.0,
            }
        } else {
            AiOffer::Colocation {
                usd_per_kw_month: v(COLO_PRICE, 130.0),
            }
        };
        ConversionInputs {
            start: m.today,
            horizon_months: (v(HORIZON_YEARS, 6.0) * 12.0) as u32,
            site_mw: v(SITE_MW, 100.0),
            power_usd_per_kwh: v(POWER_PRICE, 0.04),
            asic_id,
            mining_pue: 1.05,
            btc_price_usd: v(BTC_PRICE, (m.btc_usd / 1000.0).round() * 1000.0),
            btc_price_change_pct_per_year: v(BTC_CHANGE, 0.0),
            difficulty: m.difficulty,
            difficulty_growth_pct_per_month: v(DIFF_GROWTH, 2.0),
            fees_btc_per_block: m.fees_btc_per_block,
            ai,
            ai_pue: 1.25,
            conversion_capex_usd_per_mw: v(CONVERSION_CAPEX, 3.0) * 1e6,
            build_months: v(BUILD_MONTHS, 12.0) as u32,
            ramp_months: 6,
        }
    }
}

/// The default value of `knob` shown on the slider when the URL does not set it.
pub fn default_value(knob: Knob, m: &MarketNow) -> f64 {
    let i = CalcParams::default().inputs(m);
    match knob.key {
        "mw" => i.site_mw,
        "kwh" => i.power_usd_per_kwh,
        "btc" => i.btc_price_usd,
        "btcg" => i.btc_price_change_pct_per_year,
        "dg" => i.difficulty_growth_pct_per_month,
        "kwm" => 130.0,
        "gph" => 2.0,
        "util" => 0.75,
        "gcap" => 30.0,
        "capex" => i.conversion_capex_usd_per_mw / 1e6,
        "build" => i.build_months as f64,
        "years" => i.horizon_months as f64 / 12.0,
        "vol" => m.btc_vol_per_year.map_or(50.0, |v| {
            (v * 100.0).round().clamp(BTC_VOL.min, BTC_VOL.max)
        }),
        _ => knob.min,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A fixed market for reproducible defaults.
    fn example_market() -> MarketNow {
        MarketNow {
            today: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid"),
            btc_usd: 100_000.0,
            difficulty: 150e12,
            fees_btc_per_block: 0.02,
            subsidy_btc: 3.125,
            simulated: true,
            btc_vol_per_year: Some(0.4612),
        }
    }

    fn query<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn round_trips_through_the_url_and_ignores_junk() {
        let p = CalcParams::from_query(query(&[
            ("mw", "250"),
            ("kwh", "abc"),
            ("btc", "1e12"),
            ("asic", "S21XP"),
            ("gpu", "H900"),
            ("ai", "gpu"),
        ]));
        assert_eq!(p.get(SITE_MW), Some(250.0));
        assert_eq!(p.get(POWER_PRICE), None);
        assert_eq!(p.get(BTC_PRICE), None, "out of range is ignored");
        assert_eq!(p.asic.as_deref(), Some("S21XP"));
        assert_eq!(p.gpu, None);
        assert!(p.gpu_cloud);
        let q = p.with(COLO_PRICE, 150.0).to_query();
        assert_eq!(q, "mw=250&kwm=150&asic=S21XP&ai=gpu");
        assert_eq!(
            CalcParams::from_query(|k| q
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{k}=")).map(String::from))),
            p.with(COLO_PRICE, 150.0)
        );
    }

    #[test]
    fn defaults_come_from_the_market_and_a_slider_moves_the_payback() {
        let m = example_market();
        let i = CalcParams::default().inputs(&m);
        assert_eq!(
            (i.site_mw, i.btc_price_usd, i.difficulty),
            (100.0, 100_000.0, 150e12)
        );
        let slow = crate::model::timeline::conversion::compare(
            &CalcParams::default().with(COLO_PRICE, 120.0).inputs(&m),
        )
        .unwrap();
        let fast = crate::model::timeline::conversion::compare(
            &CalcParams::default().with(COLO_PRICE, 220.0).inputs(&m),
        )
        .unwrap();
        let fast_months = fast.payback_months.expect("a high lease price pays back");
        assert!(slow.payback_months.is_none_or(|s| fast_months < s));
        assert_eq!(default_value(CONVERSION_CAPEX, &m), 3.0);
        // The risk fan's volatility defaults to the history's, rounded to the slider's step.
        assert_eq!(CalcParams::default().btc_vol(&m), 0.46);
        assert_eq!(CalcParams::default().with(BTC_VOL, 80.0).btc_vol(&m), 0.8);
    }
}
