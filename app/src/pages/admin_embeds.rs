//! The admin page's embed section: create embed tokens (view, sites, origins), revoke them, and
//! build the `<iframe>` snippet for an IR page with a live preview.

use leptos::prelude::*;

use crate::api::embeds::{create_embed, get_embeds, revoke_embed, EmbedRow, EmbedsView};
use crate::components::error_panel::ErrorPanel;
use crate::model::embed::{EmbedSpec, EmbedView};

#[component]
pub fn EmbedsAdmin() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_embeds());
    view! {
        <div class="panel" id="embeds">
            <div class="panel-head">
                <h2>"Embeds for investor-relations pages"</h2>
                <span class="panel-note">"Read-only public views. Each token opens one view, for the sites chosen, framed only by the origins listed."</span>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading embeds…"</p> }>
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
    view! {
        <form class="edit-form" data-testid="embed-form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
            <label>"Name"<input bind:value=name maxlength="100" required placeholder="IR site, Q4 deck" /></label>
            <label>"View"
                <select bind:value=view_slug>
                    {EmbedView::ALL.into_iter().map(|v| view! { <option value=v.slug()>{v.title()}</option> }).collect_view()}
                </select>
            </label>
            <fieldset class="wide sites-pick">
                <legend>"Sites (none ticked: all)"</legend>
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
            <label class="wide">"Origins allowed to frame it (one per line, e.g. https://ir.example.com)"
                <textarea rows="2" bind:value=origins required></textarea>
            </label>
            <div class="form-actions"><button type="submit" class="primary">"Create embed"</button></div>
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{e.to_string()}</p> })}
        </form>
        <table class="data-table" tabindex="0" data-testid="embed-table">
            <thead><tr><th>"Name"</th><th>"View"</th><th>"Sites"</th><th>"Origins"</th><th>"Created"</th><th>"State"</th><th></th></tr></thead>
            <tbody>
                {v.embeds.into_iter().map(|e| {
                    let id = e.id;
                    let active = e.revoked_at.is_none();
                    let row = e.clone();
                    view! {
                        <tr data-testid="embed-row" data-id=id>
                            <td>{e.name.clone()}</td>
                            <td>{e.view.title()}</td>
                            <td>{if e.sites.is_empty() { "all".to_string() } else { e.sites.join(", ") }}</td>
                            <td class="small">{e.origins.join(" ")}</td>
                            <td>{format!("{} by {}", e.created_at.format("%Y-%m-%d"), e.created_by)}</td>
                            <td>{e.revoked_at.map_or("active".to_string(), |d| format!("revoked {}", d.format("%Y-%m-%d")))}</td>
                            <td>{active.then(|| view! {
                                <button class="link-button" on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>"Snippet"</button>
                                " "
                                <button class="link-button" on:click=move |_| { revoke.dispatch(id); }>"Revoke"</button>
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
    let origin = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(o) = web_sys::window().and_then(|w| w.location().origin().ok()) {
            origin.set(o);
        }
    });
    let path = format!("/embed/{}?token={}", e.view.slug(), e.token);
    let title = e.view.title();
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
            "<iframe src=\"{}{}&theme={}\" width=\"{}\" height=\"{}\" style=\"border:0\" loading=\"lazy\" title=\"{}\"></iframe>",
            origin.get(),
            path2,
            theme.get(),
            clean(width.get(), "100%"),
            clean(height.get(), "420"),
            title
        )
    };
    let preview_src = move || format!("{path}&theme={}&preview=1", theme.get());
    view! {
        <div class="snippet" data-testid="embed-snippet">
            <div class="edit-form">
                <label>"Width (px or %)"<input bind:value=width /></label>
                <label>"Height (px)"<input bind:value=height /></label>
                <label>"Theme"<select bind:value=theme><option value="light">"light"</option><option value="dark">"dark"</option></select></label>
                <label class="wide">"Paste into the IR page"<textarea readonly rows="3" prop:value=snippet data-testid="snippet-code"></textarea></label>
            </div>
            <iframe class="embed-preview" src=preview_src title="Embed preview"
                style:width=move || { let w = clean(width.get(), "100%"); if w.ends_with('%') { w } else { format!("{w}px") } }
                style:height=move || format!("{}px", clean(height.get(), "420"))></iframe>
        </div>
    }
}
