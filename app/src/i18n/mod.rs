//! English and Italian. Every string a user reads lives in one `Texts` table per language
//! (`en.rs`, `it.rs`); both are struct literals of the same type, so a string missing from
//! either is a compile error, and a page can only ask for a string that exists. Numbers and
//! dates follow the language too (`numbers.rs`).
//!
//! A pure leaf: nothing here reads a request, a context or the page. How a render learns its
//! language (`?lang=`, the saved setting, the cookie, `Accept-Language`) is `crate::locale`.

mod en;
mod it;
pub mod numbers;
mod reasons_en;
mod reasons_it;
mod reasons_words;
mod reports_en;
mod reports_it;
mod risk_en;
mod risk_it;
mod sites_en;
mod sites_it;
mod sla_en;
mod sla_it;
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
