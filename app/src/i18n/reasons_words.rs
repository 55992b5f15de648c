//! What both languages show of a firmware's report: its own code and words, never translated
//! (they are what the maker's documentation and support know it by).

use crate::model::fleet::reason::FirmwareReport;

/// `LuxOS NOPIC_PROTECTION: "Miner shutdown due to NOPIC protection."`
pub(super) fn firmware_words(r: &FirmwareReport) -> String {
    let code = if r.code.is_empty() {
        String::new()
    } else {
        format!(" {}", r.code)
    };
    format!("{}{code}: \u{201c}{}\u{201d}", r.source, r.message)
}
