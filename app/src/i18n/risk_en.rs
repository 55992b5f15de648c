//! English words for the risk bands, forward prices and the sector's KPIs.

use super::texts::RiskTexts;

pub(super) const RISK: RiskTexts = RiskTexts {
    title: "The next 36 months: risk bands",
    band: |name| format!("{name} P10–P90"),
    median: |name| format!("{name} P50"),
    total_revenue: "Total revenue",
    mining_margin: "Mining margin",
    note: |paths, vol, drift, source| {
        format!(
            "{paths} seeded paths of BTC price (σ {vol} a year, drift {drift}) and difficulty; GPU-hour revenue moves with utilisation, colocation is firm. {source}."
        )
    },
    revenue_at_risk: "Revenue at risk (95 %, next 12 months)",
    margin_negative: "Chance mining's margin goes negative (worst month)",
    forward: |label| format!("Projected mining revenue priced on the {label}"),
    unavailable: "Risk bands need at least 60 days of stored market history.",
    calc_title: "Monthly cash, P10–P90: keep mining or convert",
    calc_note: |paths, ms| {
        format!(
            "{paths} paths computed in this browser in {ms} ms; the same seed gives the same fan."
        )
    },
    keep_mining: "Keep mining",
    convert: "Convert",
    btc_vol: "BTC volatility",
};
