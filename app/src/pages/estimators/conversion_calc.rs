//! The conversion calculator: sliders → URL → pure model → KPIs and the cumulative-cash chart.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::calc_params::{
    default_value, CalcParams, Knob, BTC_CHANGE, BTC_PRICE, BTC_VOL, BUILD_MONTHS, COLO_PRICE,
    CONVERSION_CAPEX, DIFF_GROWTH, GPU_CAPEX, GPU_HOUR, HORIZON_YEARS, POWER_PRICE, SITE_MW,
    UTILISATION,
};
use crate::api::error::ApiError;
use crate::api::estimators::MarketNow;
use crate::charts::{conversion::cumulative_cash, palette::Palette};
use crate::components::chart_export::ChartExport;
use crate::components::e_chart::EChart;
use crate::components::kpi_card::KpiCard;
use crate::model::fleet::catalogue::{ASICS, GPUS};
use crate::model::timeline::conversion::compare;

#[component]
pub fn ConversionCalc(market: MarketNow) -> impl IntoView {
    let query = use_query_map();
    // The URL is the single source of truth: a shared link reproduces the scenario.
    let params = Memo::new(move |_| query.with(|q| CalcParams::from_query(|k| q.get(k))));
    let result = Memo::new(move |_| compare(&params.get().inputs(&market)));
    let navigate = use_navigate();
    let set_params = Callback::new(move |next: CalcParams| {
        navigate(
            &format!("/estimators?{}", next.to_query()),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().estimators;
    let err = crate::locale::t().common.error;
    let usd = move |v: f64| crate::i18n::numbers::usd(lang, v);
    let number = move |v: f64, d: usize| crate::i18n::numbers::number(lang, v, d);
    let kpi = move |f: Box<
        dyn Fn(&crate::model::timeline::conversion::ConversionResult) -> String + Send + Sync,
    >| {
        Signal::derive(move || {
            result
                .get()
                .map(|r| f(&r))
                .unwrap_or_else(|e| err(ApiError::from(e).words()))
        })
    };
    let chart = Signal::derive(move || {
        result
            .get()
            .ok()
            .map(|r| cumulative_cash(&r.months, &Palette::DARK, lang).into())
    });
    let slider = move |knob: Knob| view! { <Slider knob market params set_params /> };
    let gpu_cloud = move || params.get().gpu_cloud;

    view! {
        <div class="panel" id="conversion">
            <div class="panel-head">
                <h2>{tx.calc_title}</h2>
                <span class="panel-note">{(tx.market_note)(&crate::i18n::numbers::date(lang, market.today), &usd(market.btc_usd), &number(market.difficulty / 1e12, 1), market.simulated)}</span>
            </div>
            <div class="calc">
                <div class="calc-inputs">
                    {slider(SITE_MW)}
                    {slider(POWER_PRICE)}
                    <label class="field">
                        <span>{tx.asic_model}</span>
                        <select on:change=move |ev| {
                            let mut p = params.get_untracked();
                            p.asic = Some(event_target_value(&ev));
                            set_params.run(p);
                        }>
                            {ASICS.iter().map(|m| {
                                let id = m.id;
                                view! { <option value=id selected=move || params.get().inputs(&market).asic_id == id>{format!("{} ({} J/TH)", m.name, number(m.efficiency_j_per_th(), 1))}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {slider(BTC_PRICE)}
                    {slider(BTC_CHANGE)}
                    {slider(DIFF_GROWTH)}
                    <fieldset class="field">
                        <legend>{tx.ai_offer}</legend>
                        <label><input type="radio" name="ai" prop:checked=move || !gpu_cloud() on:change=move |_| { let mut p = params.get_untracked(); p.gpu_cloud = false; set_params.run(p); } />{tx.colocation}</label>
                        <label><input type="radio" name="ai" prop:checked=gpu_cloud on:change=move |_| { let mut p = params.get_untracked(); p.gpu_cloud = true; set_params.run(p); } />{tx.gpu_cloud}</label>
                    </fieldset>
                    <Show when=move || !gpu_cloud()>{slider(COLO_PRICE)}</Show>
                    <Show when=gpu_cloud>
                        <label class="field">
                            <span>{tx.gpu}</span>
                            <select on:change=move |ev| {
                                let mut p = params.get_untracked();
                                p.gpu = Some(event_target_value(&ev));
                                set_params.run(p);
                            }>
                                {GPUS.iter().map(|g| {
                                    let id = g.id;
                                    view! { <option value=id selected=move || params.get().gpu.as_deref().unwrap_or("H100-SXM") == id>{g.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        {slider(GPU_HOUR)}
                        {slider(UTILISATION)}
                        {slider(GPU_CAPEX)}
                    </Show>
                    {slider(CONVERSION_CAPEX)}
                    {slider(BUILD_MONTHS)}
                    {slider(HORIZON_YEARS)}
                    {slider(BTC_VOL)}
                </div>
                <div class="calc-outputs">
                    <div class="kpis kpis-compact">
                        <KpiCard label=tx.payback test_id="payback" accent="ai"
                            value=kpi(Box::new(|r| r.payback_months.map(tx.months).unwrap_or_else(|| tx.not_within.into()))) />
                        <KpiCard label=tx.capex test_id="capex" value=kpi(Box::new(move |r| usd(r.capex_usd))) />
                        <KpiCard label=tx.mining_margin test_id="mining-margin" accent="mining" value=kpi(Box::new(move |r| usd(r.mining_margin_first_year_usd))) />
                        <KpiCard label=tx.ai_margin test_id="ai-margin" accent="ai" value=kpi(Box::new(move |r| usd(r.ai_margin_full_year_usd))) />
                        <KpiCard label=tx.ai_capacity test_id="ai-capacity"
                            value=kpi(Box::new(move |r| if r.gpus > 0.0 { (tx.gpus)(&number(r.gpus, 0)) } else { (tx.critical_it)(&number(r.critical_it_mw, 1)) })) />
                    </div>
                    <EChart id="chart-conversion" chart height_px=320 label=tx.cash_label />
                    // Computed in the browser, so its CSV is too (from the same option).
                    <ChartExport id="chart-conversion" chart />
                    <p class="panel-note">{tx.calc_note}</p>
                    <super::cash_fan::CashFan market params />
                </div>
            </div>
        </div>
    }
}

/// A range input bound to one knob of the URL state.
#[component]
fn Slider(
    knob: Knob,
    market: MarketNow,
    params: Memo<CalcParams>,
    set_params: Callback<CalcParams>,
) -> impl IntoView {
    let value = Signal::derive(move || {
        params
            .with(|p| p.get(knob))
            .unwrap_or_else(|| default_value(knob, &market))
    });
    let shown = move || {
        let v = value.get();
        if knob.step < 0.01 {
            format!("{v:.3}")
        } else if knob.step < 1.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.0}")
        }
    };
    view! {
        <label class="field slider">
            <span>{(crate::locale::t().estimators.knob)(knob.label)}</span>
            <input
                type="range"
                name=knob.key
                min=knob.min
                max=knob.max
                step=knob.step
                prop:value=move || value.get().to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        set_params.run(params.get_untracked().with(knob, v));
                    }
                }
            />
            <output>{shown}</output>
        </label>
    }
}
