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
    kpis_title: "Sector KPIs",
    kpis_note: |from, to| format!("{from} – {to}, as miners report them in their monthly updates."),
    realised_hashrate: "Realised hashrate",
    realised_source: |days| format!("pool payouts ÷ the network's BTC per TH/s, {days} days"),
    no_payouts: "no pool payouts in the window",
    hashcost: "Hashcost (power)",
    hashcost_note: |hashprice| format!("per PH/s a day, against a hashprice of {hashprice}"),
    mining_per_mw: "Mining revenue per MW a day",
    ai_per_mw: "AI revenue per MW a day",
    margin_note: |m| format!("margin {m} after power"),
    backlog: "Contracted AI backlog",
    backlog_note: |open| {
        format!("revenue still to bill on dated contracts; {open} open-ended not counted")
    },
    uptime_mw: "Uptime-weighted MW",
    uptime_note: "mining MW × hashrate realised ÷ capacity, plus AI MW energised",
    leases_title: "GPU-hour leases against the rental index",
    leases_note: |pct| {
        format!("Each contract's rate against the newest index quote for its GPU model, over an average month at its utilisation. A lease ending within 90 days more than {pct} below the market alerts.")
    },
    no_index: "no index quote for this model",
    col_contract: "Contract",
    col_gpu: "GPU",
    col_rate: "Rate",
    col_index: "Index",
    col_vs_market: "Against the market, a month",
    col_renews: "Renews",
    renews_in: |d| format!("in {d} days"),
    open_ended: "open-ended",
    below_market: "below market: renegotiate",
    forward_provenance: |label| {
        format!("Projected mining revenue is priced on the {label} where it has a tenor, on the difficulty and price model elsewhere.")
    },
};
