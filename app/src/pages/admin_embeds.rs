//! The admin page's embed section: create embed tokens (view, sites, origins), revoke them, and
//! build the `<iframe>` snippet for an IR page with a live preview.

use leptos::prelude::*;

use crate::api::embeds::{create_embed, get_embeds, revoke_embed, EmbedRow, EmbedsView};
use crate::components::error_panel::ErrorPanel;
use crate::model::investor::embed::{EmbedSpec, EmbedView};

#[component]
pub fn EmbedsAdmin() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_embeds());
    let tx = &crate::locale::t().embed;
    view! {
        <div class="panel" id="embeds">
            <div class="panel-head">
                <h2>{tx.admin_title}</h2>
                <span class="panel-note">{tx.admin_note}</span>
            </div>
            <Transition fallback=|| view! { <p class="loading">{tx.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { data.await.map(|v| view! { <Embeds v reload /> }) })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

#[component]
fn Embeds(v: EmbedsView, reload: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let view_slug = RwSignal::new(EmbedView::RevenueMix.slug().to_string());
    let sites = RwSignal::new(Vec::<String>::new());
    let origins = RwSignal::new(String::new());
    let create = Action::new(move |_: &()| {
        let spec = EmbedSpec {
            name: name.get_untracked(),
            view: EmbedView::from_slug(&view_slug.get_untracked()).unwrap_or(EmbedView::RevenueMix),
            sites: sites.get_untracked(),
            origins: origins
                .get_untracked()
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        };
        async move { create_embed(spec).await }
    });
    let revoke = Action::new(move |id: &i64| {
        let id = *id;
        async move { revoke_embed(id).await }
    });
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_)))
            || matches!(revoke.value().get(), Some(Ok(_)))
        {
            reload.update(|n| *n += 1);
        }
    });
    let open = RwSignal::new(None::<i64>);
    let lang = crate::locale::use_lang();
    let (tx, ad) = (&crate::locale::t().embed, &crate::locale::t().admin);
    let err = crate::locale::t().common.error;
    let day =
        move |d: chrono::DateTime<chrono::Utc>| crate::i18n::numbers::date(lang, d.date_naive());
    view! {
        <form class="edit-form" data-testid="embed-form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
            <label>{ad.name}<input bind:value=name maxlength="100" required placeholder=tx.name_placeholder /></label>
            <label>{tx.view}
                <select bind:value=view_slug>
                    {EmbedView::ALL.into_iter().map(|v| view! { <option value=v.slug()>{(tx.view_title)(v)}</option> }).collect_view()}
                </select>
            </label>
            <fieldset class="wide sites-pick">
                <legend>{tx.sites_pick}</legend>
                {v.sites.iter().map(|s| {
                    let id = s.id.clone();
                    let id2 = s.id.clone();
                    view! {
                        <label class="check"><input type="checkbox"
                            prop:checked=move || sites.with(|l| l.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                sites.update(|l| { l.retain(|x| x != &id2); if on { l.push(id2.clone()); } });
                            } />{s.name.clone()}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="wide">{tx.origins_label}
                <textarea rows="2" bind:value=origins required></textarea>
            </label>
            <div class="form-actions"><button type="submit" class="primary">{tx.create}</button></div>
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{err(e.words())}</p> })}
        </form>
        <table class="data-table" tabindex="0" data-testid="embed-table">
            <thead><tr><th>{ad.name}</th><th>{tx.view}</th><th>{tx.sites}</th><th>{tx.origins}</th><th>{ad.created}</th><th>{ad.state}</th><th></th></tr></thead>
            <tbody>
                {v.embeds.into_iter().map(|e| {
                    let id = e.id;
                    let active = e.revoked_at.is_none();
                    let row = e.clone();
                    view! {
                        <tr data-testid="embed-row" data-id=id>
                            <td>{e.name.clone()}</td>
                            <td>{(tx.view_title)(e.view)}</td>
                            <td>{if e.sites.is_empty() { tx.all.to_string() } else { e.sites.join(", ") }}</td>
                            <td class="small">{e.origins.join(" ")}</td>
                            <td>{(ad.created_by)(&day(e.created_at), &e.created_by)}</td>
                            <td>{e.revoked_at.map_or(ad.active.to_string(), |d| (ad.revoked)(&day(d)))}</td>
                            <td>{active.then(|| view! {
                                <button class="link-button" on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>{tx.snippet}</button>
                                " "
                                <button class="link-button" on:click=move |_| { revoke.dispatch(id); }>{crate::locale::t().account.revoke}</button>
                            })}</td>
                        </tr>
                        {move || (open.get() == Some(id)).then(|| view! { <tr><td colspan="7"><Snippet e=row.clone() /></td></tr> })}
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The `<iframe>` code for an embed, sized and themed, with a live preview (framed by the
/// dashboard itself, which only an admin's preview request may do).
#[component]
fn Snippet(e: EmbedRow) -> impl IntoView {
    let width = RwSignal::new("100%".to_string());
    let height = RwSignal::new("420".to_string());
    let theme = RwSignal::new("light".to_string());
    // The embed's language for its visitors (without it, each visitor's browser decides).
    let embed_lang = RwSignal::new(String::new());
    let tx = &crate::locale::t().embed;
    let origin = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(o) = web_sys::window().and_then(|w| w.location().origin().ok()) {
            origin.set(o);
        }
    });
    let path = format!("/embed/{}?token={}", e.view.slug(), e.token);
    let title = (tx.view_title)(e.view);
    let clean = |s: String, fallback: &str| {
        let s: String = s
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '%')
            .collect();
        if s.is_empty() {
            fallback.to_string()
        } else {
            s
        }
    };
    let path2 = path.clone();
    let snippet = move || {
        format!(
            "<iframe src=\"{}{}&theme={}{}\" width=\"{}\" height=\"{}\" style=\"border:0\" loading=\"lazy\" title=\"{}\"></iframe>",
            origin.get(),
            path2,
            theme.get(),
            lang_param(&embed_lang.get()),
            clean(width.get(), "100%"),
            clean(height.get(), "420"),
            title
        )
    };
    let preview_src = move || {
        format!(
            "{path}&theme={}{}&preview=1",
            theme.get(),
            lang_param(&embed_lang.get())
        )
    };
    view! {
        <div class="snippet" data-testid="embed-snippet">
            <div class="edit-form">
                <label>{tx.width}<input bind:value=width /></label>
                <label>{tx.height}<input bind:value=height /></label>
                <label>{tx.theme}<select bind:value=theme><option value="light">{tx.light}</option><option value="dark">{tx.dark}</option></select></label>
                <label>{tx.language}<select bind:value=embed_lang data-testid="snippet-lang">
                    <option value="">"—"</option>
                    {crate::i18n::Lang::ALL.into_iter().map(|l| view! { <option value=l.code()>{l.name()}</option> }).collect_view()}
                </select></label>
                <label class="wide">{tx.paste}<textarea readonly rows="3" prop:value=snippet data-testid="snippet-code"></textarea></label>
            </div>
            <iframe class="embed-preview" src=preview_src title=tx.preview
                style:width=move || { let w = clean(width.get(), "100%"); if w.ends_with('%') { w } else { format!("{w}px") } }
                style:height=move || format!("{}px", clean(height.get(), "420"))></iframe>
        </div>
    }
}

/// `&lang=it` when the admin fixed the embed's language, else nothing.
fn lang_param(code: &str) -> String {
    crate::i18n::Lang::parse(code)
        .map(|l| format!("&lang={}", l.code()))
        .unwrap_or_default()
}
