//! English and Italian. Every string a user reads lives in one `Texts` table per language
//! (`en.rs`, `it.rs`); both are struct literals of the same type, so a string missing from
//! either is a compile error, and a page can only ask for a string that exists. Numbers and
//! dates follow the language too (`numbers.rs`).
//!
//! The language of a request: `?lang=` (embeds, links), else the signed-in user's saved
//! setting, else the `rigshift_lang` cookie (set by the nav's switch), else `Accept-Language`,
//! else English. `<html lang>` carries it to the hydrating app, so SSR and hydration agree.

mod en;
mod it;
pub mod numbers;
mod texts;

use serde::{Deserialize, Serialize};

pub use texts::*;

/// A language the dashboard speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    It,
}

/// The tables themselves (tests and server code that know their language statically).
pub const EN: &Texts = &en::TEXTS;
pub const IT: &Texts = &it::TEXTS;

/// The cookie the nav's language switch sets (for visitors who are not signed in).
pub const LANG_COOKIE: &str = "rigshift_lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::It];

    /// The BCP 47 tag (`<html lang>`, `?lang=`, the saved setting).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::It => "Italiano",
        }
    }

    /// `en`, `it`, `it-IT`, `EN-gb` → the language; anything else → `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "it" => Some(Lang::It),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header: the highest-weighted tag we speak
    /// (ties keep the header's order); `None` when it names none of ours.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',').take(32) {
            let mut fields = part.split(';');
            let Some(lang) = fields.next().and_then(Lang::parse) else {
                continue;
            };
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => EN,
            Lang::It => IT,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_accept_language_pick_our_languages() {
        assert_eq!(Lang::parse("it-IT"), Some(Lang::It));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::negotiate("it-IT,it;q=0.9,en;q=0.8"), Some(Lang::It));
        assert_eq!(Lang::negotiate("fr-FR,en;q=0.5,it;q=0.7"), Some(Lang::It));
        assert_eq!(Lang::negotiate("de,fr;q=0.9"), None);
        assert_eq!(Lang::negotiate("it;q=0,en"), Some(Lang::En));
        assert_eq!(Lang::negotiate(""), None);
    }
}
