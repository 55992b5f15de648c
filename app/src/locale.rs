//! How a render learns its language (the words themselves are `crate::i18n`, a pure leaf).
//!
//! The language of a request: `?lang=` (embeds, links), else the signed-in user's saved
//! setting, else the `rigshift_lang` cookie (set by the nav's switch), else `Accept-Language`,
//! else English. `<html lang>` carries it to the hydrating app, so SSR and hydration agree.

#[cfg(feature = "ssr")]
use crate::i18n::LANG_COOKIE;
use crate::i18n::{Lang, Texts};

/// The language of this render: provided by `App` (from the request on the server, from
/// `<html lang>` in the browser).
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// The strings of this render's language.
pub fn t() -> &'static Texts {
    use_lang().texts()
}

/// (ssr) The language of the current request (see the module comment for the order).
#[cfg(feature = "ssr")]
pub fn request_lang() -> Lang {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return Lang::En;
    };
    from_request(&parts)
}

/// (ssr) The language a request asks for; also used by the embeds and CSV exports.
#[cfg(feature = "ssr")]
pub fn from_request(parts: &http::request::Parts) -> Lang {
    let query = parts.uri.query().unwrap_or("");
    let asked = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v));
    let saved = parts
        .extensions
        .get::<crate::api::auth::Principal>()
        .and_then(|p| p.language);
    let cookie = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| Lang::parse(v));
    asked
        .or(saved)
        .or(cookie)
        .or(accepted(&parts.headers))
        .unwrap_or_default()
}

/// (ssr) The language `Accept-Language` prefers among ours, if any.
#[cfg(feature = "ssr")]
fn accepted(headers: &http::HeaderMap) -> Option<Lang> {
    headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
}

/// (ssr) The language of a view without a session (embeds, CSV exports): `asked` (`?lang=`),
/// else the visitor's `Accept-Language`, else English.
#[cfg(feature = "ssr")]
pub fn asked_or_accepted(asked: Option<&str>, headers: &http::HeaderMap) -> Lang {
    asked
        .and_then(Lang::parse)
        .or_else(|| accepted(headers))
        .unwrap_or_default()
}

/// (hydrate) The language the server rendered the page in.
#[cfg(feature = "hydrate")]
pub fn document_lang() -> Lang {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default()
}
