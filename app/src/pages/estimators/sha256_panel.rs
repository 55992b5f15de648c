//! SHA-256d: measure the server's and this browser's rate, and set them against the ASICs.

use leptos::prelude::*;

use super::calc_params::{default_value, POWER_PRICE};
use crate::api::estimators::{estimate_sha256, MarketNow, Sha256Measurement};
use crate::model::mining::asic_economics::{asic_economics, MarketPoint};

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
    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().estimators;
    let err = crate::locale::t().common.error;
    let n = move |v: f64, d: usize| crate::i18n::numbers::number(lang, v, d);
    let rate = move |m: Option<Sha256Measurement>| {
        m.map(|m| format!("{} MH/s", n(m.hashes_per_s / 1e6, 2)))
            .unwrap_or_else(|| "—".into())
    };
    let how = move |h: &str| {
        #[cfg(feature = "hydrate")]
        if h == super::browser_sha256::WORKERS_SIMD {
            return tx.workers_simd;
        }
        if h.is_empty() {
            ""
        } else {
            tx.one_thread
        }
    };

    view! {
        <div class="panel" id="sha256">
            <div class="panel-head">
                <h2>{tx.sha_title}</h2>
                <span class="panel-note">{tx.sha_note}</span>
            </div>
            <div class="sha-runs">
                <div class="kpi" data-testid="sha-server">
                    <div class="kpi-label">{tx.this_server}</div>
                    <div class="kpi-value">{move || rate(server_run.value().get().and_then(Result::ok))}</div>
                    <div class="kpi-note">{move || server_run.value().get().map(|r| match r {
                        Ok(m) => (tx.server_run)(&n(m.hashes as f64, 0), &n(m.seconds, 2), m.threads),
                        Err(e) => err(e.words()),
                    })}</div>
                    <button on:click=move |_| { server_run.dispatch(MEASURE_MS); } disabled=move || server_run.pending().get()>
                        {move || if server_run.pending().get() { tx.measuring } else { tx.measure_server }}
                    </button>
                </div>
                <div class="kpi" data-testid="sha-browser">
                    <div class="kpi-label">{tx.your_browser}</div>
                    <div class="kpi-value">{move || rate(browser.get())}</div>
                    <div class="kpi-note" data-testid="sha-browser-threads">{move || browser.get().map(|m| (tx.browser_run)(
                        &n(m.hashes as f64, 0), &n(m.seconds, 2), m.threads,
                        &n(m.hashes_per_s / f64::from(m.threads.max(1)) / 1e6, 2), how(browser_how.get())
                    ))}</div>
                    <button on:click=measure_browser disabled=move || browser_running.get()>
                        {move || if browser_running.get() { tx.measuring } else { tx.measure_browser }}
                    </button>
                </div>
            </div>
            <table class="data-table" tabindex="0" data-testid="asic-table">
                <thead>
                    <tr>
                        <th>"ASIC"</th><th>"TH/s"</th><th>"J/TH"</th><th>{tx.btc_day}</th><th>{tx.margin_day}</th>
                        <th>{tx.breakeven}</th><th>{tx.solo}</th><th>{tx.servers_per_asic}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|r| view! {
                        <tr>
                            <td>{r.model.name}</td>
                            <td>{n(r.model.hashrate_ths, 0)}</td>
                            <td>{n(r.model.efficiency_j_per_th(), 1)}</td>
                            <td>{n(r.btc_per_day, 6)}</td>
                            <td class:negative=r.margin_usd_per_day < 0.0>{crate::i18n::numbers::usd(lang, r.margin_usd_per_day)}</td>
                            <td>{r.breakeven_usd_per_kwh.map(|b| n(b, 3)).unwrap_or_default()}</td>
                            <td>{n(r.solo_block_days / 365.25, 0)}</td>
                            <td>{r.measured_machines_per_asic.map(|m| n(m, 0)).unwrap_or_else(|| tx.measure_first.into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="panel-note">{(tx.at_market)(&n(power_price, 3))}</p>
        </div>
    }
}
