//! Parole italiane per le bande di rischio, i prezzi forward e i KPI del settore.

use super::texts::RiskTexts;

pub(super) const RISK: RiskTexts = RiskTexts {
    title: "I prossimi 36 mesi: bande di rischio",
    band: |name| format!("{name} P10–P90"),
    median: |name| format!("{name} P50"),
    total_revenue: "Ricavi totali",
    mining_margin: "Margine del mining",
    note: |paths, vol, drift, source| {
        format!(
            "{paths} traiettorie con seme del prezzo di BTC (σ {vol} all'anno, deriva {drift}) e della difficoltà; i ricavi a ora-GPU seguono l'utilizzo, la colocation è fissa. {source}."
        )
    },
    revenue_at_risk: "Ricavi a rischio (95 %, prossimi 12 mesi)",
    margin_negative: "Probabilità di margine del mining negativo (mese peggiore)",
    forward: |label| format!("Ricavi del mining proiettati sul {label}"),
    unavailable: "Le bande di rischio richiedono almeno 60 giorni di storico di mercato.",
    calc_title: "Cassa mensile, P10–P90: continuare a minare o convertire",
    calc_note: |paths, ms| {
        format!("{paths} traiettorie calcolate in questo browser in {ms} ms; lo stesso seme dà lo stesso ventaglio.")
    },
    keep_mining: "Continuare a minare",
    convert: "Convertire",
    btc_vol: "Volatilità di BTC",
};
