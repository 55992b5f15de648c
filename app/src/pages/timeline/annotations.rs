//! Operators' notes on a site, a milestone or a date: add, edit with version check, history.
//! A stale edit comes back as a conflict showing both texts; the user's own text stays in the
//! box and can be saved on top of the current version, so nothing typed is lost.

use leptos::prelude::*;

use super::reload::Reload;
use crate::api::error::ApiError;
use crate::api::timeline::{
    create_annotation, edit_annotation, get_annotation_history, AnnotationEdit, NewAnnotation,
    TimelineView,
};
use crate::components::note_text::NoteText;
use crate::i18n::numbers;
use crate::locale::{t as t_, use_lang};
use crate::model::timeline::annotation::{Annotation, AnnotationTarget};

/// Select value standing for "a date" (the date field then is the target).
const DATE_TARGET: &str = "date";

fn target_label(t: &TimelineView, target: &AnnotationTarget) -> String {
    match target {
        AnnotationTarget::Site(id) => t
            .sites
            .iter()
            .find(|s| &s.id == id)
            .map_or(id.clone(), |s| s.name.clone()),
        AnnotationTarget::Milestone(id) => t
            .milestones
            .iter()
            .find(|r| &r.milestone.id == id)
            .map_or(id.clone(), |r| r.milestone.title.clone()),
        AnnotationTarget::Date(d) => numbers::date(use_lang(), *d),
    }
}

#[component]
pub fn AnnotationsPanel(t: TimelineView) -> impl IntoView {
    let mut notes = t.annotations.clone();
    notes.sort_by(|a, b| b.on_date.cmp(&a.on_date).then(b.id.cmp(&a.id)));
    let can_edit = t.can_edit;
    let labels: Vec<(i64, String)> = notes
        .iter()
        .map(|a| (a.id, target_label(&t, &a.target)))
        .collect();
    view! {
        <div class="panel" id="annotations">
            <div class="panel-head">
                <h2>{crate::locale::t().timeline.annotations}</h2>
                <span class="panel-note">{t_().timeline.notes_hint}</span>
            </div>
            {can_edit.then(|| view! { <NewNoteForm t=t.clone() /> })}
            <ul class="notes" data-testid="annotation-list">
                {notes.into_iter().zip(labels).map(|(a, (_, label))| view! { <NoteItem a label can_edit /> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn NewNoteForm(t: TimelineView) -> impl IntoView {
    let reload = use_context::<Reload>();
    let target = RwSignal::new(t.sites.first().map(|s| s.id.clone()).unwrap_or_default());
    let date = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let tx = &t_().timeline;
    let add = Action::new(move |_: &()| {
        let chosen = target.get_untracked();
        let date_s = date.get_untracked();
        let body = text.get_untracked();
        async move {
            let date = if date_s.trim().is_empty() {
                None
            } else {
                Some(
                    date_s
                        .trim()
                        .parse()
                        .map_err(|_| ApiError::InvalidInput((tx.expected_date)(tx.note)))?,
                )
            };
            let target = if chosen == DATE_TARGET {
                date.map(|d: chrono::NaiveDate| d.to_string())
                    .ok_or_else(|| ApiError::InvalidInput(tx.date_needed.into()))?
            } else {
                chosen
            };
            create_annotation(NewAnnotation {
                target,
                text: body,
                date,
            })
            .await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            text.set(String::new());
            if let Some(r) = reload {
                r.bump();
            }
        }
    });
    view! {
        <form class="edit-form note-form" data-testid="annotation-form" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
            <label>{tx.about}
                <select name="target" bind:value=target>
                    <optgroup label=t_().fleet.site>
                        {t.sites.iter().map(|s| view! { <option value=s.id.clone()>{s.name.clone()}</option> }).collect_view()}
                    </optgroup>
                    <optgroup label=tx.col_milestone>
                        {t.milestones.iter().map(|r| view! { <option value=r.milestone.id.clone()>{r.milestone.title.clone()}</option> }).collect_view()}
                    </optgroup>
                    <option value=DATE_TARGET>{tx.a_date}</option>
                </select>
            </label>
            <label>{tx.date_optional}<input type="date" name="date" bind:value=date /></label>
            <label class="wide">{tx.note}<textarea name="text" rows="3" maxlength="4000" required bind:value=text></textarea></label>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || add.pending().get()>{tx.add_note}</button>
            </div>
            {move || add.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{(t_().common.error)(e.words())}</p> })}
        </form>
    }
}

#[component]
fn NoteItem(a: Annotation, label: String, can_edit: bool) -> impl IntoView {
    let reload = use_context::<Reload>();
    let editing = RwSignal::new(false);
    let show_history = RwSignal::new(false);
    let draft = RwSignal::new(a.text.clone());
    // The version the draft is based on; a conflict lets the user move it to the current one.
    let base = RwSignal::new(a.version);
    let id = a.id;
    let save = Action::new(move |_: &()| {
        let edit = AnnotationEdit {
            text: draft.get_untracked(),
            version: base.get_untracked(),
        };
        async move { edit_annotation(id, edit).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(false);
            if let Some(r) = reload {
                r.bump();
            }
        }
    });
    let history = Resource::new(
        move || show_history.get(),
        move |open| async move {
            if open {
                get_annotation_history(id).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let text = a.text.clone();
    let lang = use_lang();
    let (tx, c) = (&t_().timeline, &t_().common);
    let stamp = move |at: chrono::DateTime<chrono::Utc>| numbers::utc_minute(lang, at);
    view! {
        <li class="note" data-testid="annotation" data-id=id>
            <div class="note-head">
                <span class="note-target">{label}</span>
                <span class="muted small">{(tx.note_meta)(&numbers::date(lang, a.on_date), a.version, &a.author, &stamp(a.updated_at))}</span>
                {can_edit.then(|| view! { <button class="link-button" on:click=move |_| editing.update(|e| *e = !*e)>{c.edit}</button> })}
                <button class="link-button" on:click=move |_| show_history.update(|h| *h = !*h)>{tx.history}</button>
            </div>
            <NoteText text=text />
            {move || editing.get().then(|| view! {
                <form class="edit-form" data-testid="annotation-edit" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                    <label class="wide">{tx.your_text}<textarea rows="3" maxlength="4000" bind:value=draft></textarea></label>
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || save.pending().get()>{c.save}</button>
                    </div>
                    {move || save.value().get().and_then(Result::err).map(|e| match e {
                        ApiError::Conflict { current_version, current_text, current_author } => view! {
                            <div class="conflict" role="alert" data-testid="conflict">
                                <p class="error-text">{(tx.note_conflict)(&current_author, current_version)}</p>
                                <div class="conflict-current"><div class="muted small">{(tx.current_version)(current_version)}</div><NoteText text=current_text /></div>
                                <button type="button" class="link-button" on:click=move |_| { base.set(current_version); save.dispatch(()); }>{tx.save_mine}</button>
                            </div>
                        }.into_any(),
                        other => view! { <p class="error-text" role="alert">{(c.error)(other.words())}</p> }.into_any(),
                    })}
                </form>
            })}
            {move || show_history.get().then(|| view! {
                <Suspense fallback=|| view! { <p class="loading">{tx.loading_history}</p> }>
                    {move || history.get().map(|h| match h {
                        Ok(Some(versions)) => view! {
                            <ol class="history" data-testid="annotation-history">
                                {versions.into_iter().rev().map(|v| view! {
                                    <li><div class="muted small">{(tx.history_meta)(v.version, &v.author, &stamp(v.at))}</div><NoteText text=v.text /></li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="error-text">{(c.error)(e.words())}</p> }.into_any(),
                    })}
                </Suspense>
            })}
        </li>
    }
}
