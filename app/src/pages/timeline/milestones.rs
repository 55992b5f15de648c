//! Milestone details by site; operators edit dates, MW and title in place. The status is not
//! an input: it follows from the dates (an actual end marks it done).

use chrono::NaiveDate;
use leptos::prelude::*;

use super::reload::Reload;
use crate::api::error::ApiError;
use crate::api::timeline::{create_milestone, update_milestone, TimelineView};
use crate::i18n::{numbers, Lang};
use crate::locale::{t as t_, use_lang};
use crate::model::timeline::milestones::{
    MilestoneEdit, MilestoneKind, MilestoneRow, MilestoneStatus, NewMilestone,
};

fn status_class(s: MilestoneStatus) -> &'static str {
    match s {
        MilestoneStatus::Planned => "status-planned",
        MilestoneStatus::InProgress => "status-in-progress",
        MilestoneStatus::Done => "status-done",
        MilestoneStatus::Slipped => "status-slipped",
    }
}

fn opt_date(lang: Lang, d: Option<NaiveDate>) -> String {
    d.map_or("—".into(), |d| numbers::date(lang, d))
}

#[component]
pub fn MilestoneTable(t: TimelineView) -> impl IntoView {
    let editing = RwSignal::new(None::<String>);
    let can_edit = t.can_edit;
    let form_data = t.clone();
    let today = t.today;
    let sites = t.sites.clone();
    let lang = use_lang();
    let (tx, c, ch) = (&t_().timeline, &t_().common, &t_().charts);
    let f = &t_().fleet;
    view! {
        <div class="panel">
            <div class="panel-head">
                <h2>{tx.milestones}</h2>
                <span class="panel-note">{if can_edit { tx.edit_hint } else { tx.read_only }}</span>
            </div>
            <table class="data-table milestones" tabindex="0" data-testid="milestone-table">
                <thead><tr>
                    <th>{f.site}</th><th>{tx.col_milestone}</th><th>{f.status}</th><th>{tx.col_planned}</th><th>{tx.col_actual}</th><th class="num">"MW"</th><th>{tx.waits_for}</th><th></th>
                </tr></thead>
                <tbody>
                    {t.milestones.into_iter().map(|row| {
                        let site = sites.iter().find(|s| s.id == row.milestone.site_id).map_or(row.milestone.site_id.clone(), |s| s.name.clone());
                        let id = row.milestone.id.clone();
                        let id_for_edit = id.clone();
                        let m = row.milestone.clone();
                        let slip = (row.slip_days > 0).then(|| format!(" (+{} d)", row.slip_days));
                        view! {
                            <tr data-testid="milestone" data-id=id.clone() class=status_class(row.status)>
                                <td>{site}</td>
                                <td>{m.title.clone()}<div class="muted small">{(ch.milestone_kind)(m.kind)}</div></td>
                                <td><span class=format!("badge {}", status_class(row.status))>{(ch.milestone_status)(row.status)}</span>{slip}</td>
                                <td>{format!("{} → {}", numbers::date(lang, m.planned_start), numbers::date(lang, m.planned_end))}</td>
                                <td>{format!("{} → {}", opt_date(lang, m.actual_start), opt_date(lang, m.actual_end))}</td>
                                <td class="num">{numbers::number(lang, m.mw, 1)}</td>
                                <td class="small">{m.depends_on.join(", ")}</td>
                                <td>{can_edit.then(|| view! {
                                    <button class="link-button" on:click=move |_| editing.set(Some(id_for_edit.clone()))>{c.edit}</button>
                                })}</td>
                            </tr>
                            {move || (editing.get().as_deref() == Some(id.as_str())).then(|| view! {
                                <tr class="edit-row"><td colspan="8"><MilestoneForm row=row.clone() editing today /></td></tr>
                            })}
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {can_edit.then(|| view! { <NewMilestoneForm t=form_data.clone() /> })}
        </div>
    }
}

/// Adds a milestone to a site's roadmap (an AI ramp may name the lease contract it starts).
#[component]
fn NewMilestoneForm(t: TimelineView) -> impl IntoView {
    let reload = use_context::<Reload>();
    let site = RwSignal::new(t.sites.first().map(|s| s.id.clone()).unwrap_or_default());
    let kind = RwSignal::new(MilestoneKind::Retrofit.as_str().to_string());
    let title = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let mw = RwSignal::new(String::new());
    let waits_for = RwSignal::new(String::new());
    let tx = &t_().timeline;
    let add = Action::new(move |_: &()| {
        let new = (|| -> Result<NewMilestone, ApiError> {
            Ok(NewMilestone {
                site_id: site.get_untracked(),
                kind: MilestoneKind::parse(&kind.get_untracked())
                    .ok_or_else(|| ApiError::InvalidInput(tx.choose_kind.into()))?,
                title: title.get_untracked(),
                planned_start: parse_date(tx.planned_start, &start.get_untracked())?
                    .ok_or_else(|| ApiError::InvalidInput((tx.required)(tx.planned_start)))?,
                planned_end: parse_date(tx.planned_end, &end.get_untracked())?
                    .ok_or_else(|| ApiError::InvalidInput((tx.required)(tx.planned_end)))?,
                mw: mw
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::InvalidInput(tx.a_number.into()))?,
                depends_on: Some(waits_for.get_untracked())
                    .filter(|w| !w.is_empty())
                    .into_iter()
                    .collect(),
                contract_id: None,
            })
        })();
        async move { create_milestone(new?).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            title.set(String::new());
            if let Some(r) = reload {
                r.bump();
            }
        }
    });
    view! {
        <form class="edit-form" data-testid="new-milestone" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
            <label>{t_().fleet.site}<select bind:value=site>
                {t.sites.iter().map(|s| view! { <option value=s.id.clone()>{s.name.clone()}</option> }).collect_view()}
            </select></label>
            <label>{tx.kind}<select bind:value=kind>
                {MilestoneKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{(t_().charts.milestone_kind)(k)}</option> }).collect_view()}
            </select></label>
            <label class="wide">{tx.title_field}<input bind:value=title maxlength="200" required /></label>
            <label>{tx.planned_start}<input type="date" bind:value=start required /></label>
            <label>{tx.planned_end}<input type="date" bind:value=end required /></label>
            <label>"MW"<input type="number" step="0.1" min="0" bind:value=mw required /></label>
            <label>{tx.waits_for}<select bind:value=waits_for>
                <option value="">"—"</option>
                {t.milestones.iter().map(|r| view! { <option value=r.milestone.id.clone()>{r.milestone.title.clone()}</option> }).collect_view()}
            </select></label>
            <div class="form-actions"><button type="submit" class="primary" disabled=move || add.pending().get()>{tx.add_milestone}</button></div>
            {move || add.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{(t_().common.error)(e.words())}</p> })}
        </form>
    }
}

fn parse_date(field: &str, s: &str) -> Result<Option<NaiveDate>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| ApiError::InvalidInput((t_().timeline.expected_date)(field)))
}

#[component]
fn MilestoneForm(
    row: MilestoneRow,
    editing: RwSignal<Option<String>>,
    today: NaiveDate,
) -> impl IntoView {
    let reload = use_context::<Reload>();
    let m = row.milestone;
    let title = RwSignal::new(m.title.clone());
    let planned_start = RwSignal::new(m.planned_start.to_string());
    let planned_end = RwSignal::new(m.planned_end.to_string());
    let actual_start = RwSignal::new(m.actual_start.map(|d| d.to_string()).unwrap_or_default());
    let actual_end = RwSignal::new(m.actual_end.map(|d| d.to_string()).unwrap_or_default());
    let mw = RwSignal::new(format!("{}", m.mw));
    let id = m.id.clone();
    let version = m.version;
    let (tx, c) = (&t_().timeline, &t_().common);
    let save = Action::new(move |_: &()| {
        let id = id.clone();
        let edit = (|| -> Result<MilestoneEdit, ApiError> {
            Ok(MilestoneEdit {
                planned_start: parse_date(tx.planned_start, &planned_start.get_untracked())?
                    .ok_or_else(|| ApiError::InvalidInput((tx.required)(tx.planned_start)))?,
                planned_end: parse_date(tx.planned_end, &planned_end.get_untracked())?
                    .ok_or_else(|| ApiError::InvalidInput((tx.required)(tx.planned_end)))?,
                actual_start: parse_date(tx.actual_start, &actual_start.get_untracked())?,
                actual_end: parse_date(tx.actual_end, &actual_end.get_untracked())?,
                mw: mw
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::InvalidInput(tx.a_number.into()))?,
                title: title.get_untracked(),
                version,
            })
        })();
        async move {
            let edit = edit?;
            edit.validate()?;
            update_milestone(id, edit).await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
            if let Some(r) = reload {
                r.bump();
            }
        }
    });
    view! {
        <form class="edit-form" data-testid="milestone-form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
            <label class="wide">{tx.title_field}<input bind:value=title maxlength="200" required /></label>
            <label>{tx.planned_start}<input type="date" bind:value=planned_start required /></label>
            <label>{tx.planned_end}<input type="date" bind:value=planned_end required /></label>
            <label>{tx.actual_start}<input type="date" bind:value=actual_start /></label>
            <label>{tx.actual_end}<input type="date" bind:value=actual_end /></label>
            <label>"MW"<input type="number" step="0.1" min="0" bind:value=mw /></label>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || save.pending().get()>{c.save}</button>
                // Status follows the dates: these set them, the save makes it so.
                <button type="button" class="link-button" on:click=move |_| actual_start.set(today.to_string())>{tx.started_today}</button>
                <button type="button" class="link-button" on:click=move |_| {
                    if actual_start.get_untracked().trim().is_empty() { actual_start.set(today.to_string()); }
                    actual_end.set(today.to_string());
                }>{tx.done_today}</button>
                <button type="button" class="link-button" on:click=move |_| editing.set(None)>{c.cancel}</button>
            </div>
            {move || save.value().get().and_then(Result::err).map(|e| {
                let msg = match &e {
                    ApiError::Conflict { current_text, .. } => (tx.milestone_conflict)(&(c.error)(e.words()), current_text),
                    other => (c.error)(other.words()),
                };
                view! { <p class="error-text" role="alert">{msg}</p> }
            })}
        </form>
    }
}
