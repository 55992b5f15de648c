//! `/reports` and `/reports/{month}`: the monthly close. The list shows every closed month and
//! its versions (admins close a month there); a month shows the production update in the
//! issuers' layout — the company's figures against the month and the year before, each site's,
//! what a restatement changed, and the HPC contract register — with its CSV, a print layout
//! for the board pack (A4 landscape, see `style/main.scss`), and "unaudited, estimated".

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::auth::Role;
use crate::api::error::ApiError;
use crate::api::reports::{
    close_report, get_report, get_reports, restate_report, rows, ClosedMonth, ClosedMonths,
};
use crate::components::error_panel::ErrorPanel;
use crate::i18n::{numbers, Lang};
use crate::locale::{t, use_lang};
use crate::model::ai::contract_register::ContractRegisterReport;
use crate::model::investor::monthly_close::{parse_month, ProductionRow};
use crate::state::my_role;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let params = use_params_map();
    let month = Memo::new(move |_| params.with(|p| p.get("month")).filter(|s| !s.is_empty()));
    let tx = &t().reports;
    view! {
        <section class="page report-page" data-testid="reports-page">
            <div class="page-head">
                <h1>{tx.title}</h1>
                <p class="muted no-print">{tx.note}</p>
            </div>
            {move || match month.get() {
                Some(m) => view! { <MonthReport month=m /> }.into_any(),
                None => view! { <ReportList /> }.into_any(),
            }}
        </section>
    }
}

fn error_text(e: &ApiError) -> String {
    (t().common.error)(e.words())
}

#[component]
fn ReportList() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || version.get(), |_| get_reports());
    view! {
        <Transition fallback=|| view! { <p class="loading">{t().common.loading}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move { list.await.map(|l| view! { <MonthList l /> }) })}
            </ErrorBoundary>
        </Transition>
        {move || (my_role().get() == Some(Role::Admin)).then(|| view! { <CloseForm /> })}
    }
}

#[component]
fn MonthList(l: ClosedMonths) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().reports;
    let empty = l.months.is_empty();
    view! {
        <div class="panel" data-testid="closed-months">
            <table class="data-table" tabindex="0">
                <thead><tr><th>{tx.month}</th><th>{tx.version}</th><th>{tx.reason}</th><th>{tx.closed_by}</th><th>{tx.closed_at}</th></tr></thead>
                <tbody>
                    {l.months.into_iter().map(|r| {
                        let href = format!("/reports/{}?version={}", r.month, r.version);
                        let label = month_words(lang, &r.month);
                        let reason = if r.version == 1 { tx.first_close.to_string() } else { r.reason.clone() };
                        view! {
                            <tr data-month=r.month.clone() data-version=r.version>
                                <td><a href=href>{label}</a></td>
                                <td class="num">{r.version}</td>
                                <td>{reason}</td>
                                <td>{r.closed_by.clone()}</td>
                                <td>{numbers::utc_minute(lang, r.closed_at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="panel-note">{tx.empty}</p> })}
        </div>
    }
}

/// An admin closes a month that has ended; on success the month opens.
#[component]
fn CloseForm() -> impl IntoView {
    let tx = &t().reports;
    let month = RwSignal::new(String::new());
    let close = Action::new(move |m: &String| close_report(m.clone()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(c)) = close.value().get() {
            navigate(&format!("/reports/{}", c.month), Default::default());
        }
    });
    view! {
        <form class="panel edit-form no-print" data-testid="close-month"
            on:submit=move |ev| { ev.prevent_default(); close.dispatch(month.get_untracked().trim().to_string()); }>
            <h2 class="wide">{tx.close_title}</h2>
            <label>{tx.close_month}<input name="month" bind:value=month required pattern="[0-9]{4}-[0-9]{2}" placeholder="2026-11" /></label>
            <div class="form-actions"><button type="submit" class="primary" disabled=move || close.pending().get()>{tx.close_button}</button></div>
            {move || close.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{error_text(&e)}</p> })}
        </form>
    }
}

/// `2026-11` as `Nov 2026` / `nov 2026`.
fn month_words(lang: Lang, month: &str) -> String {
    parse_month(month).map_or_else(|| month.to_string(), |d| numbers::month(lang, d))
}

#[component]
fn MonthReport(month: String) -> impl IntoView {
    let query = use_query_map();
    let version =
        Memo::new(move |_| query.with(|q| q.get("version").and_then(|v| v.parse::<i64>().ok())));
    let reload = RwSignal::new(0u32);
    let key = month.clone();
    let report = Resource::new(
        move || (key.clone(), version.get(), reload.get()),
        |(m, v, _)| get_report(m, v),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">{t().common.loading}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move { report.await.map(|c| view! { <Update c reload /> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

/// A figure's value as the update prints it (units in the figure's name).
pub fn show(lang: Lang, figure: &str, v: Option<f64>) -> String {
    let Some(v) = v else {
        return "—".into();
    };
    let n = |d| numbers::number(lang, v, d);
    match figure {
        f if f.ends_with("_pct") => format!("{} %", n(1)),
        "telemetry_coverage" | "gpu_utilisation" => numbers::percent(lang, v),
        f if f.ends_with("_ths") => numbers::number(lang, v / 1e6, 3),
        f if f.ends_with("_usd_per_mwh") => numbers::number(lang, v / 10.0, 2),
        "hashcost_usd_per_ph_day" => n(2),
        f if f.ends_with("_usd") => numbers::usd(lang, v),
        "btc_produced" | "btc_per_day" => n(4),
        "fleet_j_per_th" | "mining_mw" | "ai_mw" => n(1),
        _ => n(0),
    }
}

/// A change as a signed percentage, `—` without one.
fn change(lang: Lang, pct: Option<f64>) -> String {
    pct.map_or_else(
        || "—".into(),
        |p| {
            let sign = if p > 0.0 { "+" } else { "" };
            format!("{sign}{} %", numbers::number(lang, p, 1))
        },
    )
}

#[component]
fn Update(c: ClosedMonth, reload: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().reports;
    let lines = rows(&c);
    let (company, sites): (Vec<ProductionRow>, Vec<ProductionRow>) =
        lines.into_iter().partition(|r| r.site == "total");
    let site_ids: Vec<String> = c.figures.sites.iter().map(|s| s.site.clone()).collect();
    let csv = format!("/api/v1/reports/{}/csv?version={}", c.month, c.version);
    let mom = c
        .month_on_month
        .as_ref()
        .map(|m| month_words(lang, &m.month));
    let yoy = c.year_on_year.as_ref().map(|m| month_words(lang, &m.month));
    let heading = (tx.heading)(&month_words(lang, &c.month), c.version);
    let versions = c.versions.clone();
    let this_version = c.version;
    let month = c.month.clone();
    view! {
        <div class="panel production-update" data-testid="production-update" data-month=c.month.clone() data-version=c.version>
            <div class="panel-head">
                <h2>{heading}</h2>
                <nav class="range-picker no-print">
                    <span class="muted">{tx.versions}": "</span>
                    {versions.into_iter().map(|v| {
                        let href = format!("/reports/{month}?version={v}");
                        view! { <a href=href aria-current=(v == this_version).then_some("page")>{format!("v{v}")}</a> }
                    }).collect_view()}
                    <a href=csv download="" data-testid="report-csv">"CSV"</a>
                    <button type="button" class="link-button" on:click=move |_| print_page()>{tx.print}</button>
                </nav>
            </div>
            <p class="muted">{format!("{} {} · {}", tx.closed_by, c.closed_by, numbers::utc_minute(lang, c.closed_at))}</p>
            <p class="muted" data-testid="report-sources">{sources_line(&c)}</p>
            <table class="data-table report-table" data-testid="company-figures">
                <thead><tr>
                    <th>{tx.company}</th><th class="num">{tx.this_month}</th>
                    <th class="num">{format!("{} ({})", tx.prior_month, mom.clone().unwrap_or_else(|| tx.not_closed.into()))}</th><th class="num">{tx.month_on_month}</th>
                    <th class="num">{format!("{} ({})", tx.year_before, yoy.clone().unwrap_or_else(|| tx.not_closed.into()))}</th><th class="num">{tx.year_on_year}</th>
                </tr></thead>
                <tbody>
                    {company.into_iter().map(|r| view! {
                        <tr data-figure=r.figure.clone()>
                            <td>{(tx.figure_name)(&r.figure)}</td>
                            <td class="num">{show(lang, &r.figure, r.value)}</td>
                            <td class="num">{show(lang, &r.figure, r.prior_month)}</td>
                            <td class="num">{change(lang, r.month_on_month_pct)}</td>
                            <td class="num">{show(lang, &r.figure, r.year_before)}</td>
                            <td class="num">{change(lang, r.year_on_year_pct)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <SiteTable site_ids sites />
            <Changes c=c.clone() />
            {c.figures.register.clone().map(|r| view! { <Register r /> })}
            <p class="footnote" data-testid="report-footnote">{format!("{} {} {}", tx.footnote, tx.version, c.version)}</p>
        </div>
        {move || (my_role().get() == Some(Role::Admin)).then(|| view! { <RestateForm month=c.month.clone() reload /> })}
    }
}

/// Where the figures come from: the days of BTC by source and of market figures by source.
fn sources_line(c: &ClosedMonth) -> String {
    let tx = &t().reports;
    let days = |m: &std::collections::BTreeMap<String, u32>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut line = format!(
        "{}: {}",
        tx.sources,
        days(&c.figures.total.btc_days_by_source)
    );
    if !c.figures.market_days_by_source.is_empty() {
        line.push_str(&format!(
            " · {}: {}",
            tx.market_sources,
            days(&c.figures.market_days_by_source)
        ));
    }
    line
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

#[component]
fn SiteTable(site_ids: Vec<String>, sites: Vec<ProductionRow>) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().reports;
    // Figures in print order, one column per site.
    let mut figures: Vec<String> = Vec::new();
    for r in &sites {
        if !figures.contains(&r.figure) {
            figures.push(r.figure.clone());
        }
    }
    let value = move |site: &str, figure: &str| {
        sites
            .iter()
            .find(|r| r.site == site && r.figure == figure)
            .and_then(|r| r.value)
    };
    view! {
        <h3>{tx.by_site}</h3>
        <table class="data-table report-table" data-testid="site-figures">
            <thead><tr><th>{tx.figure}</th>{site_ids.iter().map(|s| view! { <th class="num">{s.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {figures.into_iter().map(|f| view! {
                    <tr data-figure=f.clone()>
                        <td>{(tx.figure_name)(&f)}</td>
                        {site_ids.iter().map(|s| view! { <td class="num" data-site=s.clone()>{show(lang, &f, value(s, &f))}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Changes(c: ClosedMonth) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().reports;
    (!c.changes.is_empty()).then(|| view! {
        <h3>{(tx.changed)(c.version - 1)}" — "{c.reason.clone()}</h3>
        <table class="data-table report-table" data-testid="report-changes">
            <thead><tr><th>{tx.by_site}</th><th>{tx.figure}</th><th class="num">{tx.before}</th><th class="num">{tx.after}</th></tr></thead>
            <tbody>
                {c.changes.iter().map(|l| view! {
                    <tr data-figure=l.figure.clone() data-site=l.site.clone()>
                        <td>{if l.site == "total" { tx.company.to_string() } else { l.site.clone() }}</td>
                        <td>{(tx.figure_name)(&l.figure)}</td>
                        <td class="num">{show(lang, &l.figure, l.before)}</td>
                        <td class="num">{show(lang, &l.figure, l.after)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    })
}

#[component]
fn Register(r: ContractRegisterReport) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().reports;
    let usd = move |v: Option<f64>| {
        v.map_or_else(|| tx.open_ended.to_string(), |v| numbers::usd(lang, v))
    };
    let empty = r.contracts.is_empty();
    view! {
        <h3>{tx.register_title}</h3>
        <p class="muted">{tx.register_note}</p>
        {(!empty).then(|| view! {
            <table class="data-table report-table" data-testid="contract-register">
                <thead><tr>
                    <th>{tx.contract}</th><th>{tx.tenant}</th><th>{tx.term}</th><th class="num">{tx.escalator}</th>
                    <th class="num">{tx.price_now}</th><th class="num">{tx.critical_gross}</th><th>{tx.extensions}</th>
                    <th>{tx.credit_support}</th><th class="num">{tx.remaining}</th><th class="num">{tx.remaining_ext}</th><th class="num">{tx.run_rate_mw}</th>
                </tr></thead>
                <tbody>
                    {r.contracts.iter().map(|l| {
                        let term = format!("{} – {}", numbers::date(lang, l.term_start),
                            l.term_end.map_or_else(|| tx.open_ended.to_string(), |d| numbers::date(lang, d)));
                        let options = l.extensions.iter().map(|e| match e.price {
                            Some(p) => format!("{} m @ {}", e.months, numbers::number(lang, p, 2)),
                            None => format!("{} m", e.months),
                        }).collect::<Vec<_>>().join(", ");
                        let mw = format!("{} / {}", numbers::number(lang, l.critical_mw, 1),
                            l.gross_mw.map_or_else(|| "—".into(), |g| numbers::number(lang, g, 1)));
                        view! {
                            <tr data-contract=l.contract.clone()>
                                <td>{l.contract.clone()}" ("{l.site.clone()}")"</td>
                                <td>{l.tenant.clone()}</td>
                                <td>{term}</td>
                                <td class="num">{format!("{} %", numbers::number(lang, l.escalator_pct_per_year, 1))}</td>
                                <td class="num">{numbers::number(lang, l.price_now, 2)}</td>
                                <td class="num">{mw}</td>
                                <td>{options}</td>
                                <td>{l.credit_support.clone().unwrap_or_default()}</td>
                                <td class="num">{usd(l.remaining_usd)}</td>
                                <td class="num">{usd(l.remaining_with_extensions_usd)}</td>
                                // A contract not yet billing has no run-rate to show.
                                <td class="num">{l.run_rate_per_critical_mw_usd.filter(|v| *v > 0.0).map_or_else(|| "—".to_string(), |v| numbers::usd(lang, v))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <h3>{tx.backlog_title}</h3>
            <table class="data-table report-table" data-testid="backlog">
                <thead><tr><th>{tx.year}</th><th class="num">{tx.contracted}</th><th class="num">{tx.with_extensions}</th></tr></thead>
                <tbody>
                    {r.backlog.iter().map(|y| view! {
                        <tr data-year=y.year><td>{y.year}</td><td class="num">{numbers::usd(lang, y.contracted_usd)}</td><td class="num">{numbers::usd(lang, y.with_extensions_usd)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
fn RestateForm(month: String, reload: RwSignal<u32>) -> impl IntoView {
    let tx = &t().reports;
    let reason = RwSignal::new(String::new());
    let navigate = use_navigate();
    let restate =
        Action::new(move |(m, r): &(String, String)| restate_report(m.clone(), r.clone()));
    Effect::new(move |_| {
        if let Some(Ok(c)) = restate.value().get() {
            navigate(
                &format!("/reports/{}?version={}", c.month, c.version),
                Default::default(),
            );
            reload.update(|v| *v += 1);
        }
    });
    view! {
        <form class="panel edit-form no-print" data-testid="restate-month"
            on:submit=move |ev| { ev.prevent_default(); restate.dispatch((month.clone(), reason.get_untracked().trim().to_string())); }>
            <h2 class="wide">{tx.restate_title}</h2>
            <label class="wide">{tx.restate_reason}<input name="reason" bind:value=reason required maxlength="500" /></label>
            <div class="form-actions"><button type="submit" class="primary" disabled=move || restate.pending().get()>{tx.restate_button}</button></div>
            {move || restate.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{error_text(&e)}</p> })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_in_their_units() {
        assert_eq!(show(Lang::En, "net_power_usd_per_mwh", Some(39.9)), "3.99");
        assert_eq!(
            show(Lang::It, "net_power_usd_per_mwh", Some(-12.0)),
            "-1,20"
        );
        assert_eq!(
            show(Lang::En, "deployed_hashrate_ths", Some(2_000_000.0)),
            "2.000"
        );
        assert_eq!(show(Lang::En, "hardware_margin_pct", Some(66.5)), "66.5 %");
        assert_eq!(show(Lang::En, "btc_produced", Some(30.0)), "30.0000");
        assert_eq!(show(Lang::En, "gpus_deployed", Some(1024.0)), "1,024");
        assert_eq!(show(Lang::En, "ai_margin_pct", None), "—");
        assert_eq!(change(Lang::En, Some(20.0)), "+20.0 %");
        assert_eq!(change(Lang::It, Some(-2.5)), "-2,5 %");
    }
}
