//! `/timeline`: each site's conversion from mining to AI — Gantt of milestones, MW by use over
//! time, milestone details (operators edit them in place) and operators' annotations.

mod annotations;
mod milestones;
mod reload;

use reload::Reload;

use leptos::prelude::*;

use crate::api::timeline::{get_timeline, TimelineView};
use crate::charts::palette::Palette;
use crate::charts::timeline::{gantt, mw_mix};
use crate::components::chart_panel::ChartPanel;
use crate::components::error_panel::ErrorPanel;
use crate::components::kpi_card::KpiCard;
use crate::i18n::numbers;
use crate::model::timeline::milestones::MilestoneStatus;

#[component]
pub fn TimelinePage() -> impl IntoView {
    let reload = Reload(RwSignal::new(0));
    provide_context(reload);
    let data = Resource::new(move || reload.0.get(), |_| get_timeline());
    let lang = crate::locale::use_lang();
    let latest = move || data.get().and_then(Result::ok);
    let gantt_chart = Signal::derive(move || {
        latest().map(|t| {
            gantt(
                &t.milestones,
                &t.sites,
                &t.annotations,
                t.today,
                &Palette::DARK,
                lang,
            )
            .into()
        })
    });
    let mix_chart = Signal::derive(move || {
        latest().map(|t| mw_mix(&t.mix, t.today, &Palette::DARK, lang).into())
    });

    let tx = &crate::locale::t().timeline;
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{tx.title}</h1>
            </div>
            <Transition fallback=|| view! { <p class="loading">{tx.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { data.await.map(|t| view! { <Summary t /> }) })}
                </ErrorBoundary>
            </Transition>
            <ChartPanel title=tx.gantt_title id="chart-gantt" chart=gantt_chart height_px=560 csv_href=Signal::stored("/api/v1/export/timeline.csv".to_string()) label=tx.gantt_label note=tx.gantt_note.to_string() />
            <ChartPanel title=tx.mix_title id="chart-mw-mix" chart=mix_chart height_px=300 csv_href=Signal::stored("/api/v1/export/mw-mix.csv".to_string()) label=tx.mix_label note=tx.mix_note.to_string() />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    data.await.map(|t| view! {
                        <milestones::MilestoneTable t=t.clone() />
                        <annotations::AnnotationsPanel t />
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Summary(t: TimelineView) -> impl IntoView {
    let count = |s: MilestoneStatus| t.milestones.iter().filter(|r| r.status == s).count();
    let (done, slipped, in_progress) = (
        count(MilestoneStatus::Done),
        count(MilestoneStatus::Slipped),
        count(MilestoneStatus::InProgress),
    );
    let now = t.mix.iter().rev().find(|m| m.date <= t.today).copied();
    let next = t
        .milestones
        .iter()
        .filter(|r| r.status != MilestoneStatus::Done && r.milestone.start() >= t.today)
        .min_by_key(|r| r.milestone.start());
    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().timeline;
    let (next_date, next_title) = next.map_or(("—".to_string(), String::new()), |r| {
        (
            numbers::date(lang, r.milestone.start()),
            r.milestone.title.clone(),
        )
    });
    view! {
        <div class="kpis">
            <KpiCard label=tx.done value=(tx.done_of)(done, t.milestones.len()) test_id="kpi-done" />
            <KpiCard label=tx.in_progress value=in_progress.to_string() test_id="kpi-in-progress" />
            <KpiCard label=tx.slipped value=slipped.to_string() test_id="kpi-slipped" accent="mining" />
            <KpiCard label=tx.mw_mining_now value=now.map_or("—".into(), |m| numbers::mw(lang, m.mining_mw)) test_id="kpi-mw-mining" accent="mining" />
            <KpiCard label=tx.mw_ai_now value=now.map_or("—".into(), |m| numbers::mw(lang, m.ai_mw)) test_id="kpi-mw-ai" accent="ai" />
            <KpiCard label=tx.next_start value=next_date note=next_title test_id="kpi-next" />
        </div>
        <p class="as-of">{(crate::locale::t().common.as_of)(&numbers::date(lang, t.today))}</p>
    }
}
