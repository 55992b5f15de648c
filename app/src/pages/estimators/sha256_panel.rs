//! SHA-256d: measure the server's and this browser's rate, and set them against the ASICs.

use leptos::prelude::*;

use super::calc_params::{default_value, POWER_PRICE};
use crate::api::estimators::{estimate_sha256, MarketNow, Sha256Measurement};
use crate::format;
use crate::model::asic_economics::{asic_economics, MarketPoint};

/// How long each measurement runs, ms.
const MEASURE_MS: u32 = 1000;

#[component]
pub fn Sha256Panel(market: MarketNow) -> impl IntoView {
    let server_run = Action::new(|millis: &u32| {
        let millis = *millis;
        async move { estimate_sha256(millis).await }
    });
    let browser = RwSignal::new(None::<Sha256Measurement>);
    let browser_running = RwSignal::new(false);
    let browser_how = RwSignal::new("");
    let server_rate = move || {
        server_run
            .value()
            .get()
            .and_then(Result::ok)
            .map(|m| m.hashes_per_s)
    };
    let power_price = default_value(POWER_PRICE, &market);
    let rows = Memo::new(move |_| {
        asic_economics(
            &MarketPoint {
                difficulty: market.difficulty,
                subsidy_btc: market.subsidy_btc,
                fees_btc_per_block: market.fees_btc_per_block,
                btc_price_usd: market.btc_usd,
                power_usd_per_kwh: power_price,
            },
            server_rate(),
        )
    });
    let measure_browser = move |_| {
        if browser_running.get_untracked() {
            return;
        }
        browser_running.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let (m, how) = super::browser_sha256::measure(MEASURE_MS).await;
            browser.set(Some(m));
            browser_how.set(how);
            browser_running.set(false);
        });
    };
    let rate = |m: Option<Sha256Measurement>| {
        m.map(|m| format!("{:.2} MH/s", m.hashes_per_s / 1e6))
            .unwrap_or_else(|| "—".into())
    };

    view! {
        <div class="panel" id="sha256">
            <div class="panel-head">
                <h2>"SHA-256d: a CPU against an ASIC"</h2>
                <span class="panel-note">"Real double SHA-256 over 80-byte block headers with the midstate trick; checked against the genesis block before each run."</span>
            </div>
            <div class="sha-runs">
                <div class="kpi" data-testid="sha-server">
                    <div class="kpi-label">"This server (all cores)"</div>
                    <div class="kpi-value">{move || rate(server_run.value().get().and_then(Result::ok))}</div>
                    <div class="kpi-note">{move || server_run.value().get().map(|r| match r {
                        Ok(m) => format!("{} hashes in {:.2} s on {} threads", m.hashes, m.seconds, m.threads),
                        Err(e) => e.to_string(),
                    })}</div>
                    <button on:click=move |_| { server_run.dispatch(MEASURE_MS); } disabled=move || server_run.pending().get()>
                        {move || if server_run.pending().get() { "Measuring…" } else { "Measure on the server (1 s)" }}
                    </button>
                </div>
                <div class="kpi" data-testid="sha-browser">
                    <div class="kpi-label">"Your browser (every core, wasm)"</div>
                    <div class="kpi-value">{move || rate(browser.get())}</div>
                    <div class="kpi-note" data-testid="sha-browser-threads">{move || browser.get().map(|m| format!(
                        "{} hashes in {:.2} s on {} thread{} · {:.2} MH/s per thread · {}",
                        m.hashes, m.seconds, m.threads, if m.threads == 1 { "" } else { "s" },
                        m.hashes_per_s / f64::from(m.threads.max(1)) / 1e6, browser_how.get()
                    ))}</div>
                    <button on:click=measure_browser disabled=move || browser_running.get()>
                        {move || if browser_running.get() { "Measuring…" } else { "Measure in this browser (1 s)" }}
                    </button>
                </div>
            </div>
            <table class="data-table" tabindex="0" data-testid="asic-table">
                <thead>
                    <tr>
                        <th>"ASIC"</th><th>"TH/s"</th><th>"J/TH"</th><th>"BTC/day"</th><th>"Margin/day"</th>
                        <th>"Breakeven $/kWh"</th><th>"Solo block (years)"</th><th>"Servers like this per ASIC"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|r| view! {
                        <tr>
                            <td>{r.model.name}</td>
                            <td>{format!("{:.0}", r.model.hashrate_ths)}</td>
                            <td>{format!("{:.1}", r.model.efficiency_j_per_th())}</td>
                            <td>{format!("{:.6}", r.btc_per_day)}</td>
                            <td class:negative=r.margin_usd_per_day < 0.0>{format::usd(r.margin_usd_per_day)}</td>
                            <td>{r.breakeven_usd_per_kwh.map(|b| format!("{b:.3}")).unwrap_or_default()}</td>
                            <td>{format!("{:.0}", r.solo_block_days / 365.25)}</td>
                            <td>{r.measured_machines_per_asic.map(|n| format!("{n:.0}")).unwrap_or_else(|| "measure first".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="panel-note">{format!("At today's market and {power_price:.3} $/kWh.")}</p>
        </div>
    }
}
