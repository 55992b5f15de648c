//! The conversion calculator: sliders → URL → pure model → KPIs and the cumulative-cash chart.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::calc_params::{
    default_value, CalcParams, Knob, BTC_CHANGE, BTC_PRICE, BUILD_MONTHS, COLO_PRICE,
    CONVERSION_CAPEX, DIFF_GROWTH, GPU_CAPEX, GPU_HOUR, HORIZON_YEARS, POWER_PRICE, SITE_MW,
    UTILISATION,
};
use crate::api::estimators::MarketNow;
use crate::charts::{conversion::cumulative_cash, palette::Palette};
use crate::components::chart_export::ChartExport;
use crate::components::e_chart::EChart;
use crate::components::kpi_card::KpiCard;
use crate::format;
use crate::model::catalogue::{ASICS, GPUS};
use crate::model::conversion::compare;

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

    let kpi = move |f: fn(&crate::model::conversion::ConversionResult) -> String| {
        Signal::derive(move || {
            result
                .get()
                .map(|r| f(&r))
                .unwrap_or_else(|e| e.to_string())
        })
    };
    let chart = Signal::derive(move || {
        result
            .get()
            .ok()
            .map(|r| cumulative_cash(&r.months, &Palette::DARK, crate::i18n::use_lang()).into())
    });
    let slider = move |knob: Knob| view! { <Slider knob market params set_params /> };
    let gpu_cloud = move || params.get().gpu_cloud;

    view! {
        <div class="panel" id="conversion">
            <div class="panel-head">
                <h2>"Conversion calculator: keep mining or host AI?"</h2>
                <span class="panel-note">{format!("Market as of {}: BTC {}, difficulty {:.1} T{}", market.today, format::usd(market.btc_usd), market.difficulty / 1e12, if market.simulated { " (SIMULATED DATA)" } else { "" })}</span>
            </div>
            <div class="calc">
                <div class="calc-inputs">
                    {slider(SITE_MW)}
                    {slider(POWER_PRICE)}
                    <label class="field">
                        <span>"ASIC model"</span>
                        <select on:change=move |ev| {
                            let mut p = params.get_untracked();
                            p.asic = Some(event_target_value(&ev));
                            set_params.run(p);
                        }>
                            {ASICS.iter().map(|m| {
                                let id = m.id;
                                view! { <option value=id selected=move || params.get().inputs(&market).asic_id == id>{format!("{} ({:.1} J/TH)", m.name, m.efficiency_j_per_th())}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {slider(BTC_PRICE)}
                    {slider(BTC_CHANGE)}
                    {slider(DIFF_GROWTH)}
                    <fieldset class="field">
                        <legend>"AI offer"</legend>
                        <label><input type="radio" name="ai" prop:checked=move || !gpu_cloud() on:change=move |_| { let mut p = params.get_untracked(); p.gpu_cloud = false; set_params.run(p); } />" Colocation ($/kW-month)"</label>
                        <label><input type="radio" name="ai" prop:checked=gpu_cloud on:change=move |_| { let mut p = params.get_untracked(); p.gpu_cloud = true; set_params.run(p); } />" Own GPU cloud ($/GPU-hour)"</label>
                    </fieldset>
                    <Show when=move || !gpu_cloud()>{slider(COLO_PRICE)}</Show>
                    <Show when=gpu_cloud>
                        <label class="field">
                            <span>"GPU"</span>
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
                </div>
                <div class="calc-outputs">
                    <div class="kpis kpis-compact">
                        <KpiCard label="Payback vs mining" test_id="payback" accent="ai"
                            value=kpi(|r| r.payback_months.map(|m| format!("{m} months")).unwrap_or_else(|| "not within horizon".into())) />
                        <KpiCard label="Conversion capex" test_id="capex" value=kpi(|r| format::usd(r.capex_usd)) />
                        <KpiCard label="Mining margin, first year" test_id="mining-margin" accent="mining" value=kpi(|r| format::usd(r.mining_margin_first_year_usd)) />
                        <KpiCard label="AI margin, full year" test_id="ai-margin" accent="ai" value=kpi(|r| format::usd(r.ai_margin_full_year_usd)) />
                        <KpiCard label="AI capacity" test_id="ai-capacity"
                            value=kpi(|r| if r.gpus > 0.0 { format!("{:.0} GPUs", r.gpus) } else { format!("{:.1} MW critical IT", r.critical_it_mw) }) />
                    </div>
                    <EChart id="chart-conversion" chart height_px=320 label="Cumulative cash of keeping the site mining against converting it to AI" />
                    // Computed in the browser, so its CSV is too (from the same option).
                    <ChartExport id="chart-conversion" chart />
                    <p class="panel-note">"Mining: the site's MW at the model's J/TH (PUE 1.05), subsidy by block height across the 2028 halving. AI: nothing during the build, then a 6-month ramp; colocation tenants pay their power, an own GPU cloud pays it. Capex is spent at the start."</p>
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
            <span>{knob.label}</span>
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
