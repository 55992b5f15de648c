//! Top navigation, with the signed-in user, the language switch and the sign-out button.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::auth::Role;
use crate::i18n::Lang;
use crate::locale::{t, use_lang};
use crate::state::Me;

#[component]
pub fn Nav() -> impl IntoView {
    let me = use_context::<Me>();
    let tx = t();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark">"◧"</span>
                " Rigshift"
            </a>
            <nav aria-label=tx.nav.main>
                <A href="/" exact=true>{tx.nav.overview}</A>
                <A href="/fleet">{tx.nav.fleet}</A>
                <A href="/sites">{tx.nav.sites}</A>
                <A href="/timeline">{tx.nav.timeline}</A>
                <A href="/estimators">{tx.nav.estimators}</A>
                <A href="/sla">{tx.nav.sla}</A>
                <A href="/reports">{tx.nav.reports}</A>
                <Transition fallback=|| ()>
                    {move || me.and_then(|m| m.0.get()).and_then(Result::ok).filter(|p| p.may(Role::Admin)).map(|_| view! { <A href="/admin">{tx.nav.admin}</A> })}
                </Transition>
            </nav>
            <LanguageSwitch />
            <Transition fallback=|| ()>
                {move || me.and_then(|m| m.0.get()).and_then(Result::ok).map(|p| view! {
                    // A plain form: signing out works without wasm and carries our Origin.
                    <form class="whoami" method="post" action="/auth/logout">
                        <a href="/account" data-testid="whoami" title=tx.nav.account_title>{p.name.clone()}" · "{p.role.as_str()}</a>
                        <button type="submit" class="link-button">{tx.nav.sign_out}</button>
                    </form>
                })}
            </Transition>
        </header>
    }
}

/// A plain form posted to `/auth/language`: saved for the signed-in user (and as a cookie),
/// then the same page again, rendered in the new language on the server.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = use_lang();
    let location = use_location();
    let next = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        }
    };
    view! {
        <form class="lang-switch" method="post" action="/auth/language" aria-label=t().nav.language data-testid="lang-switch">
            <input type="hidden" name="next" prop:value=next />
            {Lang::ALL.into_iter().map(|l| view! {
                <button type="submit" name="lang" value=l.code() class="link-button" class:active=l == current
                    aria-pressed=if l == current { "true" } else { "false" } title=l.name() lang=l.code()>
                    {l.code().to_uppercase()}
                </button>
            }).collect_view()}
        </form>
    }
}
