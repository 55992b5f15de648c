//! `/sla?month=YYYY-MM`: the tenants' SLA ledger — per contract, the month's fee, the
//! availability telemetry measured, the credit owed and the net. A tenant sees its own.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::sla::get_sla_ledger;
use crate::components::error_panel::ErrorPanel;
use crate::i18n::numbers;
use crate::locale::{t, use_lang};
use crate::model::ai::sla::{parse_month, LedgerRow};

/// The month before or after `month` (`YYYY-MM`).
fn step(month: &str, by: i32) -> Option<String> {
    let first = parse_month(month)?;
    let m = first.checked_add_months(chrono::Months::new(by.max(0) as u32))?;
    let m = if by < 0 {
        first.checked_sub_months(chrono::Months::new(by.unsigned_abs()))?
    } else {
        m
    };
    Some(m.format("%Y-%m").to_string())
}

#[component]
pub fn SlaPage() -> impl IntoView {
    let query = use_query_map();
    let month = Memo::new(move |_| query.with(|q| q.get("month").unwrap_or_default()));
    let ledger = Resource::new(move || month.get(), get_sla_ledger);
    let tx = &t().sla;
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{tx.title}</h1>
            </div>
            <Transition fallback=|| view! { <p class="loading">{t().common.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move {
                        ledger.await.map(|l| view! { <Ledger month=l.month.clone() through=l.through.to_string() rows=l.rows /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn Ledger(month: String, through: String, rows: Vec<LedgerRow>) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().sla;
    let usd = move |v: f64| numbers::usd(lang, v);
    let pct = move |v: f64, d: usize| format!("{} %", numbers::number(lang, v, d));
    let availability = move |r: &LedgerRow| match r.availability_pct {
        Some(a) => pct(a, 3),
        None => tx.not_measured.to_string(),
    };
    let prev = step(&month, -1).map(|m| format!("/sla?month={m}"));
    // The month in progress has no next one yet.
    let complete = parse_month(&month).is_some_and(|first| {
        let (_, days) = crate::model::ai::sla::month_of(first);
        (first + chrono::Duration::days(i64::from(days) - 1)).to_string() == through
    });
    let next = step(&month, 1)
        .filter(|_| complete)
        .map(|m| format!("/sla?month={m}"));
    let csv = format!("/api/v1/sla.csv?month={month}");
    let empty = rows.is_empty();
    view! {
        <div class="panel" data-testid="sla-ledger">
            <div class="panel-head">
                <h2>{(tx.through)(&month, &through)}</h2>
                <nav class="range-picker">
                    {prev.map(|h| view! { <a href=h>{tx.previous}</a> })}
                    {next.map(|h| view! { <a href=h>{tx.next}</a> })}
                    <a href=csv download="">"CSV"</a>
                </nav>
            </div>
            <table class="data-table" tabindex="0">
                <thead>
                    <tr><th>{tx.contract}</th><th>{tx.tenant}</th><th>{tx.site}</th><th>{tx.fee}</th><th>{tx.promised}</th><th>{tx.availability}</th><th>{tx.observed}</th><th>{tx.credit}</th><th>{tx.net}</th></tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-contract=r.contract_id.clone() data-source=r.source.as_str()>
                            <td>{r.contract_id.clone()}</td>
                            <td>{r.tenant.clone()}</td>
                            <td>{r.site_id.clone()}</td>
                            <td>{usd(r.fee_usd)}</td>
                            <td>{r.sla_pct.map(|p| pct(p, 1)).unwrap_or_else(|| tx.no_sla.to_string())}</td>
                            <td>{availability(&r)}</td>
                            <td>{numbers::percent(lang, r.observed_share)}</td>
                            <td>{format!("{} ({})", usd(r.credit_usd), pct(r.credit_pct, 0))}</td>
                            <td>{usd(r.net_usd)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="panel-note">{tx.empty}</p> })}
            <p class="panel-note">{tx.note}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_step_across_years() {
        assert_eq!(super::step("2026-12", 1).as_deref(), Some("2027-01"));
        assert_eq!(super::step("2027-01", -1).as_deref(), Some("2026-12"));
        assert_eq!(super::step("nonsense", 1), None);
    }
}
