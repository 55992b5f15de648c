//! Top navigation, with the signed-in user and the sign-out button.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::auth::Role;
use crate::state::Me;

#[component]
pub fn Nav() -> impl IntoView {
    let me = use_context::<Me>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark">"◧"</span>
                " Rigshift"
            </a>
            <nav aria-label="Main">
                <A href="/" exact=true>"Overview"</A>
                <A href="/fleet">"Fleet"</A>
                <A href="/timeline">"Timeline"</A>
                <A href="/estimators">"Estimators"</A>
                <Transition fallback=|| ()>
                    {move || me.and_then(|m| m.0.get()).and_then(Result::ok).filter(|p| p.may(Role::Admin)).map(|_| view! { <A href="/admin">"Admin"</A> })}
                </Transition>
            </nav>
            <Transition fallback=|| ()>
                {move || me.and_then(|m| m.0.get()).and_then(Result::ok).map(|p| view! {
                    // A plain form: signing out works without wasm and carries our Origin.
                    <form class="whoami" method="post" action="/auth/logout">
                        <a href="/account" data-testid="whoami" title="Your account: password and sessions">{p.name.clone()}" · "{p.role.as_str()}</a>
                        <button type="submit" class="link-button">"Sign out"</button>
                    </form>
                })}
            </Transition>
        </header>
    }
}
