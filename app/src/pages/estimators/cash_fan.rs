//! The calculator's risk fan: monthly cash of "keep mining" against "convert" over the first
//! 36 months, P10–P90 with the P50, computed in this browser on every slider move by the same
//! Monte Carlo the server runs (`model::timeline::conversion_risk`). `?paths=` (500–10,000; 2,000 by
//! default) sets the paths; the note says how long the browser took.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::calc_params::CalcParams;
use crate::api::estimators::MarketNow;
use crate::charts::option::ChartOption;
use crate::charts::palette::Palette;
use crate::charts::risk_fan::{fan_chart, Fan};
use crate::components::chart_export::ChartExport;
use crate::components::e_chart::EChart;
use crate::model::timeline::conversion::compare;
use crate::model::timeline::conversion_risk::{cash_fans, CashFans};

/// Months the fan covers (the 36; the horizon if shorter).
const FAN_MONTHS: usize = 36;
const SEED: u64 = 1;

/// Milliseconds on a monotonic clock: the browser's `performance.now()`, the server's
/// `Instant` (measured from the first call).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
            * 1000.0
    }
}

#[component]
pub fn CashFan(market: MarketNow, params: Memo<CalcParams>) -> impl IntoView {
    let query = use_query_map();
    let paths = Memo::new(move |_| {
        query
            .with(|q| q.get("paths").and_then(|p| p.parse::<usize>().ok()))
            .filter(|p| (500..=10_000).contains(p))
            .unwrap_or(2_000)
    });
    let fans = Memo::new(move |_| {
        let p = params.get();
        let inputs = p.inputs(&market);
        let result = compare(&inputs).ok()?;
        let started = now_ms();
        let fans = cash_fans(
            &inputs,
            &result,
            p.btc_vol(&market),
            paths.get(),
            SEED,
            FAN_MONTHS,
        );
        Some((fans, now_ms() - started))
    });
    let lang = crate::locale::use_lang();
    let r = &crate::locale::t().risk;
    let chart = Signal::derive(move || {
        // The calculator's market note already says when its figures are simulated.
        fans.with(|f| f.as_ref().map(|(f, _)| chart_of(f, lang)))
    });
    let ms = move || fans.with(|f| f.as_ref().map_or(0.0, |(_, ms)| *ms));
    // Rendered by the server (native) and recomputed by the browser (wasm) on every change.
    let digest = move || fans.with(|f| f.as_ref().map(|(f, _)| f.digest()).unwrap_or_default());
    let note = move || {
        (r.calc_note)(
            &crate::i18n::numbers::number(lang, paths.get() as f64, 0),
            &crate::i18n::numbers::number(lang, ms(), 1),
        )
    };
    view! {
        <h3 class="calc-fan-title">{r.calc_title}</h3>
        <EChart id="chart-cash-fan" chart height_px=300 label=r.calc_title />
        <ChartExport id="chart-cash-fan" chart />
        <p class="panel-note" data-testid="fan-timing" data-paths=move || paths.get().to_string()
            data-ms=move || format!("{:.1}", ms()) data-digest=digest>{note}</p>
    }
}

fn chart_of(f: &CashFans, lang: crate::i18n::Lang) -> ChartOption {
    let r = &lang.texts().risk;
    let fans = [
        Fan {
            name: r.keep_mining,
            color: Palette::DARK.mining,
            bands: f.keep_mining.clone(),
        },
        Fan {
            name: r.convert,
            color: Palette::DARK.ai_lease,
            bands: f.convert.clone(),
        },
    ];
    fan_chart(&f.months, &fans, &Palette::DARK, lang, false).into()
}
