//! VNish on Antminers keeps bmminer's API, but names itself in the model string:
//! `"Type": "Antminer S19j Pro (vnish 1.2.6)"`. The model is the part before the bracket.

use app::model::fleet::devices::AsicReading;

use super::answer::Answer;

/// The VNish version in a `Type` string, if it is one.
fn version(model: &str) -> Option<&str> {
    let lower = model.to_ascii_lowercase();
    let at = lower.find("(vnish")?;
    let rest = &model[at + "(vnish".len()..];
    Some(rest.trim_start().trim_end_matches(')').trim())
}

pub fn matches(a: &Answer) -> bool {
    ["VERSION", "STATS"]
        .iter()
        .filter_map(|s| a.text(s, "Type"))
        .any(|t| version(t).is_some())
        || a.has_key("VERSION", "VNish")
}

pub fn refine(a: &Answer, r: &mut AsicReading) {
    let typed = a
        .text("VERSION", "Type")
        .or_else(|| a.text("STATS", "Type"));
    let v = a
        .text("VERSION", "VNish")
        .or_else(|| typed.and_then(version))
        .unwrap_or("");
    r.firmware = Some(format!("VNish {v}").trim_end().to_string());
    if let Some(t) = typed {
        r.model = Some(t.split('(').next().unwrap_or(t).trim().to_string());
    }
}
