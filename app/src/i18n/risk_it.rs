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
    kpis_title: "KPI di settore",
    kpis_note: |from, to| {
        format!("{from} – {to}, come i miner li riportano negli aggiornamenti mensili.")
    },
    realised_hashrate: "Hashrate realizzato",
    realised_source: |days| format!("pagamenti dei pool ÷ BTC della rete per TH/s, {days} giorni"),
    no_payouts: "nessun pagamento dei pool nel periodo",
    hashcost: "Hashcost (energia)",
    hashcost_note: |hashprice| format!("per PH/s al giorno, contro un hashprice di {hashprice}"),
    mining_per_mw: "Ricavi del mining per MW al giorno",
    ai_per_mw: "Ricavi IA per MW al giorno",
    margin_note: |m| format!("margine {m} dopo l'energia"),
    backlog: "Portafoglio contratti IA",
    backlog_note: |open| {
        format!("ricavi ancora da fatturare sui contratti a scadenza; {open} a tempo indeterminato esclusi")
    },
    uptime_mw: "MW ponderati per uptime",
    uptime_note: "MW di mining × hashrate realizzato ÷ capacità, più MW IA alimentati",
    leases_title: "Contratti a ora-GPU rispetto all'indice di noleggio",
    leases_note: |pct| {
        format!("La tariffa di ogni contratto rispetto all'ultima quotazione dell'indice per il suo modello di GPU, su un mese medio al suo utilizzo. Un contratto in scadenza entro 90 giorni più di {pct} sotto il mercato genera un avviso.")
    },
    no_index: "nessuna quotazione per questo modello",
    col_contract: "Contratto",
    col_gpu: "GPU",
    col_rate: "Tariffa",
    col_index: "Indice",
    col_vs_market: "Rispetto al mercato, al mese",
    col_renews: "Rinnovo",
    renews_in: |d| format!("tra {d} giorni"),
    open_ended: "a tempo indeterminato",
    below_market: "sotto il mercato: rinegoziare",
    forward_provenance: |label| {
        format!("I ricavi del mining proiettati sono prezzati sul {label} dove ha una scadenza, sul modello di difficoltà e prezzo altrove.")
    },
};
