//! Per site at its own interval prices: keep mining (curtailing, with 4CP and demand-response
//! credits) or lease the same MW as AI colocation paying firm power — and the flexibility the
//! conversion gives up. The lease price is the calculator's (`kwm` in the URL).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::power::{get_site_flexibility, SiteFlexibility};
use crate::i18n::numbers;
use crate::model::power::curtailment::keep_or_convert_usd;

#[component]
pub fn FlexibilityTable() -> impl IntoView {
    let rows = Resource::new(|| (), |_| get_site_flexibility());
    let query = use_query_map();
    let kwm = Memo::new(move |_| {
        query
            .read()
            .get("kwm")
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(130.0)
    });
    let tx = &crate::locale::t().estimators;
    let lang = crate::locale::use_lang();
    let row = move |r: SiteFlexibility| {
        // Over the intervals priced, not the whole window: both sides cover the same hours.
        let months = r.intervals as f64 / (96.0 * 30.4375);
        let figures = move || {
            keep_or_convert_usd(
                r.mining_with_flexibility_usd,
                r.firm_power_cost_usd,
                r.mining_mw,
                r.pue_ai,
                kwm.get(),
                months,
            )
        };
        let point = r.point.clone().unwrap_or_else(|| tx.flex_fixed.to_string());
        view! {
            <tr data-site=r.site.clone()>
                <td>{r.site.clone()}</td>
                <td>{point}</td>
                <td class="num">{numbers::number(lang, r.intervals as f64 / 96.0, 1)}</td>
                <td class="num">{move || numbers::usd(lang, figures().0)}</td>
                <td class="num">{move || numbers::usd(lang, figures().1)}</td>
                <td class="num" data-testid="flexibility-value">{numbers::usd(lang, r.flexibility_value_usd)}</td>
                <td class="num">{r.adherence_percent.map_or_else(|| tx.flex_unobserved.to_string(), |p| format!("{} %", numbers::number(lang, p, 0)))}</td>
            </tr>
        }
    };
    view! {
        <div class="panel" data-testid="flexibility">
            <div class="panel-head"><h2>{tx.flex_title}</h2><span class="panel-note">{tx.flex_note}</span></div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let rows = rows.await.unwrap_or_default();
                    if rows.is_empty() {
                        return view! { <p class="panel-note">{tx.flex_none}</p> }.into_any();
                    }
                    view! {
                        <table class="data-table" tabindex="0">
                            <thead><tr><th>{tx.flex_site}</th><th>{tx.flex_point}</th><th>{tx.flex_days}</th><th>{tx.flex_mining}</th><th>{tx.flex_ai}</th><th>{tx.flex_value}</th><th>{tx.flex_adherence}</th></tr></thead>
                            <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    }.into_any()
                })}
            </Suspense>
        </div>
    }
}
