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
            let m = browser_sha256::measure(MEASURE_MS).await;
            browser.set(Some(m));
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
                    <div class="kpi-label">"Your browser (one thread, wasm)"</div>
                    <div class="kpi-value">{move || rate(browser.get())}</div>
                    <div class="kpi-note">{move || browser.get().map(|m| format!("{} hashes in {:.2} s, in 20 ms slices", m.hashes, m.seconds))}</div>
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

/// The browser-side measurement: the model's kernel in short slices so the page stays responsive.
#[cfg(feature = "hydrate")]
mod browser_sha256 {
    use crate::api::estimators::Sha256Measurement;
    use crate::model::sha256d::{scan, BlockHeader, Midstate};

    /// Work between yields to the event loop, ms.
    const SLICE_MS: f64 = 20.0;

    fn now_ms() -> f64 {
        js_sys::Date::now()
    }

    async fn yield_to_browser() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    pub async fn measure(millis: u32) -> Sha256Measurement {
        let mid = Midstate::new(&BlockHeader::genesis().to_bytes());
        let impossible = [0u8; 32];
        let start = now_ms();
        let (mut hashes, mut nonce, mut busy_ms) = (0u64, 0u32, 0.0);
        while now_ms() - start < millis as f64 {
            let slice_start = now_ms();
            while now_ms() - slice_start < SLICE_MS {
                hashes += scan(&mid, nonce, 1024, &impossible).hashes;
                nonce = nonce.wrapping_add(1024);
            }
            busy_ms += now_ms() - slice_start;
            yield_to_browser().await;
        }
        // The rate counts the time spent hashing, not the time the page was given back.
        let seconds = busy_ms / 1000.0;
        Sha256Measurement {
            hashes,
            seconds,
            hashes_per_s: hashes as f64 / seconds.max(1e-9),
            threads: 1,
        }
    }
}
