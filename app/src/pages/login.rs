//! `/login`: a plain HTML form posted to `/auth/login`, so it works before and without wasm.
//! It shows nothing but the form, the reason for the last failure and the language switch.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::nav::LanguageSwitch;
use crate::locale::t;

#[component]
pub fn LoginPage() -> impl IntoView {
    let tx = t();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let message = move || {
        let q = query.read();
        match q.get("error").as_deref() {
            Some("invalid") => Some(tx.login.wrong.to_string()),
            Some("rate_limited") => Some((tx.login.rate_limited)(
                q.get("retry")
                    .and_then(|r| r.parse::<u64>().ok())
                    .unwrap_or(60),
            )),
            Some("unavailable") => Some(tx.login.unavailable.to_string()),
            _ => None,
        }
    };
    view! {
        <Title text=tx.login.title />
        <main class="login">
            <form class="login-card" method="post" action="/auth/login">
                <div class="brand"><span class="brand-mark">"◧"</span>" Rigshift"</div>
                <h1>{tx.login.heading}</h1>
                {move || message().map(|m| view! { <p class="error-text" role="alert" data-testid="login-error">{m}</p> })}
                <label>{tx.login.user}<input name="username" autocomplete="username" required maxlength="64" autofocus /></label>
                <label>{tx.login.password}<input name="password" type="password" autocomplete="current-password" required maxlength="256" /></label>
                <input type="hidden" name="next" value=next />
                <button type="submit" class="primary">{tx.login.submit}</button>
                <p class="muted">{tx.login.accounts_note}<code>"rigshift user add"</code>{tx.login.accounts_note_after}</p>
            </form>
            <LanguageSwitch />
        </main>
    }
}
