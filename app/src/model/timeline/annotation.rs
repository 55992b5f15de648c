//! Operators' annotations: notes on a site, a milestone or a date, with every version kept.
//!
//! The text is stored as typed and rendered through `markdown::parse`, which yields only plain
//! text runs (bold, italic, code, list items): it never produces HTML, so nothing an operator
//! types can become markup or script in a reader's browser.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::company::validate::InputError;

/// Longest note accepted, in characters (a paragraph or two, not a document).
pub const MAX_TEXT_CHARS: usize = 4_000;

/// What a note is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum AnnotationTarget {
    Site(String),
    Milestone(String),
    Date(NaiveDate),
}

impl AnnotationTarget {
    pub fn kind(&self) -> &'static str {
        match self {
            AnnotationTarget::Site(_) => "site",
            AnnotationTarget::Milestone(_) => "milestone",
            AnnotationTarget::Date(_) => "date",
        }
    }

    pub fn key(&self) -> String {
        match self {
            AnnotationTarget::Site(id) | AnnotationTarget::Milestone(id) => id.clone(),
            AnnotationTarget::Date(d) => d.to_string(),
        }
    }

    /// Rebuilds a target from its stored kind and key.
    pub fn from_parts(kind: &str, key: &str) -> Option<Self> {
        match kind {
            "site" => Some(AnnotationTarget::Site(key.to_string())),
            "milestone" => Some(AnnotationTarget::Milestone(key.to_string())),
            "date" => key.parse().ok().map(AnnotationTarget::Date),
            _ => None,
        }
    }
}

/// The current version of a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Annotation {
    pub id: i64,
    pub target: AnnotationTarget,
    /// The site it belongs to (a date note belongs to none).
    pub site_id: Option<String>,
    /// Where it sits on the time axis.
    pub on_date: NaiveDate,
    pub version: i64,
    pub text: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A note as a chart marker: where and what, in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnnotationMarker {
    pub id: i64,
    pub date: NaiveDate,
    pub label: String,
}

impl AnnotationMarker {
    /// Markers for the notes dated within `[from, to]`.
    pub fn within(all: &[Annotation], from: NaiveDate, to: NaiveDate) -> Vec<AnnotationMarker> {
        all.iter()
            .filter(|a| a.on_date >= from && a.on_date <= to)
            .map(|a| AnnotationMarker {
                id: a.id,
                date: a.on_date,
                label: headline(&a.text, 40),
            })
            .collect()
    }
}

/// One stored version of a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnnotationVersion {
    pub version: i64,
    pub text: String,
    pub author: String,
    pub at: DateTime<Utc>,
}

/// Checks a note's text: not blank, not too long, no control characters but newlines and tabs.
/// Returns the text with surrounding whitespace trimmed.
pub fn validate_text(text: &str) -> Result<String, InputError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(InputError::new("text", "must not be empty"));
    }
    if t.chars().count() > MAX_TEXT_CHARS {
        return Err(InputError::new(
            "text",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(InputError::new(
            "text",
            "must not contain control characters",
        ));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// A short one-line form for chart markers: first line, at most `max` characters, markdown
/// markers dropped and angle brackets replaced (chart tooltips are HTML; no tag survives).
pub fn headline(text: &str, max: usize) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let plain: String = first
        .chars()
        .filter(|c| !matches!(c, '*' | '`'))
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            c => c,
        })
        .collect();
    if plain.chars().count() <= max {
        plain
    } else {
        let cut: String = plain.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(validate_text("  hi \r\nthere ").unwrap(), "hi \nthere");
        assert!(validate_text("   ").is_err());
        assert!(validate_text(&"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert!(validate_text("bell\u{7}").is_err());
        // Markup is allowed in the stored text: it is rendered as text, never as HTML.
        assert_eq!(
            validate_text("<script>alert(1)</script>").unwrap(),
            "<script>alert(1)</script>"
        );
    }

    #[test]
    fn headline_is_the_first_line_shortened() {
        assert_eq!(headline("**Energised** early\nmore", 40), "Energised early");
        assert_eq!(headline("abcdefghij", 5), "abcd…");
        assert_eq!(headline("<script>x</script>", 40), "‹script›x‹/script›");
    }

    #[test]
    fn targets_round_trip_through_their_stored_parts() {
        for t in [
            AnnotationTarget::Site("muskogee".into()),
            AnnotationTarget::Milestone("m1".into()),
            AnnotationTarget::Date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()),
        ] {
            assert_eq!(AnnotationTarget::from_parts(t.kind(), &t.key()), Some(t));
        }
        assert_eq!(AnnotationTarget::from_parts("date", "not-a-date"), None);
    }
}
