//! `/login`: a plain HTML form posted to `/auth/login`, so it works before and without wasm.
//! It shows nothing but the form and the reason for the last failure.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let message = move || {
        let q = query.read();
        match q.get("error").as_deref() {
            Some("invalid") => Some("Wrong user name or password.".to_string()),
            Some("rate_limited") => Some(format!(
                "Too many failed attempts. Try again in {} seconds.",
                q.get("retry")
                    .and_then(|r| r.parse::<u64>().ok())
                    .unwrap_or(60)
            )),
            Some("unavailable") => {
                Some("Sign-in is unavailable right now; try again shortly.".into())
            }
            _ => None,
        }
    };
    view! {
        <Title text="Sign in · Rigshift" />
        <main class="login">
            <form class="login-card" method="post" action="/auth/login">
                <div class="brand"><span class="brand-mark">"◧"</span>" Rigshift"</div>
                <h1>"Sign in"</h1>
                {move || message().map(|m| view! { <p class="error-text" role="alert" data-testid="login-error">{m}</p> })}
                <label>"User name"<input name="username" autocomplete="username" required maxlength="64" autofocus /></label>
                <label>"Password"<input name="password" type="password" autocomplete="current-password" required maxlength="256" /></label>
                <input type="hidden" name="next" value=next />
                <button type="submit" class="primary">"Sign in"</button>
                <p class="muted">"Accounts are created by an administrator (Admin page or "<code>"rigshift user add"</code>")."</p>
            </form>
        </main>
    }
}
